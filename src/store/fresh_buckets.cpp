// The bucket write of a bulk load into an empty store (store/buckets.hpp, FreshBuckets).
#include <SQLiteCpp/SQLiteCpp.h>

#include <algorithm>
#include <iterator>

#include "store/bucket_packs.hpp"
#include "store/buckets.hpp"

namespace ccu::store::detail {
namespace {

using Table = BucketChanges::Table;

constexpr Table kTables[] = {Table::Buckets, Table::Rollup, Table::Models, Table::Sessions};

const char* insert_sql(Table table) {
    switch (table) {
        case Table::Buckets: return "INSERT INTO usage_buckets VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";
        case Table::Rollup: return "INSERT INTO usage_rollup VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";
        case Table::Models: return "INSERT INTO usage_models VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";
        case Table::Sessions: return "INSERT INTO usage_sessions VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";
    }
    return "";
}

// The primary key columns of each table (buckets.cpp, create_bucket_table), in key order.
void set_key(Table table, FreshBuckets::Row& row) {
    switch (table) {
        case Table::Buckets: row.key[0] = row.quarter, row.key[1] = row.machine, row.key[2] = row.session,
                             row.key[3] = row.model; return;
        case Table::Rollup: row.key[0] = row.quarter, row.key[1] = row.machine, row.key[2] = row.model,
                            row.key[3] = row.project; return;
        case Table::Models: row.key[0] = row.quarter, row.key[1] = row.machine, row.key[2] = row.model,
                            row.key[3] = 0; return;
        case Table::Sessions: row.key[0] = row.machine, row.key[1] = row.session, row.key[2] = row.model,
                              row.key[3] = 0; return;
    }
}

// The rows BucketChanges::flush binds (buckets.cpp, flush_table), with the names asked for in its order.
std::vector<FreshBuckets::Row> rows_of(const BucketChanges& names,
                                       const std::map<BucketChanges::Key, BucketChanges::Change>& changes,
                                       Table table, NameTable& ids) {
    std::vector<FreshBuckets::Row> rows;
    if (changes.empty()) return rows;
    rows.reserve(changes.size());
    const std::int64_t no_session = ids("");
    const bool has_session = table == Table::Buckets || table == Table::Sessions;
    for (const auto& [key, c] : changes) {
        const auto& [quarter, machine, session, model] = key;
        FreshBuckets::Row row{};
        row.quarter = table == Table::Sessions ? c.first_ms / kQuarterMs : quarter;
        row.machine = ids(names.name(machine));
        row.session = has_session ? ids(names.name(session)) : no_session;
        row.model = ids(names.name(model));
        row.project = ids(names.name(c.project));
        row.folder = ids(names.name(c.folder));
        row.sums = &c;
        set_key(table, row);
        rows.push_back(row);
    }
    std::sort(rows.begin(), rows.end(), [](const FreshBuckets::Row& a, const FreshBuckets::Row& b) {
        return std::lexicographical_compare(std::begin(a.key), std::end(a.key), std::begin(b.key), std::end(b.key));
    });
    return rows;
}

}  // namespace

NameTable NameTable::load(SQLite::Database& db) {
    NameTable names;
    SQLite::Statement q(db, "SELECT id, name FROM bucket_names");
    while (q.executeStep()) {
        const std::int64_t id = q.getColumn(0).getInt64();
        names.ids_.emplace(q.getColumn(1).getString(), id);
        names.next_ = std::max(names.next_, id + 1);
    }
    return names;
}

std::int64_t NameTable::operator()(const std::string& name) {
    const auto [it, added] = ids_.try_emplace(name, next_);
    if (added) {
        ++next_;
        added_.push_back(name);
    }
    return it->second;
}

void NameTable::insert_added(SQLite::Database& db) const {
    SQLite::Statement put(db, "INSERT INTO bucket_names (id, name) VALUES (?, ?)");
    for (const std::string& name : added_) {
        put.bind(1, ids_.at(name));
        put.bindNoCopy(2, name);
        put.exec();
        put.reset();
    }
}

bool FreshBuckets::applies(SQLite::Database& db) {
    return db.execAndGet("SELECT NOT EXISTS (SELECT 1 FROM usage_buckets) AND NOT EXISTS (SELECT 1 FROM usage_rollup) "
                         "AND NOT EXISTS (SELECT 1 FROM usage_models) AND NOT EXISTS (SELECT 1 FROM usage_sessions)")
               .getInt() != 0;
}

FreshBuckets::FreshBuckets(BucketChanges&& changes, NameTable names)
    : changes_(std::move(changes)), names_(std::move(names)) {
    rows_[0] = rows_of(changes_, changes_.changes_, Table::Buckets, names_);
    rows_[1] = rows_of(changes_, changes_.rollup_, Table::Rollup, names_);
    rows_[2] = rows_of(changes_, changes_.models_, Table::Models, names_);
    rows_[3] = rows_of(changes_, changes_.sessions_, Table::Sessions, names_);
}

void FreshBuckets::insert(SQLite::Database& db) const {
    drop_all_packs(db);  // none should exist with empty bucket tables; a cache is never trusted to be right
    names_.insert_added(db);
    for (std::size_t t = 0; t < std::size(kTables); ++t) {
        if (rows_[t].empty()) continue;
        SQLite::Statement put(db, insert_sql(kTables[t]));
        for (const Row& row : rows_[t]) {
            put_bucket_row(put, {row.quarter, row.machine, row.session, row.model, row.project, row.folder},
                           *row.sums);
        }
    }
}

}  // namespace ccu::store::detail
