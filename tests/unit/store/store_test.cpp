#include <SQLiteCpp/SQLiteCpp.h>
#include <catch2/catch.hpp>
#include <sys/stat.h>

#include <fstream>

#include "ccu/common/error.hpp"
#include "ccu/common/time.hpp"
#include "ccu/store/store.hpp"
#include "store_test_util.hpp"
#include "support/sandbox.hpp"
#include "support/costs.hpp"

namespace fs = std::filesystem;
using ccu::store::OpenMode;
using ccu::store::Store;
using ccu::test::make_record;
using ccu::test::with_ids;

namespace {

unsigned mode_of(const fs::path& p) {
    struct stat st {};
    REQUIRE(::stat(p.c_str(), &st) == 0);
    return st.st_mode & 0777;
}

// The v1 layout exactly as the first release wrote it (frozen here on purpose).
void build_v1_store(const fs::path& file) {
    SQLite::Database db(file.string(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    db.exec(R"sql(
        CREATE TABLE records (id INTEGER PRIMARY KEY, session_id TEXT NOT NULL, message_uuid TEXT NOT NULL,
            timestamp TEXT NOT NULL, model TEXT NOT NULL, input_tokens INTEGER NOT NULL,
            output_tokens INTEGER NOT NULL, cache_creation_tokens INTEGER NOT NULL,
            cache_read_tokens INTEGER NOT NULL, total_tokens INTEGER NOT NULL, folder TEXT NOT NULL,
            git_branch TEXT, version TEXT, message_id TEXT, request_id TEXT, cost_usd REAL,
            machine_name TEXT NOT NULL, sequence INTEGER NOT NULL, UNIQUE (session_id, message_uuid));
        CREATE INDEX records_machine_sequence ON records (machine_name, sequence);
        CREATE TABLE scan_cursors (path TEXT PRIMARY KEY, device INTEGER NOT NULL, inode INTEGER NOT NULL,
            size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL, offset INTEGER NOT NULL,
            head_fingerprint INTEGER NOT NULL);
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        INSERT INTO records VALUES (1, 's1', 'u1', '2025-01-02T03:04:05.000Z', 'm', 1, 2, 3, 4, 10, 'p',
            NULL, NULL, 'msg1', 'req1', NULL, 'laptop', 7);
        INSERT INTO records VALUES (2, 's1', 'u2', '2025-03-01T00:00:00.000Z', 'm', 1, 1, 1, 1, 4, 'p',
            'main', '1.0', NULL, NULL, 0.5, 'laptop', 9);
        INSERT INTO meta VALUES ('last_push_sequence', '7');
        PRAGMA user_version = 1;
    )sql");
}

}  // namespace

namespace {

std::string journal_mode_of(const fs::path& file) {
    SQLite::Database raw(file.string(), SQLite::OPEN_READONLY);
    return raw.execAndGet("PRAGMA journal_mode").getString();
}

}  // namespace

TEST_CASE("a new store is filled by its first write with the rollback journal and is in WAL mode after it",
          "[store]") {
    ccu::test::Sandbox box;
    const fs::path file = box.data_dir() / "ccu.db";
    Store store(file, OpenMode::ReadWrite, ccu::test::embedded_costs());
    CHECK(journal_mode_of(file) == "delete");
    CHECK(store.upsert({make_record("s", "u", 5)}).inserted == 1);
    CHECK(journal_mode_of(file) == "wal");
    CHECK_FALSE(fs::exists(file.string() + "-journal"));
    CHECK(store.upsert({make_record("s", "u2", 5)}).inserted == 1);  // later writes go through the WAL
    CHECK(fs::exists(file.string() + "-wal"));
    CHECK(store.count() == 2);
}

TEST_CASE("a new store filled by a batch write (first pull, origin import) is in WAL mode after its commit",
          "[store]") {
    ccu::test::Sandbox box;
    const fs::path file = box.data_dir() / "ccu.db";
    Store store(file, OpenMode::ReadWrite, ccu::test::embedded_costs());
    CHECK(journal_mode_of(file) == "delete");
    {
        ccu::store::BatchWrite batch = store.begin_batches();
        CHECK(batch.add({make_record("s", "u", 5)}, {}).inserted == 1);
        CHECK(batch.add({make_record("s", "u2", 5)}, {}).inserted == 1);
        batch.commit();
    }
    CHECK(journal_mode_of(file) == "wal");
    CHECK_FALSE(fs::exists(file.string() + "-journal"));
    CHECK(store.count() == 2);
}

TEST_CASE("a store another process is still filling with the rollback journal opens without waiting for it",
          "[store]") {
    ccu::test::Sandbox box;
    const fs::path file = box.data_dir() / "ccu.db";
    { Store created(file, OpenMode::ReadWrite, ccu::test::embedded_costs()); }  // closed before its first write
    SQLite::Database first(file.string(), SQLite::OPEN_READWRITE);
    first.exec("BEGIN IMMEDIATE");
    first.exec("INSERT INTO meta (key, value) VALUES ('first', 'writer')");
    Store second(file, OpenMode::ReadWrite, std::chrono::milliseconds(50), ccu::test::embedded_costs());
    CHECK(second.get_meta("first") == std::nullopt);  // the first write is not committed yet
    first.exec("COMMIT");
    first.exec("PRAGMA journal_mode = WAL");
    CHECK(second.get_meta("first") == "writer");
    CHECK(second.upsert({make_record("s", "u", 5)}).inserted == 1);
    CHECK(journal_mode_of(file) == "wal");
    CHECK(fs::exists(file.string() + "-wal"));
}

TEST_CASE("a new store is created private at the current schema and a reopened one is in WAL mode", "[store]") {
    ccu::test::Sandbox box;
    const fs::path file = box.data_dir() / "nested" / "ccu.db";
    {
        Store store(file, OpenMode::ReadWrite, ccu::test::embedded_costs());
        CHECK(store.schema_version() == 8);
        CHECK(store.count() == 0);
        CHECK(store.max_sequence() == 0);
    }
    {
        Store again(file, OpenMode::ReadWrite, ccu::test::embedded_costs());  // closed before any write
        CHECK(again.count() == 0);
    }
    CHECK(mode_of(file.parent_path()) == 0700);
    CHECK(mode_of(file) == 0600);
    SQLite::Database raw(file.string(), SQLite::OPEN_READONLY);
    CHECK(raw.execAndGet("PRAGMA journal_mode").getString() == "wal");
    CHECK(raw.execAndGet("SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name IN "
                         "('records_machine_sequence', 'records_message_request', 'record_lines_record')")
              .getInt() == 3);
    CHECK(raw.execAndGet("SELECT COUNT(*) FROM sqlite_master WHERE name = 'records_timestamp'").getInt() == 0);
}

TEST_CASE("a hand-built v1 store is migrated to v2 keeping records and sequences and meta", "[store][migration]") {
    ccu::test::Sandbox box;
    fs::create_directories(box.data_dir());
    const fs::path file = box.data_dir() / "ccu.db";
    build_v1_store(file);

    Store store(file, OpenMode::ReadWrite, ccu::test::embedded_costs());
    CHECK(store.schema_version() == 8);
    CHECK(store.count() == 2);
    CHECK(store.max_sequence() == 9);  // the counter starts after the highest v1 sequence
    CHECK(store.get_meta("last_push_sequence") == "7");
    // timestamp_ms was backfilled: a time-range query finds only the March record.
    const auto march = store.query({std::nullopt, ccu::timeutil::parse_rfc3339_ms("2025-02-01T00:00:00Z"),
                                    std::nullopt});
    REQUIRE(march.size() == 1);
    CHECK(march[0].message_uuid == "u2");
    CHECK(march[0].cost_usd == Approx(0.5));
    // The migrated (message_id, request_id) index serves the upsert rule.
    auto again = with_ids(make_record("other-session", "other-uuid", 500), "msg1", "req1");
    const auto stats = store.upsert({again});
    CHECK(stats.updated == 1);
    CHECK(store.count() == 2);
    CHECK(store.changed_since("laptop", 9).at(0).message_uuid == "u1");
    CHECK(store.max_sequence() == 10);
}

TEST_CASE("a store from a newer ccu is refused with a hint", "[store][migration]") {
    ccu::test::Sandbox box;
    fs::create_directories(box.data_dir());
    const fs::path file = box.data_dir() / "ccu.db";
    {
        SQLite::Database db(file.string(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
        db.exec("PRAGMA user_version = 99");
    }
    try {
        Store store(file, OpenMode::ReadWrite, ccu::test::embedded_costs());
        FAIL("expected an error");
    } catch (const ccu::Error& e) {
        CHECK(std::string(e.what()).find(file.string()) != std::string::npos);
        CHECK(e.hint().find("upgrade ccu") != std::string::npos);
    }
}

TEST_CASE("same identity - the larger total wins and a smaller or equal one changes nothing", "[store][upsert]") {
    ccu::test::Sandbox box;
    Store store(box.data_dir() / "ccu.db", OpenMode::ReadWrite, ccu::test::embedded_costs());
    CHECK(store.upsert({make_record("s", "u", 5)}).inserted == 1);
    const auto seq_after_insert = store.max_sequence();

    auto smaller = store.upsert({make_record("s", "u", 3)});
    CHECK(smaller.unchanged == 1);
    CHECK(store.upsert({make_record("s", "u", 5)}).unchanged == 1);
    CHECK(store.max_sequence() == seq_after_insert);  // no stamp without a change

    auto larger = make_record("s", "u", 50);
    larger.cost_usd = 1.25;
    larger.cache_creation_1h_tokens = 60;  // of make_record's 100 cache-write tokens
    CHECK(store.upsert({larger}).updated == 1);
    const auto all = store.query({});
    REQUIRE(all.size() == 1);
    CHECK(all[0].output_tokens == 50);
    CHECK(all[0].cost_usd == Approx(1.25));
    CHECK(all[0].cache_creation_1h_tokens == 60);  // the 1h part is stored with the counts
    CHECK(store.max_sequence() == seq_after_insert + 1);
}

TEST_CASE("same message and request id is the same response and its uuid never changes", "[store][upsert]") {
    ccu::test::Sandbox box;
    Store store(box.data_dir() / "ccu.db", OpenMode::ReadWrite, ccu::test::embedded_costs());
    store.upsert({with_ids(make_record("s", "first-uuid", 5), "msg_1", "req_1")});

    // Another line of the same response, a different uuid, a larger total: counts update.
    const auto larger = store.upsert({with_ids(make_record("s", "second-uuid", 80), "msg_1", "req_1")});
    CHECK(larger.updated == 1);
    // Smaller total via the response ids: unchanged.
    const auto smaller = store.upsert({with_ids(make_record("s", "third-uuid", 1), "msg_1", "req_1")});
    CHECK(smaller.unchanged == 1);
    // Only one of the two ids: not the same response.
    auto half = make_record("s", "fourth-uuid", 1);
    half.message_id = "msg_1";
    CHECK(store.upsert({half}).inserted == 1);

    const auto all = store.query({});
    REQUIRE(all.size() == 2);
    const auto& kept = all[0].message_uuid == "first-uuid" ? all[0] : all[1];
    CHECK(kept.message_uuid == "first-uuid");
    CHECK(kept.output_tokens == 80);

    // A record first stored without ids (legacy) learns them, so a later copy matches.
    store.upsert({make_record("s2", "legacy-uuid", 5)});
    CHECK(store.upsert({with_ids(make_record("s2", "legacy-uuid", 5), "msg_2", "req_2")}).unchanged == 1);
    CHECK(store.upsert({with_ids(make_record("s9", "remote-uuid", 9), "msg_2", "req_2")}).updated == 1);
    CHECK(store.count() == 3);
}

TEST_CASE("sequences strictly increase and changed_since returns exactly what changed", "[store][sequence]") {
    ccu::test::Sandbox box;
    Store store(box.data_dir() / "ccu.db", OpenMode::ReadWrite, ccu::test::embedded_costs());
    std::vector<ccu::UsageRecord> batch;
    for (int i = 0; i < 20; ++i) batch.push_back(make_record("s", "u" + std::to_string(i), 5, i));
    batch.push_back(make_record("s", "other-machine", 5, 500, "desktop"));
    CHECK(store.upsert(batch).inserted == 21);
    const auto pushed = store.max_sequence();
    CHECK(pushed == 21);
    CHECK(store.changed_since("laptop", 0).size() == 20);
    CHECK(store.changed_since("laptop", pushed).empty());

    // Update two, insert one, leave the rest: exactly three come back, sorted by time.
    store.upsert({make_record("s", "u7", 99, 7), make_record("s", "u3", 99, 3), make_record("s", "u1", 1, 1),
                  make_record("s", "new", 5, 999)});
    CHECK(store.max_sequence() == pushed + 3);
    const auto changed = store.changed_since("laptop", pushed);
    REQUIRE(changed.size() == 3);
    CHECK(changed[0].message_uuid == "u3");
    CHECK(changed[1].message_uuid == "u7");
    CHECK(changed[2].message_uuid == "new");
    CHECK(store.changed_since("desktop", pushed).empty());
}

TEST_CASE("query filters by machine and time and sorts by timestamp then session then uuid", "[store]") {
    ccu::test::Sandbox box;
    Store store(box.data_dir() / "ccu.db", OpenMode::ReadWrite, ccu::test::embedded_costs());
    store.upsert({make_record("b", "u", 1, 5), make_record("a", "z", 1, 5), make_record("a", "y", 1, 5),
                  make_record("c", "u", 1, 1, "desktop")});
    const auto all = store.query({});
    REQUIRE(all.size() == 4);
    CHECK(all[0].session_id == "c");
    CHECK(all[1].message_uuid == "y");
    CHECK(all[2].message_uuid == "z");
    CHECK(all[3].session_id == "b");
    CHECK(store.query({std::string("desktop"), std::nullopt, std::nullopt}).size() == 1);
    const auto t5 = ccu::timeutil::parse_rfc3339_ms("2025-01-02T03:04:05.005Z");
    CHECK(store.query({std::nullopt, t5, std::nullopt}).size() == 3);
    CHECK(store.query({std::nullopt, std::nullopt, t5}).size() == 1);
    CHECK(store.count(std::string("laptop")) == 3);
}

TEST_CASE("read-only mode refuses writes and never creates a store", "[store][readonly]") {
    ccu::test::Sandbox box;
    const fs::path file = box.data_dir() / "ccu.db";
    CHECK_THROWS_AS(Store(file, OpenMode::ReadOnly, ccu::test::embedded_costs()), ccu::Error);
    CHECK_FALSE(fs::exists(file));

    { Store(file, OpenMode::ReadWrite, ccu::test::embedded_costs()).upsert({make_record("s", "u", 5)}); }
    Store ro(file, OpenMode::ReadOnly, ccu::test::embedded_costs());
    CHECK(ro.count() == 1);
    CHECK_THROWS_AS(ro.upsert({make_record("s", "v", 5)}), ccu::Error);
    CHECK_THROWS_AS(ro.set_meta("k", "v"), ccu::Error);
    CHECK_THROWS_AS(ro.rename_machine("laptop", "x"), ccu::Error);
    CHECK_THROWS_AS(ro.apply_scan(ccu::test::ScanInput{}.write()), ccu::Error);
    CHECK(ro.count() == 1);
    CHECK_FALSE(ro.get_meta("k"));
}

TEST_CASE("scan cursors round-trip and vanished files lose their cursor but not their records", "[store][cursors]") {
    ccu::test::Sandbox box;
    Store store(box.data_dir() / "ccu.db", OpenMode::ReadWrite, ccu::test::embedded_costs());
    ccu::test::ScanInput first;
    ccu::FileCursor a{"/p/a.jsonl", 1, 2, 300, 1234567890123456789LL, 250, 0xfedcba9876543210ULL};
    ccu::FileCursor b{"/p/b.jsonl", 1, 3, 10, 5, 10, 42};
    first.cursors = {{a.path, a}, {b.path, b}};
    first.records = {make_record("s", "from-a", 5)};
    CHECK(store.apply_scan(first.write()).inserted == 1);
    const auto loaded = store.load_cursors();
    REQUIRE(loaded.size() == 2);
    CHECK(loaded.at(a.path) == a);  // including the full 64-bit fingerprint
    CHECK(loaded.at(b.path) == b);

    ccu::test::ScanInput second;
    b.offset = 10;
    b.size = 20;
    second.cursors = {{b.path, b}};
    second.vanished = {a.path};
    store.apply_scan(second.write());
    const auto after = store.load_cursors();
    REQUIRE(after.size() == 1);
    CHECK(after.at(b.path).size == 20);
    CHECK(store.count() == 1);  // records outlive Claude Code's cleanup
}

TEST_CASE("rename_machine moves a machine's records and keeps others", "[store]") {
    ccu::test::Sandbox box;
    Store store(box.data_dir() / "ccu.db", OpenMode::ReadWrite, ccu::test::embedded_costs());
    store.upsert({make_record("s", "1", 5, 1, "old-name"), make_record("s", "2", 5, 2, "desktop")});
    store.rename_machine("old-name", "new-name");
    CHECK(store.count(std::string("old-name")) == 0);
    CHECK(store.count(std::string("new-name")) == 1);
    CHECK(store.count(std::string("desktop")) == 1);
    CHECK(store.changed_since("new-name", 0).at(0).message_uuid == "1");
}

TEST_CASE("meta values round-trip and overwrite", "[store]") {
    ccu::test::Sandbox box;
    Store store(box.data_dir() / "ccu.db", OpenMode::ReadWrite, ccu::test::embedded_costs());
    CHECK_FALSE(store.get_meta("etag"));
    store.set_meta("etag", "W/\"1\"");
    store.set_meta("etag", "W/\"2\"");
    CHECK(store.get_meta("etag") == "W/\"2\"");
}

TEST_CASE("a file that is not a database gives an error naming it and what to do", "[store]") {
    ccu::test::Sandbox box;
    fs::create_directories(box.data_dir());
    const fs::path file = box.data_dir() / "ccu.db";
    std::ofstream(file) << std::string(4096, 'x');
    try {
        Store store(file, OpenMode::ReadWrite, ccu::test::embedded_costs());
        FAIL("expected an error");
    } catch (const ccu::Error& e) {
        CHECK(std::string(e.what()).find(file.string()) != std::string::npos);
        CHECK(e.hint().find("move it aside") != std::string::npos);
    }
}

TEST_CASE("a later scan's sidechain replay of a stored message id is not a new record", "[store][upsert]") {
    ccu::test::Sandbox box;
    Store store(box.data_dir() / "ccu.db", OpenMode::ReadWrite, ccu::test::embedded_costs());
    ccu::test::ScanInput first;
    first.records = {with_ids(make_record("main", "m-uuid", 5), "msg_1", "req_1")};
    first.sidechain = {0};
    CHECK(store.apply_scan(first.write()).inserted == 1);

    ccu::test::ScanInput replay;
    replay.records = {with_ids(make_record("agent", "replay-uuid", 500), "msg_1", "req_other"),
                      with_ids(make_record("main", "next-uuid", 5), "msg_1", "req_2")};
    replay.sidechain = {1, 0};
    const auto stats = store.apply_scan(replay.write());
    CHECK(stats.unchanged == 1);  // the sidechain replay
    CHECK(stats.inserted == 1);   // a main-session line with another requestId is its own response
    CHECK(store.count() == 2);
    CHECK(store.query({}).at(0).output_tokens == 5);
}

TEST_CASE("a write blocked by another process's transaction is a Locked error with a hint", "[store]") {
    ccu::test::Sandbox box;
    const fs::path file = box.data_dir() / "ccu.db";
    Store store(file, OpenMode::ReadWrite, std::chrono::milliseconds(50), ccu::test::embedded_costs());
    {
        SQLite::Database other(file.string(), SQLite::OPEN_READWRITE);
        SQLite::Transaction held(other, SQLite::TransactionBehavior::IMMEDIATE);  // rolled back at scope end
        try {
            store.upsert({make_record("s", "u", 5)});
            FAIL("expected an error");
        } catch (const ccu::Error& e) {
            CHECK(e.kind() == ccu::ErrorKind::Locked);
            CHECK(std::string(e.what()).find(file.string()) != std::string::npos);
            CHECK(e.hint().find("another ccu process") != std::string::npos);
        }
    }
    CHECK(store.upsert({make_record("s", "u", 5)}).inserted == 1);
}

TEST_CASE("a v3 store is migrated with every record's own uuid a line of it", "[store][migration]") {
    ccu::test::Sandbox box;
    fs::create_directories(box.data_dir());
    const fs::path file = box.data_dir() / "ccu.db";
    {
        Store store(file, OpenMode::ReadWrite, ccu::test::embedded_costs());
        store.upsert({make_record("s1", "u1", 100), make_record("s1", "u2", 200)});
    }
    {
        // Back to the v3 layout: v4 added the record_lines table, v5 the usage buckets.
        SQLite::Database db(file.string(), SQLite::OPEN_READWRITE);
        db.exec("DROP TABLE record_lines; DROP TABLE usage_buckets; DROP TABLE usage_rollup; DROP TABLE usage_models; "
                "DROP TABLE usage_sessions; DROP TABLE bucket_names; "
                "ALTER TABLE records DROP COLUMN cost; ALTER TABLE records DROP COLUMN unpriced; "
                "ALTER TABLE records DROP COLUMN project; DELETE FROM meta WHERE key = 'buckets.pricing'; "
                "PRAGMA user_version = 3;");
    }
    Store store(file, OpenMode::ReadWrite, ccu::test::embedded_costs());
    CHECK(store.schema_version() == 8);
    {
        // v4 backfilled the own uuids into record_lines, v8 took them out again: the records'
        // key holds them.
        SQLite::Database db(file.string(), SQLite::OPEN_READONLY);
        CHECK(db.execAndGet("SELECT COUNT(*) FROM record_lines").getInt() == 0);
    }
    // A row of another uuid naming u1 as one of its lines is that stored response.
    const auto stats = store.upsert({make_record("s1", "u9", 50)}, {{ccu::LineRef{"s1", "u1"}}});
    CHECK(stats.unchanged == 1);
    CHECK(stats.inserted == 0);
    CHECK(store.count() == 2);
}
