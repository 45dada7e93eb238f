#include <SQLiteCpp/SQLiteCpp.h>
#include <catch2/catch.hpp>

#include <fstream>

#include "ccu/common/environment.hpp"
#include "ccu/cli/local_refresh.hpp"
#include "ccu/pricing/price_table.hpp"
#include "unit/store/jsonl_fixture.hpp"
#include "unit/store/legacy_fixture.hpp"
#include "support/sandbox.hpp"
#include "support/costs.hpp"

namespace fs = std::filesystem;
using ccu::store::OpenMode;
using ccu::store::Store;

TEST_CASE("refresh_local scans incrementally and imports legacy history once", "[refresh]") {
    ccu::test::Sandbox box;
    ccu::test::write_small_tree(box.projects_dir());
    const fs::path legacy = box.claude_dir() / "usage" / "usage_history_My_Laptop.db";
    ccu::test::write_origin_db(legacy);
    const auto paths = ccu::Paths::resolve(box.environment());
    Store store(paths.store_file(), OpenMode::ReadWrite, ccu::test::embedded_costs());

    const auto first = ccu::cli::refresh_local(store, paths, "laptop", ccu::pricing::PriceTable::embedded());
    CHECK(first.scan.files_seen == 1);
    CHECK(first.scan.files_read == 1);
    CHECK(first.scan.malformed_lines == 1);
    CHECK(first.upsert.inserted == 2);
    CHECK(first.legacy_imported == 4);
    REQUIRE(first.legacy_files.size() == 1);
    CHECK_FALSE(first.legacy_files[0].unchanged);
    CHECK(first.legacy_files[0].rows == 10);
    CHECK(store.count() == 6);
    CHECK(store.count(std::string("laptop")) == 5);

    // The streamed response: one record, the first line's uuid, the largest output.
    const auto records = store.query({});
    const auto it = std::find_if(records.begin(), records.end(),
                                 [](const ccu::UsageRecord& r) { return r.message_id == "msg_1"; });
    REQUIRE(it != records.end());
    CHECK(it->message_uuid == "line-1");
    CHECK(it->output_tokens == 120);
    CHECK(it->machine_name == "laptop");

    const auto second = ccu::cli::refresh_local(store, paths, "laptop", ccu::pricing::PriceTable::embedded());
    CHECK(second.scan.files_read == 0);
    CHECK(second.scan.bytes_read == 0);
    CHECK(second.upsert.inserted + second.upsert.updated == 0);
    REQUIRE(second.legacy_files.size() == 1);
    CHECK(second.legacy_files[0].unchanged);
    CHECK(second.legacy_imported == 0);
    CHECK(store.count() == 6);

    // Claude Code's cleanup deletes the session file: the cursor goes, the records stay.
    fs::remove_all(box.projects_dir() / "-home-u-proj");
    ccu::cli::refresh_local(store, paths, "laptop", ccu::pricing::PriceTable::embedded());
    CHECK(store.load_cursors().empty());
    CHECK(store.count() == 6);
}

TEST_CASE("with several legacy files only the one named like this machine is stamped with its name",
          "[refresh]") {
    ccu::test::Sandbox box;
    ccu::test::write_origin_db(box.claude_dir() / "usage" / "usage_history_My_Laptop.db");
    ccu::test::write_origin_db(box.claude_dir() / "usage" / "usage_history_laptop.db");
    const auto paths = ccu::Paths::resolve(box.environment());
    Store store(paths.store_file(), OpenMode::ReadWrite, ccu::test::embedded_costs());
    const auto stats = ccu::cli::refresh_local(store, paths, "laptop", ccu::pricing::PriceTable::embedded());
    CHECK(stats.legacy_files.size() == 2);
    // Same identities in both files: stored once; the first file (sorted) decides the machine.
    CHECK(store.count() == 4);
    CHECK(stats.legacy_upsert.unchanged == 4);
    CHECK(store.count(std::string("My-Laptop")) == 3);
    CHECK(store.count(std::string("Other-PC")) == 1);
}

namespace {

// SQLite's data_version as seen by a second connection: it moves whenever another connection
// commits a change to the file.
std::int64_t data_version(SQLite::Database& observer) { return observer.execAndGet("PRAGMA data_version").getInt64(); }

}  // namespace

TEST_CASE("a re-scan with nothing new commits nothing and an appended file's cursor is saved", "[refresh]") {
    ccu::test::Sandbox box;
    const fs::path file = ccu::test::write_small_tree(box.projects_dir());
    const auto paths = ccu::Paths::resolve(box.environment());
    Store store(paths.store_file(), OpenMode::ReadWrite, ccu::test::embedded_costs());
    ccu::cli::refresh_local(store, paths, "laptop", ccu::pricing::PriceTable::embedded());
    SQLite::Database observer(paths.store_file().string(), SQLite::OPEN_READONLY);
    const std::int64_t before = data_version(observer);

    const auto again = ccu::cli::refresh_local(store, paths, "laptop", ccu::pricing::PriceTable::embedded());
    CHECK(again.scan.files_seen == 1);
    CHECK(again.scan.files_read == 0);
    CHECK(data_version(observer) == before);  // no write transaction at all

    std::ofstream(file, std::ios::app) << R"({"type":"user","sessionId":"sess-1","uuid":"user-9"})" << "\n";
    const auto appended = ccu::cli::refresh_local(store, paths, "laptop", ccu::pricing::PriceTable::embedded());
    CHECK(appended.scan.files_read == 1);
    CHECK(appended.upsert.inserted == 0);
    CHECK(data_version(observer) != before);
    const auto cursor = store.load_cursor(file.string());
    REQUIRE(cursor);
    CHECK(cursor->size == fs::file_size(file));
    CHECK(cursor->offset == fs::file_size(file));
}
