#pragma once
// Writing record rows: the one INSERT both upsert paths use, and the bulk load into an empty
// store (dedup in memory by the upsert rules, then plain inserts).
#include <SQLiteCpp/Statement.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "ccu/common/record.hpp"
#include "ccu/store/store.hpp"
#include "store/buckets.hpp"

namespace ccu::store::detail {

void bind_optional(SQLite::Statement& s, int index, const std::optional<std::string>& value);
void bind_optional(SQLite::Statement& s, int index, const std::optional<double>& value);

class RecordInserter {
public:
    explicit RecordInserter(SQLite::Database& db);
    // `base` gives identity, time and context, `counts` the token counts and cost_usd, `ids`
    // the response ids (message_id, request_id): one record, or several merged by the rules.
    void insert(const UsageRecord& base, const UsageRecord& counts, const UsageRecord& ids, std::int64_t timestamp_ms,
                std::int64_t sequence, const RecordCost& cost);

private:
    SQLite::Statement insert_;
};

void write_sequence(SQLite::Database& db, std::int64_t sequence);

bool records_table_empty(SQLite::Database& db);

// The secondary indexes of the tables a bulk load fills, dropped before it and created again
// from their own stored SQL after it, inside the same transaction (a failure rolls both back).
// SQLite builds an index from sorted keys in one pass; inserting 50k random keys one by one
// instead walks a b-tree larger than the page cache (measured in bench/README.md). The UNIQUE
// and PRIMARY KEY constraints (automatic indexes, no stored SQL) stay and keep checking.
class DeferredIndexes {
public:
    explicit DeferredIndexes(SQLite::Database& db);
    void create_again();

private:
    SQLite::Database& db_;
    std::vector<std::string> create_;
};

// Batches smaller than this go through the ordinary upsert (the difference is not measurable).
inline constexpr std::size_t kBulkLoadMinRecords = 256;
// Into an empty records table, a batch of at least kBulkLoadMinRecords records that all carry
// response ids (a first scan of the logs, a pull of ccu-written files) gives by bulk_load
// exactly what one-by-one upserts give, further line uuids included.
bool bulk_load_applies(SQLite::Database& db, const std::vector<UsageRecord>& records);
// Same outcome as upserting `records` (with `lines` parallel, or empty) one by one into the
// empty records table. `records_done` (when set) is called once the batch is no longer read.
UpsertStats bulk_load(SQLite::Database& db, const std::vector<UsageRecord>& records,
                      const std::vector<std::uint8_t>& sidechain, const std::vector<LineUuids>& lines,
                      const CostModel& costs, const std::function<void()>& records_done = {});

}  // namespace ccu::store::detail
