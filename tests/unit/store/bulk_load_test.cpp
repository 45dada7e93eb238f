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

// The uuid of the record that the remembered line (session "s1") points at.
std::string record_of_line(const Store& store, const std::string& line) {
    SQLite::Database db(store.file().string(), SQLite::OPEN_READONLY);
    SQLite::Statement q(db, "SELECT r.message_uuid FROM record_lines l JOIN records r ON r.id = l.record_id "
                            "WHERE l.session_id = 's1' AND l.line_uuid = ?");
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
