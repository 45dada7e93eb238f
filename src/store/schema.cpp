#include "store/schema.hpp"

#include <SQLiteCpp/SQLiteCpp.h>

#include <iterator>
#include <string>
#include <vector>

#include "ccu/common/error.hpp"
#include "ccu/common/time.hpp"
#include "store/bucket_packs.hpp"
#include "store/buckets.hpp"

namespace ccu::store::detail {
namespace {

// v1: records keyed (session_id, message_uuid), scan cursors, meta. This is the layout of the
// first release; later versions add to it (v8 drops an index and some rows of record_lines).
void migrate_to_v1(SQLite::Database& db) {
    db.exec(R"sql(
        CREATE TABLE records (
            id                    INTEGER PRIMARY KEY,
            session_id            TEXT NOT NULL,
            message_uuid          TEXT NOT NULL,
            timestamp             TEXT NOT NULL,
            model                 TEXT NOT NULL,
            input_tokens          INTEGER NOT NULL,
            output_tokens         INTEGER NOT NULL,
            cache_creation_tokens INTEGER NOT NULL,
            cache_read_tokens     INTEGER NOT NULL,
            total_tokens          INTEGER NOT NULL,
            folder                TEXT NOT NULL,
            git_branch            TEXT,
            version               TEXT,
            message_id            TEXT,
            request_id            TEXT,
            cost_usd              REAL,
            machine_name          TEXT NOT NULL,
            sequence              INTEGER NOT NULL,
            UNIQUE (session_id, message_uuid)
        );
        CREATE INDEX records_machine_sequence ON records (machine_name, sequence);
        CREATE TABLE scan_cursors (
            path             TEXT PRIMARY KEY,
            device           INTEGER NOT NULL,
            inode            INTEGER NOT NULL,
            size             INTEGER NOT NULL,
            mtime_ns         INTEGER NOT NULL,
            offset           INTEGER NOT NULL,
            head_fingerprint INTEGER NOT NULL
        );
        CREATE TABLE meta (
            key   TEXT PRIMARY KEY,
            value TEXT NOT NULL
        );
    )sql");
}

// v2: an integer time column for range queries (reports), the (message_id, request_id) lookup
// index, and a sequence counter that never goes back even if the newest record is renamed.
void migrate_to_v2(SQLite::Database& db) {
    db.exec(R"sql(
        ALTER TABLE records ADD COLUMN timestamp_ms INTEGER NOT NULL DEFAULT 0;
        CREATE TABLE sequence_counter (
            id    INTEGER PRIMARY KEY CHECK (id = 1),
            value INTEGER NOT NULL
        );
        INSERT INTO sequence_counter (id, value) SELECT 1, COALESCE(MAX(sequence), 0) FROM records;
    )sql");
    // Backfill the time column with the same parser the rest of ccu uses.
    SQLite::Statement select(db, "SELECT id, timestamp FROM records");
    SQLite::Statement update(db, "UPDATE records SET timestamp_ms = ? WHERE id = ?");
    while (select.executeStep()) {
        const auto ms = timeutil::parse_rfc3339_ms(select.getColumn(1).getString());
        update.bind(1, static_cast<std::int64_t>(ms.value_or(0)));
        update.bind(2, select.getColumn(0).getInt64());
        update.exec();
        update.reset();
    }
    db.exec(R"sql(
        CREATE INDEX records_timestamp ON records (timestamp_ms);
        CREATE INDEX records_message_request ON records (message_id, request_id)
            WHERE message_id IS NOT NULL AND request_id IS NOT NULL;
    )sql");
}

// v3: the 1-hour part of the cache writes, priced differently (0 for records stored before).
void migrate_to_v3(SQLite::Database& db) {
    db.exec("ALTER TABLE records ADD COLUMN cache_creation_1h_tokens INTEGER NOT NULL DEFAULT 0");
}

// v4: every JSONL line uuid of a response, pointing at its record. The origin tool stored one row
// per streamed line; a row whose uuid is any line of a response already held is that response.
// Backfilled with each record's own uuid (the only line known for records stored before).
void migrate_to_v4_record_lines(SQLite::Database& db) {
    db.exec(R"sql(
        CREATE TABLE record_lines (
            session_id TEXT NOT NULL,
            line_uuid  TEXT NOT NULL,
            record_id  INTEGER NOT NULL,
            PRIMARY KEY (session_id, line_uuid)
        ) WITHOUT ROWID;
        CREATE INDEX record_lines_record ON record_lines (record_id);
        INSERT OR IGNORE INTO record_lines (session_id, line_uuid, record_id)
            SELECT session_id, message_uuid, id FROM records;
    )sql");
}

// v8: a record's own uuid leaves record_lines (the records' unique key holds it: the line
// lookups ask it first), and the unused time index goes. Without them a cold dense run is ~12 %
// faster and a 1M-row import ~14 % (bench/README.md, "Own lines out of record_lines").
void migrate_to_v8_further_lines_only(SQLite::Database& db) {
    db.exec(R"sql(
        DROP INDEX IF EXISTS records_timestamp;
        DELETE FROM record_lines WHERE EXISTS (
            SELECT 1 FROM records r WHERE r.session_id = record_lines.session_id
                                      AND r.message_uuid = record_lines.line_uuid);
    )sql");
}

using Migration = void (*)(SQLite::Database&);

// kMigrations[i] takes the schema from version i to version i + 1. The buckets step is
// numbered by one constant (kUsageBucketsVersion): a step inserted before it moves it up.
constexpr Migration kMigrations[] = {migrate_to_v1, migrate_to_v2, migrate_to_v3, migrate_to_v4_record_lines,
                                       migrate_add_usage_buckets, migrate_add_report_tables,
                                       migrate_add_bucket_packs, migrate_to_v8_further_lines_only};
static_assert(std::size(kMigrations) == kCurrentSchemaVersion, "one migration per schema version");
static_assert(kUsageBucketsVersion + 3 == kCurrentSchemaVersion,
              "the report tables, the packs, then the further-lines step follow the buckets");

}  // namespace

int read_schema_version(SQLite::Database& db) {
    return db.execAndGet("PRAGMA user_version").getInt();
}

void migrate(SQLite::Database& db, const std::filesystem::path& file) {
    int version = read_schema_version(db);
    if (version > kCurrentSchemaVersion) {
        throw Error(ErrorKind::Unexpected,
                    "the store " + file.string() + " has schema version " + std::to_string(version) +
                        ", newer than this ccu understands (" + std::to_string(kCurrentSchemaVersion) + ")",
                    "upgrade ccu on this machine; the file was written by a newer version");
    }
    if (version == kCurrentSchemaVersion) return;
    // Every step in one transaction: a brand-new store's steps committed one by one were ~5 ms of
    // a cold run (a journal and two syncs each). Re-read under the write lock: another ccu
    // process may have migrated meanwhile.
    SQLite::Transaction tx(db, SQLite::TransactionBehavior::IMMEDIATE);
    version = read_schema_version(db);
    if (version >= kCurrentSchemaVersion) return;
    for (; version < kCurrentSchemaVersion; ++version) kMigrations[static_cast<std::size_t>(version)](db);
    db.exec("PRAGMA user_version = " + std::to_string(kCurrentSchemaVersion));
    tx.commit();
}

}  // namespace ccu::store::detail
