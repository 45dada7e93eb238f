// Weekly, blocks, per-machine and per-project views, the statusline text and the compact table.
#include <catch2/catch.hpp>

#include "ccu/common/time.hpp"
#include "ccu/report/aggregate.hpp"
#include "ccu/report/blocks.hpp"
#include "ccu/report/render.hpp"
#include "ccu/report/statusline.hpp"

using namespace ccu::report;
using ccu::UsageRecord;

namespace {

const ccu::pricing::PriceTable& prices() {
    static const auto table = ccu::pricing::PriceTable::parse(R"({"updated":"2026-01-01","models":{
      "claude-opus-4-6":{"input":5,"output":25,"cache_write_5m":6.25,"cache_read":0.5}}})");
    return table;
}

UsageRecord rec(const std::string& ts, std::int64_t in, const std::string& machine = "laptop",
                const std::string& session = "s1", const std::string& project = "-home-u-a") {
    UsageRecord r;
    r.session_id = session;
    r.message_uuid = ts + machine;
    r.timestamp = ts;
    r.model = "claude-opus-4-6";
    r.input_tokens = in;
    r.folder = "a";
    r.project = project;
    r.machine_name = machine;
    return r;
}

std::int64_t ms(const char* ts) { return *ccu::timeutil::parse_rfc3339_ms(ts); }

}  // namespace

TEST_CASE("weekly rows start on the chosen day of the week in the report zone", "[report][weekly]") {
    // 2025-03-02 is a Sunday, 2025-03-03 a Monday.
    const std::vector<UsageRecord> records{rec("2025-03-02T12:00:00.000Z", 1), rec("2025-03-03T12:00:00.000Z", 2)};
    const auto sunday = build_report(ReportKind::Weekly, records, prices(), TimeZone::utc(), {});
    REQUIRE(sunday.rows.size() == 1);
    CHECK(sunday.rows[0].key == "2025-03-02");
    GroupOptions monday;
    monday.start_of_week = 1;
    const auto weeks = build_report(ReportKind::Weekly, records, prices(), TimeZone::utc(), {}, monday);
    REQUIRE(weeks.rows.size() == 2);
    CHECK(weeks.rows[0].key == "2025-02-24");
    CHECK(weeks.rows[1].key == "2025-03-03");
    // In Tokyo the Sunday noon record is still Sunday, the zone moves nothing across the boundary here.
    const auto tokyo = build_report(ReportKind::Weekly, records, prices(), TimeZone::named("Asia/Tokyo"), {}, monday);
    CHECK(tokyo.rows.size() == 2);
}

TEST_CASE("by-machine breakdowns and instances split rows by machine and by project", "[report][machines]") {
    const std::vector<UsageRecord> records{rec("2025-03-02T10:00:00.000Z", 1, "laptop"),
                                           rec("2025-03-02T10:01:00.000Z", 2, "desktop", "s2", "-home-u-b"),
                                           rec("2025-03-02T11:00:00.000Z", 4, "laptop")};
    GroupOptions options;
    options.by_machine = true;
    const auto daily = build_report(ReportKind::Daily, records, prices(), TimeZone::utc(), {}, options);
    REQUIRE(daily.rows.size() == 1);
    REQUIRE(daily.rows[0].machine_breakdowns.size() == 2);
    CHECK(daily.rows[0].machine_breakdowns[0].machine == "desktop");
    CHECK(daily.rows[0].machine_breakdowns[0].totals.input_tokens == 2);
    CHECK(daily.rows[0].machine_breakdowns[1].totals.input_tokens == 5);
    const auto json = to_json(daily, {false, true});
    CHECK(json["daily"][0]["machineBreakdowns"][1]["machineName"] == "laptop");
    options.by_project = true;
    const auto projects = build_report(ReportKind::Daily, records, prices(), TimeZone::utc(), {}, options);
    REQUIRE(projects.rows.size() == 2);
    CHECK(projects.rows[0].instance == "-home-u-a");
    CHECK(projects.rows[0].totals.input_tokens == 5);
    CHECK(to_json(projects, {true, false})["projects"]["-home-u-b"][0]["project"] == "-home-u-b");
    const auto sessions = build_report(ReportKind::Session, records, prices(), TimeZone::utc(), {});
    REQUIRE(sessions.rows.size() == 2);
    CHECK(sessions.rows[0].key == "s1");  // higher cost first
    CHECK(to_json(sessions)["sessions"][0]["projectPath"] == "-home-u-a");
    CHECK(to_json(sessions)["sessions"][0]["folder"] == "a");
}

TEST_CASE("blocks start on the hour, split after five hours and leave gap blocks", "[report][blocks]") {
    const std::vector<UsageRecord> records{rec("2025-03-02T10:20:00.000Z", 1), rec("2025-03-02T14:59:00.000Z", 2),
                                           rec("2025-03-02T15:01:00.000Z", 4), rec("2025-03-03T02:00:00.000Z", 8)};
    BlockOptions options;
    options.now_ms = ms("2026-01-01T00:00:00.000Z");
    const auto report = build_blocks(bucketize(records, prices()), TimeZone::utc(), options);
    REQUIRE(report.blocks.size() == 4);
    CHECK(report.blocks[0].start_ms == ms("2025-03-02T10:00:00.000Z"));
    CHECK(report.blocks[0].totals.input_tokens == 3);
    CHECK(*report.blocks[0].actual_end_ms == ms("2025-03-02T14:59:00.000Z"));
    CHECK(report.blocks[1].start_ms == ms("2025-03-02T15:00:00.000Z"));
    CHECK(report.blocks[2].gap);
    CHECK(report.blocks[2].start_ms == ms("2025-03-02T20:01:00.000Z"));
    CHECK(report.blocks[2].end_ms == ms("2025-03-03T02:00:00.000Z"));
    CHECK_FALSE(report.blocks[3].active);
    const auto json = blocks_json(report, false);
    CHECK(json["blocks"][2]["id"] == "gap-2025-03-02T20:01:00.000Z");
    CHECK(json["blocks"][0]["burnRate"].is_null());
}

TEST_CASE("the active block across machines has a burn rate and a projection", "[report][blocks]") {
    const std::vector<UsageRecord> records{rec("2025-03-02T10:00:00.000Z", 600, "laptop"),
                                           rec("2025-03-02T10:10:00.000Z", 600, "desktop")};
    BlockOptions options;
    options.now_ms = ms("2025-03-02T11:00:00.000Z");
    options.selection = BlockSelection::Active;
    const auto report = build_blocks(bucketize(records, prices()), TimeZone::utc(), options, 0);
    REQUIRE(report.blocks.size() == 1);
    const Block& b = report.blocks[0];
    CHECK(b.active);
    REQUIRE(b.burn_rate);
    CHECK(b.burn_rate->tokens_per_minute == Approx(120.0));  // 1200 tokens over 10 minutes
    REQUIRE(b.projection);
    CHECK(b.projection->remaining_minutes == 240);
    CHECK(b.projection->total_tokens == 1200 + 120 * 240);
    CHECK(!report.token_limit);  // "max" with no completed block: no limit
}

TEST_CASE("the status line shows session, today, block and burn rate", "[report][statusline]") {
    StatusInputs in;
    in.model = "Opus";
    in.session_id = "s1";
    in.now_ms = ms("2025-03-02T11:00:00.000Z");
    in.session = bucketize({rec("2025-03-01T09:00:00.000Z", 200000), rec("2025-03-02T10:00:00.000Z", 200000)}, prices());
    in.recent = bucketize({rec("2025-03-02T10:00:00.000Z", 200000), rec("2025-03-02T10:30:00.000Z", 200000, "desktop", "s9")},
                          prices());
    CHECK(status_line(in, TimeZone::utc()) ==
          "🤖 Opus | 💰 $2.00 session / $2.00 today / $2.00 block (4h 0m left) | 🔥 $4.00/hr");
    in.recent = {};
    CHECK(status_line(in, TimeZone::utc()) == "🤖 Opus | 💰 $2.00 session / $0.00 today / no active block");
}

TEST_CASE("a table wider than the terminal switches to the compact layout", "[report][table]") {
    const auto report = build_report(ReportKind::Daily, {rec("2025-03-02T10:00:00.000Z", 1234)}, prices(),
                                     TimeZone::utc(), {});
    TableOptions wide;
    wide.layout = TableLayout::Auto;
    wide.width = 200;
    CHECK(render_table(report, wide).find("Cache Create") != std::string::npos);
    TableOptions narrow = wide;
    narrow.width = 60;
    const std::string compact = render_table(report, narrow);
    CHECK(compact.find("Cache Create") == std::string::npos);
    CHECK(compact.find("1,234") != std::string::npos);
    TableOptions forced;
    forced.layout = TableLayout::Compact;
    CHECK(render_table(report, forced).find("Cache Create") == std::string::npos);
}
