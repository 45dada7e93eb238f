// One record per response from the origin tool's one-row-per-line data (ingest/origin_rows.hpp)
// and the store's memory of every line uuid of a response (table record_lines).
#include <catch2/catch.hpp>

#include "ccu/common/time.hpp"
#include "ccu/common/origin_rows.hpp"
#include "ccu/store/store.hpp"
#include "store_test_util.hpp"
#include "support/costs.hpp"
#include "support/sandbox.hpp"

using ccu::UsageRecord;
using ccu::OriginRow;
using ccu::store::OpenMode;
using ccu::store::Store;
using ccu::test::make_record;

namespace {

OriginRow row(const std::string& session, const std::string& uuid, std::int64_t ms, std::int64_t output,
              std::int64_t cache_creation, std::int64_t cache_read = 1000) {
    UsageRecord r = make_record(session, uuid, output);
    r.timestamp = ccu::timeutil::format_rfc3339_ms(ms);
    r.cache_creation_tokens = cache_creation;
    r.cache_read_tokens = cache_read;
    return OriginRow{r, ms, ms};
}

constexpr std::int64_t kT = 1735787045000;  // 2025-01-02T03:04:05Z

}  // namespace

TEST_CASE("lines of one response merge into one record with the largest counts though cache creation differs",
          "[origin_rows]") {
    // Three streamed lines; the origin dropped the cache-creation count of the last one.
    auto out = ccu::collapse_origin_rows(
        {row("s", "l3", kT + 900, 300, 0), row("s", "l1", kT, 5, 200), row("s", "l2", kT + 400, 120, 200),
         row("s", "next", kT + 60000, 40, 0, 2500)});
    REQUIRE(out.records.size() == 2);
    const UsageRecord& first = out.records[0];
    CHECK(first.message_uuid == "l1");
    CHECK(first.output_tokens == 300);
    CHECK(first.cache_creation_tokens == 200);
    CHECK(first.total_tokens() == 10 + 300 + 200 + 1000);
    CHECK(out.lines[0] == ccu::LineUuids{{"s", "l2"}, {"s", "l3"}});
    CHECK(out.records[1].message_uuid == "next");
    CHECK(out.merged == 2);
}

TEST_CASE("rows far apart in time or of another session are separate responses", "[origin_rows]") {
    auto out = ccu::collapse_origin_rows({row("s", "a", kT, 5, 200),
                                                  row("s", "b", kT + ccu::kStreamGapMs + 1, 7, 200),
                                                  row("t", "c", kT + 10, 9, 200)});
    CHECK(out.records.size() == 3);
    CHECK(out.merged == 0);
}

TEST_CASE("a replay with a larger cache read and a resumed copy are the same response keeping the smaller read",
          "[origin_rows]") {
    auto out = ccu::collapse_origin_rows({row("s", "orig", kT, 300, 200, 1000),
                                                  row("s", "replay", kT, 300, 200, 51000),
                                                  row("resumed", "copy", kT, 300, 0, 1000)});
    REQUIRE(out.records.size() == 1);
    CHECK(out.records[0].message_uuid == "orig");
    CHECK(out.records[0].cache_read_tokens == 1000);
    CHECK(out.records[0].cache_creation_tokens == 200);
    CHECK(out.lines[0] == ccu::LineUuids{{"s", "replay"}, {"resumed", "copy"}});
}

TEST_CASE("prompt rows and rows without tokens are not billed responses", "[origin_rows]") {
    UsageRecord prompt = make_record("s", "p", 0);
    prompt.model.clear();
    prompt.input_tokens = prompt.cache_creation_tokens = prompt.cache_read_tokens = 0;
    CHECK(ccu::is_unbilled_origin_row(prompt));
    CHECK_FALSE(ccu::is_unbilled_origin_row(make_record("s", "r", 1)));
}

TEST_CASE("a row whose uuid is any line of a stored response is that response and never supplies its counts",
          "[store][record_lines]") {
    ccu::test::Sandbox box;
    Store store(box.data_dir() / "ccu.db", OpenMode::ReadWrite, ccu::test::embedded_costs());
    // From the logs: response with ids, first line l1, further lines l2 and l3.
    const UsageRecord logged = ccu::test::with_ids(make_record("s", "l1", 300), "msg_1", "req_1");
    REQUIRE(store.upsert({logged}, {{{"s", "l2"}, {"s", "l3"}}}).inserted == 1);
    // The origin's rows of the same response, split differently and larger (a flat cache count).
    UsageRecord late = make_record("s", "l3", 300);
    late.cache_creation_tokens = 1100;
    const auto stats = store.upsert({late, make_record("s", "l2", 120)});
    CHECK(stats.inserted == 0);
    CHECK(stats.unchanged == 2);
    const auto all = store.query({});
    REQUIRE(all.size() == 1);
    CHECK(all[0] == logged);
    // An unknown line is a new record, and its further lines are remembered for later copies.
    CHECK(store.upsert({make_record("s", "x1", 5)}, {{{"s", "x2"}}}).inserted == 1);
    UsageRecord bigger = make_record("s", "x2", 50);
    CHECK(store.upsert({bigger}).updated == 1);  // neither has ids: the larger total wins
    CHECK(store.count() == 2);
}

TEST_CASE("the logs' counts replace an origin row's larger counts when they arrive after it", "[store][record_lines]") {
    ccu::test::Sandbox box;
    Store store(box.data_dir() / "ccu.db", OpenMode::ReadWrite, ccu::test::embedded_costs());
    UsageRecord origin = make_record("s", "l1", 300);
    origin.cache_creation_tokens = 1100;  // the origin's flat count disagreed with the buckets
    store.upsert({origin}, {{{"s", "l2"}}});
    const UsageRecord logged = ccu::test::with_ids(make_record("s", "l2", 300), "msg_1", "req_1");
    CHECK(store.upsert({logged}).updated == 1);
    const auto all = store.query({});
    REQUIRE(all.size() == 1);
    CHECK(all[0].message_uuid == "l1");  // identity stays
    CHECK(all[0].cache_creation_tokens == 100);
    CHECK(all[0].message_id == "msg_1");
}

TEST_CASE("origin fragments of one response stored before the logs are folded into the logs' record",
          "[store][record_lines]") {
    ccu::test::Sandbox box;
    Store store(box.data_dir() / "ccu.db", OpenMode::ReadWrite, ccu::test::embedded_costs());
    // The origin split one response into two records (its rows disagreed); pulled before a scan.
    store.upsert({make_record("s", "l1", 120), make_record("s", "l3", 300)}, {{{"s", "l2"}}, {}});
    REQUIRE(store.count() == 2);
    const UsageRecord logged = ccu::test::with_ids(make_record("s", "l1", 300), "msg_1", "req_1");
    store.upsert({logged}, {{{"s", "l2"}, {"s", "l3"}}});
    const auto all = store.query({});
    REQUIRE(all.size() == 1);
    CHECK(all[0] == logged);
    // The folded fragment's line now names the logs' record.
    CHECK(store.upsert({make_record("s", "l3", 900)}).unchanged == 1);
}

TEST_CASE("replacing a machine's records drops them and their lines in one transaction", "[store][record_lines]") {
    ccu::test::Sandbox box;
    Store store(box.data_dir() / "ccu.db", OpenMode::ReadWrite, ccu::test::embedded_costs());
    store.upsert({make_record("s", "a", 5, 0, "old"), make_record("s", "b", 6, 1, "old"),
                  make_record("s", "c", 7, 2, "laptop")},
                 {{{"s", "a2"}}, {}, {}});
    const auto stats = store.replace_machine_records("old", {make_record("s", "n", 9, 3, "old")});
    CHECK(stats.inserted == 1);
    CHECK(store.count(std::string("old")) == 1);
    CHECK(store.count(std::string("laptop")) == 1);
    // "a2" no longer points anywhere: a row with that uuid is a new record.
    CHECK(store.upsert({make_record("s", "a2", 5, 4, "old")}).inserted == 1);
}
