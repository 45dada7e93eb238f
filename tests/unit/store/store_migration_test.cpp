// Schema v8 (src/store/schema.cpp): record_lines keeps only further lines, the time index goes.
#include <SQLiteCpp/SQLiteCpp.h>
#include <catch2/catch.hpp>

#include <filesystem>
#include <string>
#include <vector>

#include "ccu/common/error.hpp"
#include "ccu/store/store.hpp"
#include "store_test_util.hpp"
#include "support/costs.hpp"
#include "support/sandbox.hpp"

namespace fs = std::filesystem;
using ccu::store::OpenMode;
using ccu::store::Store;
using ccu::test::make_record;

namespace {

// A store file of the current schema in the sandbox's data dir holding `records` (closed again).
fs::path store_holding(const ccu::test::Sandbox& box, const std::vector<ccu::UsageRecord>& records,
                       const std::vector<ccu::LineUuids>& lines = {}) {
    fs::create_directories(box.data_dir());
    const fs::path file = box.data_dir() / "ccu.db";
    Store store(file, OpenMode::ReadWrite, ccu::test::embedded_costs());
    store.upsert(records, lines);
    return file;
}

}  // namespace

TEST_CASE("a v7 store is migrated to v8: own uuids leave record_lines, further lines and every match stay",
          "[store][migration]") {
    ccu::test::Sandbox box;
    const fs::path file =
        store_holding(box, {make_record("s1", "u1", 100), make_record("s1", "u2", 200)}, {{ccu::LineRef{"s1", "l1"}}, {}});
    {
        // The v7 layout: every record's own uuid is a row of record_lines, and the time index.
        SQLite::Database db(file.string(), SQLite::OPEN_READWRITE);
        db.exec("INSERT INTO record_lines (session_id, line_uuid, record_id) SELECT session_id, message_uuid, id "
                "FROM records; CREATE INDEX records_timestamp ON records (timestamp_ms); PRAGMA user_version = 7;");
        REQUIRE(db.execAndGet("SELECT COUNT(*) FROM record_lines").getInt() == 3);
    }
    Store store(file, OpenMode::ReadWrite, ccu::test::embedded_costs());
    CHECK(store.schema_version() == 8);
    {
        SQLite::Database db(file.string(), SQLite::OPEN_READONLY);
        SQLite::Statement q(db, "SELECT session_id || '/' || line_uuid FROM record_lines");
        std::vector<std::string> lines;
        while (q.executeStep()) lines.push_back(q.getColumn(0).getString());
        CHECK(lines == std::vector<std::string>{"s1/l1"});
        CHECK(db.execAndGet("SELECT COUNT(*) FROM sqlite_master WHERE name = 'records_timestamp'").getInt() == 0);
    }
    // A row naming a record's own uuid, or its further line, as one of its lines is that record.
    CHECK(store.upsert({make_record("s1", "x1", 50)}, {{ccu::LineRef{"s1", "u2"}}}).unchanged == 1);
    CHECK(store.upsert({make_record("s1", "x2", 50)}, {{ccu::LineRef{"s1", "l1"}}}).unchanged == 1);
    CHECK(store.upsert({make_record("s1", "l1", 50)}).unchanged == 1);
    CHECK(store.count() == 2);
}

TEST_CASE("a read-only open reads a v7 store as it is and refuses an older one with the upgrade step",
          "[store][migration]") {
    ccu::test::Sandbox box;
    const fs::path file = store_holding(box, {make_record("s1", "u1", 100)});
    const auto label = [&](int version) {
        SQLite::Database db(file.string(), SQLite::OPEN_READWRITE);
        db.exec("PRAGMA user_version = " + std::to_string(version));
    };
    label(7);
    {
        const Store reader(file, OpenMode::ReadOnly, ccu::test::embedded_costs());
        CHECK(reader.count() == 1);
        CHECK(reader.schema_version() == 7);  // not migrated: a read-only open writes nothing
    }
    label(6);
    try {
        const Store reader(file, OpenMode::ReadOnly, ccu::test::embedded_costs());
        FAIL("a v6 store opened read-only");
    } catch (const ccu::Error& e) {
        CHECK(std::string(e.what()).find("has schema version 6 but this ccu reads versions 7 to 8") != std::string::npos);
        CHECK(e.hint() == "run `ccu scan` once to upgrade it");
    }
}
