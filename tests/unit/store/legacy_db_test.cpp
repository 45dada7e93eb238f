#include <SQLiteCpp/SQLiteCpp.h>
#include <catch2/catch.hpp>
#include <sys/stat.h>

#include <algorithm>
#include <fstream>
#include <random>
#include <set>
#include <stdexcept>
#include <thread>

#include "ccu/common/atomic_file.hpp"
#include "ccu/ingest/legacy_db.hpp"
#include "ccu/store/store.hpp"
#include "legacy_fixture.hpp"
#include "store_test_util.hpp"
#include "support/costs.hpp"
#include "support/sandbox.hpp"

namespace fs = std::filesystem;
using ccu::store::OpenMode;
using ccu::store::Store;
using ccu::store::UpsertStats;

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

namespace {

// prefix + n, without `"literal" + std::to_string()` (a false -Wstringop-overflow of GCC 12 at -O3).
std::string numbered(const char* prefix, int n) {
    std::string out(prefix);
    out += std::to_string(n);
    return out;
}

// An origin database of `responses` streamed responses (1 to 3 lines each, some with a copy
// under a resumed session), inserted in shuffled order so that row ids do not follow time.
void write_large_origin_db(const fs::path& file, int responses) {
    ccu::test::write_origin_db(file);
    SQLite::Database db(file.string(), SQLite::OPEN_READWRITE);
    struct Row {
        std::string ts, session, uuid;
        int out;
    };
    std::vector<Row> rows;
    std::mt19937 rng(7);
    for (int i = 0; i < responses; ++i) {
        const int minute = i * 3 + static_cast<int>(rng() % 3);
        const int lines = 1 + static_cast<int>(rng() % 3);
        for (int l = 0; l < lines; ++l) {
            char ts[64];
            std::snprintf(ts, sizeof ts, "2025-03-%02dT%02d:%02d:%02d.%06d+00:00", 1 + minute / 1440,
                          minute / 60 % 24, minute % 60, l, static_cast<int>(rng() % 1000000));
            rows.push_back({ts, numbered("big", i % 7), numbered("r", i * 10 + l), 10 * (l + 1)});
        }
        if (rng() % 5 == 0) rows.push_back({rows.back().ts, numbered("resumed", i), numbered("copy", i), rows.back().out});
    }
    std::shuffle(rows.begin(), rows.end(), rng);
    SQLite::Transaction tx(db);
    SQLite::Statement insert(db, "INSERT INTO usage_records (date, timestamp, session_id, message_uuid, message_type, "
                                 "model, folder, git_branch, version, input_tokens, output_tokens, "
                                 "cache_creation_tokens, cache_read_tokens, total_tokens, machine_name) VALUES "
                                 "('2025-03-01', ?, ?, ?, 'assistant', 'claude-sonnet-4-20250514', '/home/u/big', "
                                 "'main', '1.0.80', 7, ?, 100, 2000, 0, 'My_Laptop')");
    for (const Row& r : rows) {
        insert.bind(1, r.ts);
        insert.bind(2, r.session);
        insert.bind(3, r.uuid);
        insert.bind(4, r.out);
        insert.exec();
        insert.reset();
    }
    tx.commit();
}

struct Batches {
    std::vector<std::size_t> sizes;
    std::vector<ccu::UsageRecord> records;
    std::vector<ccu::LineUuids> lines;
};

}  // namespace

TEST_CASE("a legacy database larger than one batch is handed on in batches that add up to the one-batch read",
          "[legacy][stream]") {
    ccu::test::Sandbox box;
    const fs::path file = box.claude_dir() / "usage" / "usage_history_My_Laptop.db";
    write_large_origin_db(file, 400);

    const auto whole = ccu::ingest::read_legacy_db(file, "laptop");
    REQUIRE(whole.problem.empty());
    REQUIRE(whole.records.size() > 400);  // the fixture's own records too

    Batches got;
    const auto streamed = ccu::ingest::read_legacy_db(
        file, "laptop",
        [&](const std::vector<ccu::UsageRecord>& records, const std::vector<ccu::LineUuids>& lines) {
            got.sizes.push_back(records.size());
            got.records.insert(got.records.end(), records.begin(), records.end());
            got.lines.insert(got.lines.end(), lines.begin(), lines.end());
        },
        16);
    REQUIRE(streamed.problem.empty());
    CHECK(got.sizes.size() > 10);
    CHECK(*std::max_element(got.sizes.begin(), got.sizes.end()) < 16 + 16);
    CHECK(streamed.records.empty());
    CHECK(streamed.record_count == whole.records.size());
    CHECK(got.records == whole.records);
    CHECK(got.lines == whole.lines);
    CHECK(streamed.rows == whole.rows);
    CHECK(streamed.merged == whole.merged);
    CHECK(streamed.skipped == whole.skipped);
    // Time order whatever the row ids: records come sorted by timestamp.
    CHECK(std::is_sorted(got.records.begin(), got.records.end(),
                         [](const ccu::UsageRecord& a, const ccu::UsageRecord& b) { return a.timestamp < b.timestamp; }));
}

TEST_CASE("a streamed legacy read hands every batch to the calling thread", "[legacy][stream]") {
    ccu::test::Sandbox box;
    const fs::path file = box.claude_dir() / "usage" / "usage_history_My_Laptop.db";
    write_large_origin_db(file, 400);
    std::set<std::thread::id> threads;
    std::size_t batches = 0;
    const auto read = ccu::ingest::read_legacy_db(
        file, "laptop",
        [&](const std::vector<ccu::UsageRecord>&, const std::vector<ccu::LineUuids>&) {
            threads.insert(std::this_thread::get_id());
            ++batches;
        },
        16);
    REQUIRE(read.problem.empty());
    CHECK(batches > 10);
    CHECK(threads == std::set<std::thread::id>{std::this_thread::get_id()});
}

TEST_CASE("an exception thrown by a legacy batch stops the read and reaches the caller", "[legacy][stream]") {
    ccu::test::Sandbox box;
    const fs::path file = box.claude_dir() / "usage" / "usage_history_My_Laptop.db";
    write_large_origin_db(file, 400);
    std::size_t batches = 0;
    const auto read = [&] {
        ccu::ingest::read_legacy_db(
            file, "laptop",
            [&](const std::vector<ccu::UsageRecord>&, const std::vector<ccu::LineUuids>&) {
                if (++batches == 2) throw std::runtime_error("store full");
            },
            16);
    };
    CHECK_THROWS_WITH(read(), "store full");
    CHECK(batches == 2);  // no batch after the failed one
    // The reading thread has let go of the file: a second read sees every record.
    CHECK(ccu::ingest::read_legacy_db(file, "laptop").records.size() > 400);
}

TEST_CASE("a legacy database imported batch by batch in one transaction gives the store of a one-batch import",
          "[legacy][stream][store]") {
    ccu::test::Sandbox box;
    const fs::path file = box.claude_dir() / "usage" / "usage_history_My_Laptop.db";
    write_large_origin_db(file, 400);
    const auto whole = ccu::ingest::read_legacy_db(file, "laptop");
    REQUIRE(whole.problem.empty());

    Store one(box.data_dir() / "one.db", OpenMode::ReadWrite, ccu::test::embedded_costs());
    const UpsertStats one_stats = one.upsert(whole.records, whole.lines);

    Store batched(box.data_dir() / "batched.db", OpenMode::ReadWrite, ccu::test::embedded_costs());
    UpsertStats batched_stats;
    {
        ccu::store::BatchWrite write = batched.begin_batches();
        const auto read = ccu::ingest::read_legacy_db(
            file, "laptop",
            [&](const std::vector<ccu::UsageRecord>& records, const std::vector<ccu::LineUuids>& lines) {
                const UpsertStats s = write.add(records, lines);
                batched_stats.inserted += s.inserted;
                batched_stats.updated += s.updated;
                batched_stats.unchanged += s.unchanged;
            },
            16);
        REQUIRE(read.problem.empty());
        write.commit();
    }
    CHECK(batched_stats.inserted == one_stats.inserted);
    CHECK(batched_stats.inserted == whole.records.size());
    CHECK(batched.query({}) == one.query({}));
    CHECK(batched.max_sequence() == one.max_sequence());
    CHECK(ccu::test::bucket_rows(batched) == ccu::test::bucket_rows(one));
    // A second import of the same file finds every record: nothing new, nothing changed.
    CHECK(batched.upsert(whole.records, whole.lines).unchanged == whole.records.size());
    CHECK(batched.query({}) == one.query({}));
}
