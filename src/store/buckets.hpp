#pragma once
// Pre-aggregated usage per quarter hour x machine x session x model (table usage_buckets) and,
// without sessions, per quarter hour x machine x project x model (usage_rollup), per quarter
// hour x machine x model (usage_models: what daily, weekly, monthly, models and blocks read
// without a project option) and, without time, per machine x session x model (usage_sessions:
// the session report without a date filter), kept in the same transaction as the records they sum. Every time zone in use today has an
// offset of whole quarter hours, so any zone's days, weeks and months (and ccusage's 5-hour
// blocks, which start on whole hours) are unions of buckets: reports never read records.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "ccu/common/cost_model.hpp"
#include "ccu/common/record.hpp"

namespace SQLite {
class Database;
class Statement;
}

namespace ccu::store::detail {

inline constexpr std::int64_t kQuarterMs = 900'000;

// The schema version that adds the buckets: one constant, so the step can move when another
// migration lands before it (schema.cpp places migrate_add_usage_buckets at this version).
inline constexpr int kUsageBucketsVersion = 5;

// The tables: bucket_names (string ids), usage_buckets and usage_rollup; records get cost,
// unpriced and project columns. Leaves the pricing meta unset, so the first read-write open
// (reprice_if_needed) computes every cost and fills the buckets from the records stored.
void migrate_add_usage_buckets(SQLite::Database& db);
// v6: usage_models and usage_sessions, derived from usage_buckets.
void migrate_add_report_tables(SQLite::Database& db);

// Rebuilds the buckets of one machine (or all) from the records table (rename, reprice).
void rebuild_buckets(SQLite::Database& db, const std::optional<std::string>& machine);

// When `costs` differs from the prices the stored costs were computed with (meta
// "buckets.pricing" holds CostModel::fingerprint), recomputes every record's cost and bucket.
void reprice_if_needed(SQLite::Database& db, const CostModel& costs);

// The identity of a bucket and the record fields it needs.
struct BucketRecord {
    std::int64_t timestamp_ms = 0;
    const std::string* machine = nullptr;
    const std::string* session = nullptr;
    const std::string* model = nullptr;
    const std::string* project = nullptr;
    const std::string* folder = nullptr;
};

inline BucketRecord bucket_of(const UsageRecord& r, std::int64_t timestamp_ms) {
    return {timestamp_ms, &r.machine_name, &r.session_id, &r.model, &r.project, &r.folder};
}

// Changes to buckets collected during one transaction and written once at its end.
class BucketChanges {
public:
    BucketChanges() = default;
    BucketChanges(BucketChanges&&) = default;  // names_ points into ids_'s nodes, which a move keeps
    BucketChanges& operator=(BucketChanges&&) = default;
    BucketChanges(const BucketChanges&) = delete;
    BucketChanges& operator=(const BucketChanges&) = delete;

    // `sign` +1 adds a record, -1 takes one out (an update is -old, +new).
    void add(const BucketRecord& where, const UsageRecord& counts, const RecordCost& cost, int sign);
    void flush(SQLite::Database& db);
    bool empty() const { return changes_.empty(); }

    // The strings of a key and of a change are ids local to this object (name()): interned once
    // a record, so that the four maps compare integers; a map keyed by string tuples was ~10 % of
    // a 1M-record import's writing thread (bench/README.md).
    using NameId = std::uint32_t;
    using Key = std::tuple<std::int64_t, NameId, NameId, NameId>;
    struct Change {
        NameId project = 0;
        NameId folder = 0;
        std::int64_t input = 0, output = 0, cache_creation = 0, cache_read = 0;
        double cost = 0;
        std::int64_t records = 0, unpriced = 0;
        std::int64_t first_ms = INT64_MAX, last_ms = INT64_MIN;
    };
    const std::string& name(NameId id) const { return *names_[id]; }

    enum class Table { Buckets, Rollup, Models, Sessions };

private:
    friend class FreshBuckets;
    NameId intern(const std::string& name);
    // Drops the bucket packs (store/bucket_packs.hpp) of every chunk this flush writes.
    void drop_touched_packs(SQLite::Database& db) const;
    std::map<Key, Change> changes_;
    // The same per quarter x machine x project x model, without sessions (usage_rollup: the
    // reports with --instances or --project). Key slot 2 is the project, not a session.
    std::map<Key, Change> rollup_;
    // Per quarter x machine x model (usage_models; key slot 2 is ""), and per machine x session
    // x model (usage_sessions; key slot 0 is 0; project and folder of the earliest record).
    std::map<Key, Change> models_;
    std::map<Key, Change> sessions_;
    std::unordered_map<std::string, NameId> ids_{{std::string(), 0}};
    std::vector<const std::string*> names_{&ids_.begin()->first};  // by id; the map's nodes stay put
};

// The name ids and quarter that place one row in a bucket table (its first six columns).
struct BucketRowKey {
    std::int64_t quarter, machine, session, model, project, folder;
};

// Binds one row of a bucket table (the 15 columns of create_bucket_table) to `put`, an INSERT
// of them, and runs it: the one place that knows the column order.
void put_bucket_row(SQLite::Statement& put, const BucketRowKey& key, const BucketChanges::Change& sums);

// bucket_names as flush() sees it: name -> id, new names numbered on from the largest id (as
// SQLite numbers an INTEGER PRIMARY KEY), in the order they are first asked for.
class NameTable {
public:
    static NameTable load(SQLite::Database& db);
    std::int64_t operator()(const std::string& name);
    void insert_added(SQLite::Database& db) const;

private:
    std::unordered_map<std::string, std::int64_t> ids_;
    std::vector<std::string> added_;  // by id
    std::int64_t next_ = 1;
};

// What BucketChanges::flush writes into empty bucket tables (a bulk load into an empty store),
// computed without the database, so that it can run on another thread while the records are
// inserted: the same names in the same order (so the same ids), the same rows, then inserted
// in each table's key order with plain INSERTs (a b-tree growing at its end; a key that is
// unexpectedly taken fails the insert instead of being summed).
class FreshBuckets {
public:
    // Whether the four bucket tables are empty (the records table being empty is not enough:
    // replace_machine_records rebuilds the buckets only after its upsert).
    static bool applies(SQLite::Database& db);
    FreshBuckets(BucketChanges&& changes, NameTable names);
    void insert(SQLite::Database& db) const;

    struct Row {
        std::int64_t key[4];  // the table's primary key columns, in order
        std::int64_t quarter, machine, session, model, project, folder;
        const BucketChanges::Change* sums;
    };

private:
    BucketChanges changes_;  // the sums the rows point at
    NameTable names_;
    std::vector<Row> rows_[4];  // by BucketChanges::Table
};

}  // namespace ccu::store::detail
