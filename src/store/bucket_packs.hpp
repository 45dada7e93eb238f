#pragma once
// Bucket packs: the rows of a bucket table (store/buckets.hpp) for one chunk of 1024 quarter
// hours (10.7 days), kept as one BLOB of UsageBucket values in table bucket_packs, so that a
// report reads a year of buckets as ~35 blobs instead of ~10^5 rows of 15 columns (SQLite's
// row loop was ~70 % of a warm report's instructions, bench/README.md). A pack is a cache:
// every write to a bucket table drops the packs of the chunks it touches in the same
// transaction, and a report that finds a chunk without a pack reads the table's rows and, in
// the same read transaction, stores them as its pack (only when no other write came between:
// SQLite refuses to upgrade a stale snapshot). The whole-session table (no time order) is one
// pack, chunk 0.
#include <sqlite3.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <utility>
#include <vector>

#include "ccu/store/store.hpp"

namespace SQLite {
class Database;
}

namespace ccu::store::detail {

inline constexpr int kPackChunkShift = 10;  // 1024 quarter hours a chunk

// Floor division: a quarter before 1970 (negative) falls in a negative chunk.
constexpr std::int64_t pack_chunk(std::int64_t quarter) { return quarter >> kPackChunkShift; }

// v7: the table bucket_packs.
void migrate_add_bucket_packs(SQLite::Database& db);

// Drops every pack (a write that touches buckets of unknown chunks: rebuild, reprice, bulk load).
void drop_all_packs(SQLite::Database& db);

// The packs one flush of BucketChanges invalidates.
class PackDrops {
public:
    // Called for every bucket of a flush, in key order: a chunk like the last one added is skipped
    // before the set is searched (a 1M import adds 1.36M buckets in ~140 chunks).
    void add(BucketGrain grain, std::int64_t quarter);
    void drop(SQLite::Database& db) const;

private:
    using GrainChunk = std::pair<int, std::int64_t>;
    std::set<GrainChunk> chunks_;
    std::optional<GrainChunk> last_;
};

// Whether a read may store the packs it had to build.
enum class PackFill { Store, ReadOnly };

// The table that holds a grain's buckets.
const char* bucket_table(BucketGrain grain);

// Reads the rows of the query's table with quarters in [first, end), of every machine, and
// appends them to `out` in the order Store::buckets returns them.
using TableRead = std::function<void(std::int64_t first, std::int64_t end, std::vector<UsageBucket>& out)>;

// Store::buckets through the packs: appends the rows `query` selects to `out` and returns true,
// or returns false (nothing appended) when the query is one packs do not serve (one session's
// buckets, a time range on the whole-session table, a connection inside a transaction).
bool read_through_packs(sqlite3* handle, const BucketQuery& query, PackFill fill, int busy_timeout_ms,
                        const TableRead& read_table, std::vector<UsageBucket>& out);

}  // namespace ccu::store::detail
