#include <catch2/catch.hpp>

#include <fstream>
#include <iterator>

#include "ccu/common/time.hpp"
#include "ccu/common/error.hpp"
#include "ccu/report/aggregate.hpp"
#include "ccu/report/render.hpp"

using namespace ccu::report;
using ccu::UsageRecord;

namespace {

const char* kPrices = R"({"updated":"2026-01-01","models":{
  "claude-opus-4-6":{"input":5,"output":25,"cache_write_5m":6.25,"cache_read":0.5},
  "claude-sonnet-4-20250514":{"input":3,"output":15,"cache_write_5m":3.75,"cache_read":0.3}}})";

const ccu::pricing::PriceTable& prices() {
    static const auto table = ccu::pricing::PriceTable::parse(kPrices);
    return table;
}

UsageRecord rec(std::string ts, std::string model, std::int64_t in, std::int64_t out, std::string session = "s1") {
    UsageRecord r;
    r.session_id = std::move(session);
    r.message_uuid = ts + model;
    r.timestamp = std::move(ts);
    r.model = std::move(model);
    r.input_tokens = in;
    r.output_tokens = out;
    r.folder = "proj";
    return r;
}

TimeZone zone(const char* name) {
    return TimeZone::named(name);
}

}  // namespace

TEST_CASE("daily rows in UTC sum tokens and costs per date", "[report]") {
    std::vector<UsageRecord> records{
        rec("2025-03-01T23:59:59.999Z", "claude-opus-4-6", 1000, 100),
        rec("2025-03-01T00:00:00.000Z", "claude-sonnet-4-20250514", 2000, 0),
        rec("2025-03-02T00:00:00.000Z", "claude-opus-4-6", 10, 10),
    };
    auto report = build_report(ReportKind::Daily, records, prices(), TimeZone::utc(), {});
    REQUIRE(report.rows.size() == 2);
    CHECK(report.rows[0].key == "2025-03-01");
    CHECK(report.rows[0].totals.input_tokens == 3000);
    CHECK(report.rows[0].totals.cost == Approx(1000 * 5e-6 + 100 * 25e-6 + 2000 * 3e-6));
    // First used first: sonnet at 00:00, opus at 23:59.
    CHECK(std::vector<std::string_view>(report.rows[0].models_used.begin(), report.rows[0].models_used.end()) ==
          std::vector<std::string_view>{"claude-sonnet-4-20250514", "claude-opus-4-6"});
    // Breakdowns by cost, highest first: opus 0.0075 > sonnet 0.006.
    CHECK(report.rows[0].model_breakdowns.front().model == "claude-opus-4-6");
    CHECK(report.rows[1].key == "2025-03-02");
    CHECK(report.totals.input_tokens == 3010);
    CHECK(report.totals.total_tokens() == 3000 + 100 + 20);
}

TEST_CASE("day boundaries follow the zone", "[report]") {
    std::vector<UsageRecord> records{
        rec("2025-03-01T14:59:59.000Z", "claude-opus-4-6", 1, 0),  // Tokyo: 23:59 on the 1st
        rec("2025-03-01T15:00:00.000Z", "claude-opus-4-6", 2, 0),  // Tokyo: 00:00 on the 2nd
        rec("2025-07-01T03:30:00.000Z", "claude-opus-4-6", 4, 0),  // New York (EDT): June 30th
        rec("2025-01-01T04:30:00.000Z", "claude-opus-4-6", 8, 0),  // New York (EST): Dec 31st
    };
    auto tokyo = build_report(ReportKind::Daily, records, prices(), zone("Asia/Tokyo"), {});
    REQUIRE(tokyo.rows.size() == 4);
    CHECK(tokyo.rows[0].key == "2025-01-01");
    CHECK(tokyo.rows[1].key == "2025-03-01");
    CHECK(tokyo.rows[1].totals.input_tokens == 1);
    CHECK(tokyo.rows[2].key == "2025-03-02");
    auto ny = build_report(ReportKind::Daily, records, prices(), zone("America/New_York"), {});
    REQUIRE(ny.rows.size() == 3);
    CHECK(ny.rows[0].key == "2024-12-31");
    CHECK(ny.rows[1].key == "2025-03-01");
    CHECK(ny.rows[1].totals.input_tokens == 3);
    CHECK(ny.rows[2].key == "2025-06-30");
}

TEST_CASE("monthly rows split at month boundaries in the zone", "[report]") {
    std::vector<UsageRecord> records{
        rec("2025-01-31T23:00:00.000Z", "claude-opus-4-6", 1, 0),
        rec("2025-02-01T00:00:00.000Z", "claude-opus-4-6", 2, 0),
        rec("2025-12-31T23:59:59.000Z", "claude-opus-4-6", 4, 0),
    };
    auto utc = build_report(ReportKind::Monthly, records, prices(), TimeZone::utc(), {});
    REQUIRE(utc.rows.size() == 3);
    CHECK(utc.rows[0].key == "2025-01");
    CHECK(utc.rows[1].key == "2025-02");
    CHECK(utc.rows[2].key == "2025-12");
    auto berlin = build_report(ReportKind::Monthly, records, prices(), zone("Europe/Berlin"), {});
    REQUIRE(berlin.rows.size() == 2);  // 23:00Z on Jan 31 is Feb 1st in Berlin; Dec 31 23:59Z is 2026
    CHECK(berlin.rows[0].key == "2025-02");
    CHECK(berlin.rows[0].totals.input_tokens == 3);
    CHECK(berlin.rows[1].key == "2026-01");
}

TEST_CASE("since/until filter by local date, inclusive, both date spellings", "[report]") {
    CHECK(parse_filter_date("2025-03-02", "--since") == "20250302");
    CHECK(parse_filter_date("20250302", "--since") == "20250302");
    CHECK_THROWS_AS(parse_filter_date("March 2", "--since"), ccu::Error);
    std::vector<UsageRecord> records{
        rec("2025-03-01T12:00:00.000Z", "claude-opus-4-6", 1, 0),
        rec("2025-03-02T12:00:00.000Z", "claude-opus-4-6", 2, 0),
        rec("2025-03-03T12:00:00.000Z", "claude-opus-4-6", 4, 0),
        rec("2025-03-03T23:30:00.000Z", "claude-opus-4-6", 8, 0),  // Tokyo: the 4th
    };
    DateFilter filter{std::string("20250302"), std::string("20250303")};
    auto utc = build_report(ReportKind::Daily, records, prices(), TimeZone::utc(), filter);
    CHECK(utc.totals.input_tokens == 2 + 4 + 8);
    auto tokyo = build_report(ReportKind::Daily, records, prices(), zone("Asia/Tokyo"), filter);
    CHECK(tokyo.totals.input_tokens == 2 + 4);
}

TEST_CASE("session and models reports", "[report]") {
    std::vector<UsageRecord> records{
        rec("2025-03-01T10:00:00.000Z", "claude-opus-4-6", 1000, 0, "a"),
        rec("2025-03-05T10:00:00.000Z", "claude-sonnet-4-20250514", 1000, 0, "a"),
        rec("2025-03-02T10:00:00.000Z", "claude-opus-4-6", 10, 0, "b"),
        rec("2025-03-02T11:00:00.000Z", "gpt-unknown", 10, 0, "b"),
    };
    auto sessions = build_report(ReportKind::Session, records, prices(), TimeZone::utc(), {});
    REQUIRE(sessions.rows.size() == 2);
    CHECK(sessions.rows[0].key == "a");  // highest cost first (ccusage's session order)
    CHECK(ccu::timeutil::format_rfc3339_ms(sessions.rows[0].first_ms) == "2025-03-01T10:00:00.000Z");
    CHECK(ccu::timeutil::format_rfc3339_ms(sessions.rows[0].last_ms) == "2025-03-05T10:00:00.000Z");
    CHECK(sessions.unknown_models == std::set<std::string>{"gpt-unknown"});
    auto models = build_report(ReportKind::Models, records, prices(), TimeZone::utc(), {});
    REQUIRE(models.rows.size() == 3);
    CHECK(models.rows[0].key == "claude-opus-4-6");  // highest cost first
    CHECK(models.rows[0].totals.records == 2);
    CHECK(models.rows[2].totals.cost == 0.0);
}

TEST_CASE("cost_usd on a record wins (auto mode)", "[report]") {
    auto r = rec("2025-03-01T10:00:00.000Z", "claude-opus-4-6", 1000, 0);
    r.cost_usd = 0.25;
    auto report = build_report(ReportKind::Daily, {r}, prices(), TimeZone::utc(), {});
    CHECK(report.totals.cost == 0.25);
}

TEST_CASE("unknown time zone is a usage error", "[report]") {
    CHECK_THROWS_AS(TimeZone::named("Mars/Olympus"), ccu::Error);
    CHECK_THROWS_AS(TimeZone::named("../../etc/passwd"), ccu::Error);
    CHECK(TimeZone::named("UTC").offset_seconds(0) == 0);
    ccu::Environment env;
    env.set("TZ", ":Asia/Tokyo");
    CHECK(TimeZone::local(env).offset_seconds(1'700'000'000) == 9 * 3600);
    env.set("TZ", "XYZ-3ABC,M3.5.0,M10.5.0/3");  // POSIX rule: falls back to the system zone
    CHECK_NOTHROW(TimeZone::local(env));
}

namespace {

ccu::store::UsageBucket name_bucket(std::int64_t quarter, std::uint32_t session, std::uint32_t project,
                                    std::int64_t input, double cost) {
    ccu::store::UsageBucket b;
    b.quarter = quarter;
    b.machine = 1;
    b.session = session;
    b.model = 2;
    b.project = project;
    b.input_tokens = input;
    b.cost = cost;
    b.records = 1;
    b.first_ms = quarter * 900'000;
    b.last_ms = quarter * 900'000;
    return b;
}

}  // namespace

// Rows are found by name ids, but keyed by their names: a BucketSet can name one string twice
// (its unused slots are "", as is a stored empty name), and those ids are one row.
TEST_CASE("two ids of one session name are one session row", "[report]") {
    ccu::store::BucketSet set;
    set.names = {"", "vm", "claude-opus-4-6", "s1", "s2", "s1"};
    set.buckets = {name_bucket(100, 3, 0, 1, 0.5), name_bucket(101, 4, 0, 10, 0.25), name_bucket(102, 5, 0, 100, 1.0)};
    const Report report = build_report(ReportKind::Session, set, TimeZone::utc(), {});
    REQUIRE(report.rows.size() == 2);
    CHECK(report.rows[0].key == "s1");
    CHECK(report.rows[0].totals.input_tokens == 101);
    CHECK(report.rows[0].first_ms == 100 * 900'000);
    CHECK(report.rows[0].last_ms == 102 * 900'000);
    CHECK(report.rows[1].key == "s2");
    CHECK(report.totals.input_tokens == 111);
}

TEST_CASE("two ids of one project name are one project's rows (--instances)", "[report]") {
    ccu::store::BucketSet set;
    set.names = {"", "vm", "claude-opus-4-6", "s1", "p", "q", "p"};
    set.buckets = {name_bucket(100, 3, 4, 1, 0.5), name_bucket(101, 3, 5, 10, 0.25), name_bucket(102, 3, 6, 100, 1.0)};
    GroupOptions options;
    options.by_project = true;
    const Report report = build_report(ReportKind::Daily, set, TimeZone::utc(), {}, options);
    REQUIRE(report.rows.size() == 2);
    CHECK(report.rows[0].instance == "p");
    CHECK(report.rows[0].totals.input_tokens == 101);
    CHECK(report.rows[1].instance == "q");
    CHECK(report.rows[1].totals.input_tokens == 10);
}
