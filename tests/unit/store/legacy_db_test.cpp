#include <SQLiteCpp/SQLiteCpp.h>
#include <catch2/catch.hpp>
#include <sys/stat.h>

#include <algorithm>
#include <fstream>
#include <set>

#include "ccu/common/atomic_file.hpp"
#include "ccu/ingest/legacy_db.hpp"
#include "legacy_fixture.hpp"
#include "support/sandbox.hpp"

namespace fs = std::filesystem;

TEST_CASE("legacy rows map to spec records with responses merged and non-billed rows skipped", "[legacy]") {
    ccu::test::Sandbox box;
    const fs::path file = box.claude_dir() / "usage" / "usage_history_My_Laptop.db";
    ccu::test::write_origin_db(file);
    const auto fingerprint_before = ccu::test::file_fingerprint(file);
    const auto listing_before = ccu::test::dir_listing(file.parent_path());

    const auto result = ccu::ingest::read_legacy_db(file, "laptop");
    INFO(result.problem);
    REQUIRE(result.problem.empty());
    CHECK(result.rows == 10);
    CHECK(result.merged == 2);
    CHECK(result.skipped.at("user prompt (no usage)") == 1);
    CHECK(result.skipped.at("<synthetic> model (no billed usage)") == 1);
    CHECK(result.skipped.at("no token usage") == 1);
    CHECK(result.skipped.at("unparseable timestamp") == 1);
    CHECK(result.skipped_total() == 4);
    REQUIRE(result.records.size() == 4);

    std::map<std::string, ccu::UsageRecord> by_uuid;
    for (const auto& r : result.records) by_uuid[r.message_uuid] = r;
    // Three content-block lines of one response: the first uuid, the largest output.
    const auto& a = by_uuid.at("a1");
    CHECK(a.output_tokens == 120);
    CHECK(a.input_tokens == 3);
    CHECK(a.cache_creation_tokens == 200);
    CHECK(a.cache_read_tokens == 5000);
    CHECK(a.timestamp == "2025-01-02T03:04:05.123Z");  // "+00:00" with microseconds normalized
    CHECK(a.folder == "myproj");                       // the origin stored the whole cwd
    CHECK(a.git_branch == "main");
    CHECK(a.version == "1.0.80");
    CHECK(a.machine_name == "laptop");
    CHECK_FALSE(a.message_id);
    CHECK_FALSE(a.cost_usd);  // the origin's own price table is not trusted; ccu's decides

    const auto& naive = by_uuid.at("b1");
    CHECK(naive.timestamp == "2025-01-02T03:10:00.123Z");  // naive timestamps are UTC
    CHECK(naive.machine_name == "laptop");                 // machine_name NULL: this file's own row
    CHECK_FALSE(naive.git_branch);                         // "" becomes null
    CHECK_FALSE(naive.version);                            // "unknown" becomes null

    CHECK(naive.folder == "proj2");                        // Windows paths too

    CHECK(by_uuid.at("c1").machine_name == "Other-PC");  // another machine's row keeps its name
    CHECK(by_uuid.at("d1").machine_name == "laptop");    // the file's own machine name: this machine

    // Strictly read-only: same bytes, same mtime, no -wal/-shm/-journal appeared.
    CHECK(ccu::test::file_fingerprint(file) == fingerprint_before);
    CHECK(ccu::test::dir_listing(file.parent_path()) == listing_before);
}

TEST_CASE("legacy databases are found by name and their machine is read from it", "[legacy]") {
    ccu::test::Sandbox box;
    const fs::path dir = box.claude_dir() / "usage";
    ccu::test::write_origin_db(dir / "usage_history_b.db");
    ccu::test::write_origin_db(dir / "usage_history_a_b.db");
    ccu::write_file_atomically(dir / "machines.db", "x");
    ccu::write_file_atomically(dir / "usage_history_.db", "x");
    const auto found = ccu::ingest::find_legacy_dbs(dir);
    REQUIRE(found.size() == 2);
    CHECK(found[0].filename() == "usage_history_a_b.db");
    CHECK(ccu::ingest::legacy_db_machine(found[0]) == "a_b");
    CHECK(ccu::ingest::find_legacy_dbs(dir / "missing").empty());
}

TEST_CASE("an unreadable legacy file is reported and left alone and never throws", "[legacy]") {
    ccu::test::Sandbox box;
    const fs::path dir = box.claude_dir() / "usage";
    ccu::write_file_atomically(dir / "usage_history_x.db", std::string(2048, 'z'));
    const auto before = ccu::test::file_fingerprint(dir / "usage_history_x.db");
    const auto result = ccu::ingest::read_legacy_db(dir / "usage_history_x.db", "laptop");
    CHECK_FALSE(result.problem.empty());
    CHECK(result.records.empty());
    CHECK(ccu::test::file_fingerprint(dir / "usage_history_x.db") == before);

    {
        SQLite::Database other((dir / "usage_history_y.db").string(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
        other.exec("CREATE TABLE something (x)");
    }
    CHECK(ccu::ingest::read_legacy_db(dir / "usage_history_y.db", "laptop").problem == "no usage_records table");
}

TEST_CASE("a legacy database with a live WAL is read through it without creating files", "[legacy]") {
    ccu::test::Sandbox box;
    const fs::path file = box.claude_dir() / "usage" / "usage_history_My_Laptop.db";
    ccu::test::write_origin_db(file);
    // The origin tool is running: its connection keeps a WAL with a commit not yet checkpointed.
    SQLite::Database writer(file.string(), SQLite::OPEN_READWRITE);
    writer.exec("PRAGMA journal_mode=WAL");
    writer.exec("PRAGMA wal_autocheckpoint=0");
    writer.exec("INSERT INTO usage_records (date, timestamp, session_id, message_uuid, message_type, model, folder, "
                "git_branch, version, input_tokens, output_tokens, cache_creation_tokens, cache_read_tokens, "
                "total_tokens, machine_name) VALUES ('2025-02-01', '2025-02-01T00:00:00+00:00', 's9', 'in-wal', "
                "'assistant', 'claude-sonnet-4-20250514', '/p', 'main', '1.0.80', 1, 2, 3, 4, 10, 'My_Laptop')");
    REQUIRE(fs::exists(file.string() + "-wal"));
    REQUIRE(fs::exists(file.string() + "-shm"));
    const auto listing_before = ccu::test::dir_listing(file.parent_path());

    const auto result = ccu::ingest::read_legacy_db(file, "laptop");
    INFO(result.problem);
    REQUIRE(result.problem.empty());
    CHECK(result.records.size() == 5);
    CHECK(std::any_of(result.records.begin(), result.records.end(),
                      [](const ccu::UsageRecord& r) { return r.message_uuid == "in-wal"; }));
    CHECK(ccu::test::dir_listing(file.parent_path()) == listing_before);
}
