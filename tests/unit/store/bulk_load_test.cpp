// The bulk load into an empty store (store/record_writer.cpp): the order it writes rows in and
// the upsert rules it repeats in memory (the comparison with one-by-one upserts over messy
// batches is in buckets_test.cpp).
#include <SQLiteCpp/SQLiteCpp.h>
#include <catch2/catch.hpp>

#include <algorithm>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "ccu/store/store.hpp"
#include "store_test_util.hpp"
#include "support/costs.hpp"
#include "support/sandbox.hpp"

using ccu::UsageRecord;
using ccu::store::OpenMode;
using ccu::store::Store;

namespace {

// The uuid of the record that the remembered line (session "s1") names: the record whose own
// uuid it is, else the one record_lines points it at.
std::string record_of_line(const Store& store, const std::string& line) {
    SQLite::Database db(store.file().string(), SQLite::OPEN_READONLY);
    SQLite::Statement q(db, "SELECT message_uuid FROM records WHERE session_id = 's1' AND message_uuid = ?1 "
                            "UNION ALL SELECT r.message_uuid FROM record_lines l JOIN records r ON r.id = l.record_id "
                            "WHERE l.session_id = 's1' AND l.line_uuid = ?1");
    q.bind(1, line);
    return q.executeStep() ? q.getColumn(0).getString() : "";
}

}  // namespace

TEST_CASE("a bulk load inserts the records in byte order of session and uuid", "[store][bulk]") {
    ccu::test::Sandbox sandbox;
    // Keys that tie on their first 8 bytes, shorter ones, bytes above 0x7f and an embedded NUL:
    // the row order must be std::string's (SQLite's BINARY) order all the same.
    const std::vector<std::string> sessions = {"s", "sess-aaaa", "sess-aaaa-2", "s\xc3\xa9", "s\x7f", "S"};
    const std::vector<std::string> uuids = {"", "a", "abcdefgh", "abcdefgh0", "abcdefgh1", "abcdefg",
                                            "\xff", std::string("ab\0c", 4), "zz"};
    std::vector<UsageRecord> records;
    std::mt19937 rng(5);
    for (int copy = 0; copy < 6; ++copy) {
        for (const auto& session : sessions) {
            for (const auto& uuid : uuids) {
                const std::string id = uuid + "#" + std::to_string(copy);
                records.push_back(ccu::test::with_ids(ccu::test::make_record(session, id, 5), "m" + session + id,
                                                      "r" + session + id));
            }
        }
    }
    std::shuffle(records.begin(), records.end(), rng);
    REQUIRE(records.size() >= 256);
    Store store(sandbox.data_dir() / "store.db", OpenMode::ReadWrite, ccu::test::embedded_costs());
    store.upsert(records);
    std::vector<std::pair<std::string, std::string>> want;
    for (const auto& r : records) want.emplace_back(r.session_id, r.message_uuid);
    std::sort(want.begin(), want.end());
    SQLite::Database db(store.file().string(), SQLite::OPEN_READONLY);
    SQLite::Statement q(db, "SELECT session_id, message_uuid FROM records ORDER BY id");
    std::vector<std::pair<std::string, std::string>> got;
    while (q.executeStep()) got.emplace_back(q.getColumn(0).getString(), q.getColumn(1).getString());
    CHECK(got == want);
}

TEST_CASE("a sidechain replay in a bulk load joins the response with the smallest request id", "[store][bulk]") {
    ccu::test::Sandbox sandbox;
    // Three requests of one message id stored first ("q9", then "q10" and "q2", both smaller as
    // strings), then a sidechain replay under a new request id with a line of its own: like the
    // one-by-one upsert (SQLite's partial index), the bulk path gives the replay's lines to "q10".
    ccu::test::ScanInput scan;
    const auto add = [&scan](const std::string& uuid, const std::string& request, bool sidechain,
                             ccu::LineUuids further) {
        scan.records.push_back(ccu::test::with_ids(ccu::test::make_record("s1", uuid, 7), "m-shared", request));
        scan.sidechain.push_back(sidechain ? 1 : 0);
        scan.lines.push_back(std::move(further));
    };
    add("u-a", "q9", false, {});
    add("u-b", "q10", false, {});
    add("u-c", "q2", false, {});
    add("u-replay", "q-new", true, {{"s1", "u-replay-line"}});
    for (int i = 0; i < 300; ++i) add("filler-" + std::to_string(i), "rf" + std::to_string(i), false, {});
    Store bulk(sandbox.data_dir() / "bulk.db", OpenMode::ReadWrite, ccu::test::embedded_costs());
    Store single(sandbox.data_dir() / "single.db", OpenMode::ReadWrite, ccu::test::embedded_costs());
    bulk.apply_scan(scan.write());
    for (std::size_t i = 0; i < scan.records.size(); ++i) {
        ccu::test::ScanInput one;
        one.records = {scan.records[i]};
        one.sidechain = {scan.sidechain[i]};
        one.lines = {scan.lines[i]};
        single.apply_scan(one.write());
    }
    for (const char* line : {"u-replay", "u-replay-line"}) {
        CHECK(record_of_line(bulk, line) == "u-b");
        CHECK(record_of_line(single, line) == "u-b");
    }
    CHECK(bulk.count() == 303);
    CHECK(single.count() == 303);
}

namespace {

// A scan of `n` records with response ids, some with further line uuids and sidechain flags.
ccu::test::ScanInput scan_of(std::size_t n) {
    ccu::test::ScanInput scan;
    for (std::size_t i = 0; i < n; ++i) {
        const std::string session = "s" + std::to_string(i % 5);
        scan.records.push_back(ccu::test::with_ids(
            ccu::test::make_record(session, "u" + std::to_string(i), static_cast<std::int64_t>(i % 40), 0,
                                   i % 2 == 0 ? "laptop" : "desktop"),
            "m" + std::to_string(i / 2), "r" + std::to_string(i)));
        scan.sidechain.push_back(i % 9 == 4 ? 1 : 0);
        ccu::LineUuids further;
        if (i % 3 == 0) further.push_back({session, "line-" + std::to_string(i)});
        scan.lines.push_back(std::move(further));
    }
    return scan;
}

}  // namespace

TEST_CASE("the records of a scan may be spoilt and freed once the store says it no longer reads them",
          "[store][bulk]") {
    ccu::test::Sandbox sandbox;
    for (const std::size_t n : {std::size_t{600}, std::size_t{40}}) {  // the bulk path, then one by one
        ccu::test::ScanInput scan = scan_of(n);
        const ccu::test::ScanInput untouched = scan;
        int calls = 0;
        ccu::store::ScanWrite write = scan.write();
        // Anything the store read after the call would be these spoilt values, or freed memory.
        write.records_done = [&] {
            ++calls;
            for (auto& r : scan.records) {
                r.session_id = r.message_uuid = r.model = "spoilt";
                r.output_tokens = 999'999;
            }
            for (auto& further : scan.lines) {
                for (auto& l : further) l.uuid = "spoilt";
            }
            std::vector<UsageRecord>().swap(scan.records);
            std::vector<ccu::LineUuids>().swap(scan.lines);
        };
        const std::string name = std::to_string(n);
        Store spoilt(sandbox.data_dir() / ("spoilt-" + name + ".db"), OpenMode::ReadWrite, ccu::test::embedded_costs());
        Store plain(sandbox.data_dir() / ("plain-" + name + ".db"), OpenMode::ReadWrite, ccu::test::embedded_costs());
        const auto stats = spoilt.apply_scan(write);
        plain.apply_scan(untouched.write());
        CHECK(calls == 1);
        CHECK(stats.inserted > 0);
        CHECK(spoilt.query({}) == plain.query({}));
        CHECK(ccu::test::bucket_rows(spoilt) == ccu::test::bucket_rows(plain));
        CHECK(record_of_line(spoilt, "line-6") == "u6");  // i = 6: session "s1"
        CHECK(record_of_line(plain, "line-6") == "u6");
        CHECK(spoilt.count() == plain.count());
    }
}
