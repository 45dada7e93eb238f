#include "store/bucket_packs.hpp"

#include <SQLiteCpp/SQLiteCpp.h>

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>

#include "store/buckets.hpp"
#include "store/raw_statement.hpp"

namespace ccu::store::detail {
namespace {

// A pack is UsageBucket values as this build lays them out; a pack of another layout (another
// build of ccu on this machine) is ignored and built again.
// A change to UsageBucket's fields fails these: then renumber the layout (the low bits).
static_assert(std::is_trivially_copyable_v<UsageBucket>, "packs are the bytes of UsageBucket values");
static_assert(sizeof(UsageBucket) == 104 && offsetof(UsageBucket, folder) == 24 &&
                  offsetof(UsageBucket, input_tokens) == 32 && offsetof(UsageBucket, cost) == 64 &&
                  offsetof(UsageBucket, last_ms) == 96,
              "UsageBucket changed: renumber kPackLayout");
constexpr std::int64_t kPackLayout = (static_cast<std::int64_t>(sizeof(UsageBucket)) << 16) | 1;

// The grain's number in bucket_packs.grain (stored: never renumber).
int grain_code(BucketGrain grain) {
    switch (grain) {
        case BucketGrain::Session: return 0;
        case BucketGrain::Project: return 1;
        case BucketGrain::Model: return 2;
        case BucketGrain::WholeSession: return 3;
    }
    return 0;
}

void exec(sqlite3* handle, const char* sql) {
    if (const int rc = sqlite3_exec(handle, sql, nullptr, nullptr, nullptr); rc != SQLITE_OK) {
        throw SQLite::Exception(handle, rc);
    }
}

struct QuarterRange {
    std::int64_t first = INT64_MIN;  // [first, end)
    std::int64_t end = INT64_MAX;
};

QuarterRange quarters_of(const BucketQuery& query) {
    QuarterRange range;
    if (query.since_ms) range.first = *query.since_ms / kQuarterMs;
    if (query.until_ms) range.end = (*query.until_ms + kQuarterMs - 1) / kQuarterMs;
    return range;
}

// The chunks that hold rows of `range`, first and last (inclusive); none for an empty table.
std::optional<std::pair<std::int64_t, std::int64_t>> chunks_of(sqlite3* handle, BucketGrain grain,
                                                               const QuarterRange& range) {
    if (grain == BucketGrain::WholeSession) return std::pair<std::int64_t, std::int64_t>{0, 0};
    // Two subqueries: SQLite answers one min() or max() from the key's b-tree, but scans every
    // row for both in one SELECT.
    const std::string table = bucket_table(grain);
    const Prepared q = prepare(handle, "SELECT (SELECT min(quarter) FROM " + table + "), (SELECT max(quarter) FROM " +
                                           table + ")");
    if (const int rc = sqlite3_step(q.get()); rc != SQLITE_ROW) throw SQLite::Exception(handle, rc);
    if (sqlite3_column_type(q.get(), 0) == SQLITE_NULL) return std::nullopt;
    std::int64_t first = pack_chunk(std::max<std::int64_t>(sqlite3_column_int64(q.get(), 0), range.first));
    std::int64_t last = sqlite3_column_int64(q.get(), 1);
    if (range.end != INT64_MAX) last = std::min<std::int64_t>(last, range.end - 1);
    if (last < range.first || pack_chunk(last) < first) return std::nullopt;
    return std::pair{first, pack_chunk(last)};
}

// Name ids of `machines` (a name with no id selects nothing); empty: every machine.
std::vector<std::int64_t> machine_ids(sqlite3* handle, const std::vector<std::string>& machines) {
    std::vector<std::int64_t> ids;
    const Prepared q = prepare(handle, "SELECT id FROM bucket_names WHERE name = ?");
    for (const std::string& name : machines) {
        sqlite3_bind_text(q.get(), 1, name.data(), static_cast<int>(name.size()), SQLITE_STATIC);
        if (const int rc = sqlite3_step(q.get()); rc == SQLITE_ROW) {
            ids.push_back(sqlite3_column_int64(q.get(), 0));
        } else if (rc != SQLITE_DONE) {
            throw SQLite::Exception(handle, rc);
        }
        sqlite3_reset(q.get());
    }
    return ids;
}

// One read transaction over the packs of one grain, storing the packs it builds while it can.
class PackReader {
public:
    PackReader(sqlite3* handle, BucketGrain grain, PackFill fill, int busy_timeout_ms)
        : handle_(handle),
          grain_(grain),
          busy_timeout_ms_(busy_timeout_ms),
          filling_(fill == PackFill::Store),
          find_(prepare(handle, "SELECT id, layout, length(rows) FROM bucket_packs WHERE grain = ? AND chunk = ?")),
          put_(prepare(handle, "INSERT OR REPLACE INTO bucket_packs (grain, chunk, layout, rows) VALUES (?,?,?,?)")) {}

    // Appends the rows of `chunk`; false when it has no pack of this layout. The blob is read
    // straight into `out`: sqlite3_column_blob first copies a blob that spans pages into a
    // buffer of its own.
    bool append_pack(std::int64_t chunk, std::vector<UsageBucket>& out) {
        sqlite3_stmt* q = find_.get();
        sqlite3_bind_int(q, 1, grain_code(grain_));
        sqlite3_bind_int64(q, 2, chunk);
        const int rc = sqlite3_step(q);
        if (rc != SQLITE_ROW && rc != SQLITE_DONE) throw SQLite::Exception(handle_, rc);
        const std::int64_t id = rc == SQLITE_ROW ? sqlite3_column_int64(q, 0) : 0;
        const auto bytes = static_cast<std::size_t>(rc == SQLITE_ROW ? sqlite3_column_int64(q, 2) : 0);
        const bool usable = rc == SQLITE_ROW && sqlite3_column_int64(q, 1) == kPackLayout &&
                            bytes % sizeof(UsageBucket) == 0;
        sqlite3_reset(q);
        if (!usable || bytes == 0) return usable;
        const int opened = blob_ ? sqlite3_blob_reopen(blob_.get(), id) : open_blob(id);
        if (opened != SQLITE_OK) throw SQLite::Exception(handle_, opened);
        const std::size_t start = out.size();
        out.resize(start + bytes / sizeof(UsageBucket));
        if (const int read = sqlite3_blob_read(blob_.get(), out.data() + start, static_cast<int>(bytes), 0);
            read != SQLITE_OK) {
            throw SQLite::Exception(handle_, read);
        }
        return true;
    }

    // The total size of the packs of chunks [first, last], to reserve `out` once.
    std::size_t pack_rows(std::int64_t first, std::int64_t last) {
        const Prepared q =
            prepare(handle_, "SELECT sum(length(rows)) FROM bucket_packs WHERE grain = ? AND chunk BETWEEN ? AND ?");
        sqlite3_bind_int(q.get(), 1, grain_code(grain_));
        sqlite3_bind_int64(q.get(), 2, first);
        sqlite3_bind_int64(q.get(), 3, last);
        if (const int rc = sqlite3_step(q.get()); rc != SQLITE_ROW) throw SQLite::Exception(handle_, rc);
        return static_cast<std::size_t>(sqlite3_column_int64(q.get(), 0)) / sizeof(UsageBucket);
    }

    // Stores `rows` as the pack of `chunk`, unless this transaction cannot write: another
    // process writes now, or wrote after this transaction's snapshot, or the file is read-only.
    void store_pack(std::int64_t chunk, const UsageBucket* rows, std::size_t count) {
        if (!filling_) return;
        blob_.reset();  // a write to the table may expire an open blob handle
        if (!unwaiting_) {
            sqlite3_busy_timeout(handle_, 0);  // a cache: never wait for it
            unwaiting_ = true;
        }
        sqlite3_stmt* q = put_.get();
        sqlite3_bind_int(q, 1, grain_code(grain_));
        sqlite3_bind_int64(q, 2, chunk);
        sqlite3_bind_int64(q, 3, kPackLayout);
        sqlite3_bind_blob64(q, 4, count > 0 ? static_cast<const void*>(rows) : "", count * sizeof(UsageBucket),
                            SQLITE_STATIC);
        const int rc = sqlite3_step(q);
        sqlite3_reset(q);
        if (rc == SQLITE_DONE) {
            wrote_ = true;
            return;
        }
        if ((rc & 0xff) != SQLITE_BUSY && (rc & 0xff) != SQLITE_READONLY) throw SQLite::Exception(handle_, rc);
        filling_ = false;
    }

    // Ends the transaction: commits what was stored (a commit refused as busy stores nothing).
    void finish() {
        blob_.reset();
        if (wrote_ && sqlite3_exec(handle_, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK) {
            exec(handle_, "ROLLBACK");
        } else if (!wrote_) {
            exec(handle_, "COMMIT");
        }
        restore_busy_timeout();
    }

    void abandon() noexcept {
        blob_.reset();
        sqlite3_exec(handle_, "ROLLBACK", nullptr, nullptr, nullptr);
        restore_busy_timeout();
    }

private:
    int open_blob(std::int64_t id) {
        sqlite3_blob* blob = nullptr;
        const int rc = sqlite3_blob_open(handle_, "main", "bucket_packs", "rows", id, 0, &blob);
        blob_.reset(blob);
        return rc;
    }
    // The connection's own timeout again, also after a store refused as busy: its later writes wait.
    void restore_busy_timeout() noexcept {
        if (unwaiting_) sqlite3_busy_timeout(handle_, busy_timeout_ms_);
        unwaiting_ = false;
    }

    sqlite3* handle_;
    BucketGrain grain_;
    int busy_timeout_ms_;
    bool filling_;
    bool wrote_ = false;
    bool unwaiting_ = false;  // the busy timeout is 0 for the stores
    Prepared find_;
    Prepared put_;
    std::unique_ptr<sqlite3_blob, int (*)(sqlite3_blob*)> blob_{nullptr, &sqlite3_blob_close};
};

// Reads without the connection's mapping while it lives: the touched pages of a mapping count in
// the peak RSS, and a 1M-record year's packs read mapped took a `--instances` report from 67 to
// 111 MB (bench/README.md); a pack is read in one piece, so the page reads cost little.
class UnmappedReads {
public:
    explicit UnmappedReads(sqlite3* handle) : handle_(handle) {
        const Prepared q = prepare(handle, "PRAGMA mmap_size");
        if (sqlite3_step(q.get()) == SQLITE_ROW) mapped_ = sqlite3_column_int64(q.get(), 0);
        if (mapped_ > 0) exec(handle, "PRAGMA mmap_size = 0");
    }
    ~UnmappedReads() {
        if (mapped_ > 0) {
            const std::string again = "PRAGMA mmap_size = " + std::to_string(mapped_);
            sqlite3_exec(handle_, again.c_str(), nullptr, nullptr, nullptr);
        }
    }
    UnmappedReads(const UnmappedReads&) = delete;
    UnmappedReads& operator=(const UnmappedReads&) = delete;

private:
    sqlite3* handle_;
    std::int64_t mapped_ = 0;
};

// Keeps the rows from `start` on that the query selects (the packs hold whole chunks of every machine).
void keep_selected(std::vector<UsageBucket>& out, std::size_t start, const QuarterRange& range,
                   const std::optional<std::vector<std::int64_t>>& machines) {
    const auto dropped = [&](const UsageBucket& b) {
        if (b.quarter < range.first || b.quarter >= range.end) return true;
        return machines && std::find(machines->begin(), machines->end(), b.machine) == machines->end();
    };
    out.erase(std::remove_if(out.begin() + static_cast<std::ptrdiff_t>(start), out.end(), dropped), out.end());
}

}  // namespace

const char* bucket_table(BucketGrain grain) {
    switch (grain) {
        case BucketGrain::Session: return "usage_buckets";
        case BucketGrain::Project: return "usage_rollup";
        case BucketGrain::Model: return "usage_models";
        case BucketGrain::WholeSession: return "usage_sessions";
    }
    return "usage_buckets";
}

void migrate_add_bucket_packs(SQLite::Database& db) {
    // A file taken back to an older version by hand may still hold packs of rows since rebuilt.
    db.exec(R"sql(
        DROP TABLE IF EXISTS bucket_packs;
        CREATE TABLE bucket_packs (
            id     INTEGER PRIMARY KEY,
            grain  INTEGER NOT NULL,
            chunk  INTEGER NOT NULL,
            layout INTEGER NOT NULL,
            rows   BLOB NOT NULL,
            UNIQUE (grain, chunk)
        );
    )sql");
}

void drop_all_packs(SQLite::Database& db) { db.exec("DELETE FROM bucket_packs"); }

void PackDrops::add(BucketGrain grain, std::int64_t quarter) {
    const GrainChunk at{grain_code(grain), grain == BucketGrain::WholeSession ? 0 : pack_chunk(quarter)};
    if (at == last_) return;
    chunks_.insert(at);
    last_ = at;
}

void PackDrops::drop(SQLite::Database& db) const {
    if (chunks_.empty()) return;
    SQLite::Statement drop(db, "DELETE FROM bucket_packs WHERE grain = ? AND chunk = ?");
    for (const auto& [grain, chunk] : chunks_) {
        drop.bind(1, grain);
        drop.bind(2, chunk);
        drop.exec();
        drop.reset();
    }
}

bool read_through_packs(sqlite3* handle, const BucketQuery& query, PackFill fill, int busy_timeout_ms,
                        const TableRead& read_table, std::vector<UsageBucket>& out) {
    const bool ranged = query.since_ms || query.until_ms;
    if (query.session || (query.grain == BucketGrain::WholeSession && ranged) || !sqlite3_get_autocommit(handle)) {
        return false;
    }
    const QuarterRange range = quarters_of(query);
    const UnmappedReads unmapped(handle);
    exec(handle, "BEGIN");  // one snapshot for the bounds, the packs and the rows read
    PackReader reader(handle, query.grain, fill, busy_timeout_ms);
    try {
        std::optional<std::vector<std::int64_t>> machines;
        if (!query.machines.empty()) machines = machine_ids(handle, query.machines);
        if (const auto chunks = chunks_of(handle, query.grain, range)) {
            out.reserve(out.size() + reader.pack_rows(chunks->first, chunks->second));
            for (std::int64_t chunk = chunks->first; chunk <= chunks->second; ++chunk) {
                const std::size_t start = out.size();
                if (!reader.append_pack(chunk, out)) {
                    const bool whole = query.grain == BucketGrain::WholeSession;
                    read_table(whole ? INT64_MIN : chunk << kPackChunkShift,
                               whole ? INT64_MAX : (chunk + 1) << kPackChunkShift, out);
                    reader.store_pack(chunk, out.data() + start, out.size() - start);
                }
                keep_selected(out, start, range, machines);
            }
        }
        reader.finish();
    } catch (...) {
        reader.abandon();
        throw;
    }
    return true;
}

}  // namespace ccu::store::detail
