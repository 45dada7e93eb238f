#include "store/buckets.hpp"

#include <SQLiteCpp/SQLiteCpp.h>

#include <unordered_map>

#include "store/bucket_packs.hpp"

namespace ccu::store::detail {
namespace {

constexpr const char* kPricingMetaKey = "buckets.pricing";

// Maps strings to bucket_names ids, inserting new ones; caches what it has seen.
class NameIds {
public:
    explicit NameIds(SQLite::Database& db)
        : find_(db, "SELECT id FROM bucket_names WHERE name = ?"),
          insert_(db, "INSERT INTO bucket_names (name) VALUES (?)"),
          db_(db) {}

    std::int64_t operator()(const std::string& name) {
        if (auto it = cache_.find(name); it != cache_.end()) return it->second;
        find_.bind(1, name);
        std::int64_t id = 0;
        if (find_.executeStep()) {
            id = find_.getColumn(0).getInt64();
        } else {
            insert_.bind(1, name);
            insert_.exec();
            insert_.reset();
            id = db_.getLastInsertRowid();
        }
        find_.reset();
        cache_.emplace(name, id);
        return id;
    }

private:
    SQLite::Statement find_;
    SQLite::Statement insert_;
    SQLite::Database& db_;
    std::unordered_map<std::string, std::int64_t> cache_;
};

// The columns of every bucket table (usage_buckets, usage_rollup, usage_models, usage_sessions);
// they differ only in their keys.
constexpr const char* kBucketColumns = R"sql(
            quarter               INTEGER NOT NULL,
            machine               INTEGER NOT NULL,
            session               INTEGER NOT NULL,
            model                 INTEGER NOT NULL,
            project               INTEGER NOT NULL,
            folder                INTEGER NOT NULL,
            input_tokens          INTEGER NOT NULL,
            output_tokens         INTEGER NOT NULL,
            cache_creation_tokens INTEGER NOT NULL,
            cache_read_tokens     INTEGER NOT NULL,
            cost                  REAL NOT NULL,
            records               INTEGER NOT NULL,
            unpriced              INTEGER NOT NULL,
            first_ms              INTEGER NOT NULL,
            last_ms               INTEGER NOT NULL,)sql";

void create_bucket_table(SQLite::Database& db, const std::string& name, const std::string& key) {
    db.exec("CREATE TABLE " + name + " (" + kBucketColumns + " PRIMARY KEY (" + key + ")) WITHOUT ROWID");
}

void create_tables(SQLite::Database& db) {
    db.exec(R"sql(
        ALTER TABLE records ADD COLUMN cost REAL NOT NULL DEFAULT 0;
        ALTER TABLE records ADD COLUMN unpriced INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE records ADD COLUMN project TEXT NOT NULL DEFAULT '';
        CREATE TABLE bucket_names (
            id   INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE
        );
    )sql");
    create_bucket_table(db, "usage_buckets", "quarter, machine, session, model");
    db.exec("CREATE INDEX usage_buckets_session ON usage_buckets (session)");
    create_bucket_table(db, "usage_rollup", "quarter, machine, model, project");
}

// Recomputes records.cost and records.unpriced of every record.
void recompute_costs(SQLite::Database& db, const CostModel& costs) {
    SQLite::Statement select(db, "SELECT id, model, input_tokens, output_tokens, cache_creation_tokens, "
                                 "cache_read_tokens, cache_creation_1h_tokens, cost_usd FROM records");
    SQLite::Statement update(db, "UPDATE records SET cost = ?, unpriced = ? WHERE id = ?");
    while (select.executeStep()) {
        UsageRecord r;
        r.model = select.getColumn(1).getString();
        r.input_tokens = select.getColumn(2).getInt64();
        r.output_tokens = select.getColumn(3).getInt64();
        r.cache_creation_tokens = select.getColumn(4).getInt64();
        r.cache_read_tokens = select.getColumn(5).getInt64();
        r.cache_creation_1h_tokens = select.getColumn(6).getInt64();
        if (!select.getColumn(7).isNull()) r.cost_usd = select.getColumn(7).getDouble();
        const RecordCost c = costs.cost_of(r);
        update.bind(1, c.cost);
        update.bind(2, c.unpriced ? 1 : 0);
        update.bind(3, select.getColumn(0).getInt64());
        update.exec();
        update.reset();
    }
}

void set_pricing_meta(SQLite::Database& db, const CostModel& costs) {
    SQLite::Statement s(db, "INSERT INTO meta (key, value) VALUES (?, ?) "
                            "ON CONFLICT (key) DO UPDATE SET value = excluded.value");
    s.bind(1, kPricingMetaKey);
    s.bind(2, costs.fingerprint);
    s.exec();
}

// Fills usage_models and usage_sessions of one machine (or all, ?1 NULL) from usage_buckets.
// A session row's quarter is its first one; its project and folder are its first bucket's.
void derive_report_tables(SQLite::Database& db, const std::optional<std::string>& machine) {
    db.exec("INSERT OR IGNORE INTO bucket_names (name) VALUES ('')");
    const std::string mine = " (machine IN (SELECT id FROM bucket_names WHERE name = ?1) OR ?1 IS NULL) ";
    const std::string sums = "SUM(input_tokens), SUM(output_tokens), SUM(cache_creation_tokens), "
                             "SUM(cache_read_tokens), SUM(cost), SUM(records), SUM(unpriced), MIN(first_ms), "
                             "MAX(last_ms) ";
    const std::string first_of = "FROM usage_buckets f WHERE f.machine = b.machine AND f.session = b.session AND "
                                 "f.model = b.model ORDER BY f.first_ms LIMIT 1), ";
    SQLite::Statement drop_models(db, "DELETE FROM usage_models WHERE" + mine);
    SQLite::Statement fill_models(db, "INSERT INTO usage_models SELECT quarter, machine, (SELECT id FROM bucket_names "
                                      "WHERE name = ''), model, (SELECT id FROM bucket_names WHERE name = ''), "
                                      "(SELECT id FROM bucket_names WHERE name = ''), " +
                                          sums + "FROM usage_buckets WHERE" + mine + "GROUP BY quarter, machine, model");
    SQLite::Statement drop_sessions(db, "DELETE FROM usage_sessions WHERE" + mine);
    SQLite::Statement fill_sessions(db, "INSERT INTO usage_sessions SELECT MIN(quarter), machine, session, model, "
                                        "(SELECT f.project " + first_of + "(SELECT f.folder " + first_of + sums +
                                            "FROM usage_buckets b WHERE" + mine + "GROUP BY machine, session, model");
    for (SQLite::Statement* st : {&drop_models, &fill_models, &drop_sessions, &fill_sessions}) {
        if (machine) {
            st->bind(1, *machine);
        } else {
            st->bind(1);
        }
        st->exec();
    }
}

}  // namespace

void migrate_add_usage_buckets(SQLite::Database& db) {
    create_tables(db);
}

void migrate_add_report_tables(SQLite::Database& db) {
    create_bucket_table(db, "usage_models", "quarter, machine, model");
    create_bucket_table(db, "usage_sessions", "machine, session, model");
    derive_report_tables(db, std::nullopt);
}

void rebuild_buckets(SQLite::Database& db, const std::optional<std::string>& machine) {
    drop_all_packs(db);
    const std::string where = machine ? " WHERE machine_name = ?1" : "";
    SQLite::Statement names(db, "INSERT OR IGNORE INTO bucket_names (name) "
                                "SELECT machine_name FROM records" + where + " UNION SELECT session_id FROM records" +
                                    where + " UNION SELECT model FROM records" + where +
                                    " UNION SELECT project FROM records" + where + " UNION SELECT folder FROM records" +
                                    where);
    SQLite::Statement drop(db, "DELETE FROM usage_buckets WHERE machine IN "
                               "(SELECT id FROM bucket_names WHERE name = ?1) OR ?1 IS NULL");
    // A bucket's project and folder are those of its first-stored record, as BucketChanges::add
    // keeps them. They are picked by a window, not left as bare columns: beside both MIN() and
    // MAX() SQLite does not define which row a bare column comes from.
    SQLite::Statement fill(db, "INSERT INTO usage_buckets SELECT timestamp_ms / 900000, "
                               "(SELECT id FROM bucket_names WHERE name = machine_name), "
                               "(SELECT id FROM bucket_names WHERE name = session_id), "
                               "(SELECT id FROM bucket_names WHERE name = model), "
                               "(SELECT id FROM bucket_names WHERE name = first_project), "
                               "(SELECT id FROM bucket_names WHERE name = first_folder), "
                               "SUM(input_tokens), SUM(output_tokens), SUM(cache_creation_tokens), "
                               "SUM(cache_read_tokens), SUM(cost), COUNT(*), SUM(unpriced), MIN(timestamp_ms), "
                               "MAX(timestamp_ms) FROM (SELECT *, FIRST_VALUE(project) OVER bucket AS first_project, "
                               "FIRST_VALUE(folder) OVER bucket AS first_folder FROM records" + where +
                                   " WINDOW bucket AS (PARTITION BY timestamp_ms / 900000, machine_name, session_id, "
                                   "model ORDER BY sequence)) GROUP BY timestamp_ms / 900000, machine_name, "
                                   "session_id, model");
    SQLite::Statement drop_rollup(db, "DELETE FROM usage_rollup WHERE machine IN "
                                      "(SELECT id FROM bucket_names WHERE name = ?1) OR ?1 IS NULL");
    SQLite::Statement fill_rollup(
        db, "INSERT INTO usage_rollup SELECT timestamp_ms / 900000, "
            "(SELECT id FROM bucket_names WHERE name = machine_name), (SELECT id FROM bucket_names WHERE name = ''), "
            "(SELECT id FROM bucket_names WHERE name = model), "
            "(SELECT id FROM bucket_names WHERE name = CASE WHEN project = '' THEN folder ELSE project END), "
            "(SELECT id FROM bucket_names WHERE name = CASE WHEN project = '' THEN folder ELSE project END), "
            "SUM(input_tokens), SUM(output_tokens), SUM(cache_creation_tokens), SUM(cache_read_tokens), SUM(cost), "
            "COUNT(*), SUM(unpriced), MIN(timestamp_ms), MAX(timestamp_ms) FROM records" + where +
                " GROUP BY timestamp_ms / 900000, machine_name, model, CASE WHEN project = '' THEN folder ELSE project END");
    db.exec("INSERT OR IGNORE INTO bucket_names (name) VALUES ('')");
    for (SQLite::Statement* s : {&names, &drop, &fill, &drop_rollup, &fill_rollup}) {
        if (machine) {
            s->bind(1, *machine);
        } else if (s == &drop || s == &drop_rollup) {
            s->bind(1);
        }
        s->exec();
    }
    derive_report_tables(db, machine);
}

bool priced_with(SQLite::Database& db, const CostModel& costs) {
    SQLite::Statement q(db, "SELECT value FROM meta WHERE key = ?");
    q.bind(1, kPricingMetaKey);
    return q.executeStep() && q.getColumn(0).getString() == costs.fingerprint;
}

void reprice_if_needed(SQLite::Database& db, const CostModel& costs) {
    if (priced_with(db, costs)) return;
    SQLite::Transaction tx(db, SQLite::TransactionBehavior::IMMEDIATE);
    if (priced_with(db, costs)) return;  // another process repriced meanwhile
    recompute_costs(db, costs);
    rebuild_buckets(db, std::nullopt);
    set_pricing_meta(db, costs);
    tx.commit();
}

namespace {

void apply_change(BucketChanges::Change& c, const BucketRecord& where, const UsageRecord& counts,
                  const RecordCost& cost, int sign) {
    c.input += sign * counts.input_tokens;
    c.output += sign * counts.output_tokens;
    c.cache_creation += sign * counts.cache_creation_tokens;
    c.cache_read += sign * counts.cache_read_tokens;
    c.cost += sign * cost.cost;
    if (cost.unpriced) c.unpriced += sign;
    if (sign > 0) {
        ++c.records;
        c.first_ms = std::min(c.first_ms, where.timestamp_ms);
        c.last_ms = std::max(c.last_ms, where.timestamp_ms);
    } else {
        --c.records;
    }
}

}  // namespace

BucketChanges::NameId BucketChanges::intern(const std::string& name) {
    const auto [it, added] = ids_.try_emplace(name, static_cast<NameId>(names_.size()));
    if (added) names_.push_back(&it->first);
    return it->second;
}

void BucketChanges::add(const BucketRecord& where, const UsageRecord& counts, const RecordCost& cost, int sign) {
    const std::int64_t quarter = where.timestamp_ms / kQuarterMs;
    const NameId machine = intern(*where.machine);
    const NameId session = intern(*where.session);
    const NameId model = intern(*where.model);
    const NameId project = intern(*where.project);
    const NameId folder = intern(*where.folder);
    auto [it, inserted] = changes_.try_emplace(Key{quarter, machine, session, model});
    if (inserted) {
        it->second.project = project;
        it->second.folder = folder;
    }
    apply_change(it->second, where, counts, cost, sign);
    const NameId rollup_project = where.project->empty() ? folder : project;
    auto [r, fresh] = rollup_.try_emplace(Key{quarter, machine, rollup_project, model});
    if (fresh) {
        r->second.project = rollup_project;
        r->second.folder = rollup_project;
    }
    apply_change(r->second, where, counts, cost, sign);
    constexpr NameId kNone = 0;  // ""
    apply_change(models_[Key{quarter, machine, kNone, model}], where, counts, cost, sign);
    Change& session_change = sessions_[Key{0, machine, session, model}];
    if (sign > 0 && where.timestamp_ms < session_change.first_ms) {
        session_change.project = project;
        session_change.folder = folder;
    }
    apply_change(session_change, where, counts, cost, sign);
}

void BucketChanges::drop_touched_packs(SQLite::Database& db) const {
    PackDrops drops;
    const auto add_chunks = [&drops](const std::map<Key, Change>& changes, BucketGrain grain) {
        for (const auto& [key, change] : changes) drops.add(grain, std::get<0>(key));
    };
    add_chunks(changes_, BucketGrain::Session);
    add_chunks(rollup_, BucketGrain::Project);
    add_chunks(models_, BucketGrain::Model);
    if (!sessions_.empty()) drops.add(BucketGrain::WholeSession, 0);
    drops.drop(db);
}

namespace {
void flush_table(SQLite::Database& db, const BucketChanges& names,
                 const std::map<BucketChanges::Key, BucketChanges::Change>& changes, BucketChanges::Table table,
                 NameIds& ids);
}  // namespace

void BucketChanges::flush(SQLite::Database& db) {
    // One name cache for the four tables: each names the same machines, sessions and models.
    NameIds ids(db);
    drop_touched_packs(db);
    flush_table(db, *this, changes_, Table::Buckets, ids);
    flush_table(db, *this, rollup_, Table::Rollup, ids);
    flush_table(db, *this, models_, Table::Models, ids);
    flush_table(db, *this, sessions_, Table::Sessions, ids);
    changes_.clear();
    rollup_.clear();
    models_.clear();
    sessions_.clear();
}

namespace {

const char* table_name(BucketChanges::Table table) {
    switch (table) {
        case BucketChanges::Table::Buckets: return "usage_buckets";
        case BucketChanges::Table::Rollup: return "usage_rollup";
        case BucketChanges::Table::Models: return "usage_models";
        case BucketChanges::Table::Sessions: return "usage_sessions";
    }
    return "usage_buckets";
}

const char* key_columns(BucketChanges::Table table) {
    switch (table) {
        case BucketChanges::Table::Buckets: return "(quarter, machine, session, model)";
        case BucketChanges::Table::Rollup: return "(quarter, machine, model, project)";
        case BucketChanges::Table::Models: return "(quarter, machine, model)";
        case BucketChanges::Table::Sessions: return "(machine, session, model)";
    }
    return "";
}

std::string upsert_sql(BucketChanges::Table table) {
    std::string sql("INSERT INTO ");
    sql.append(table_name(table)).append(" VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT ");
    sql.append(key_columns(table)).append(R"sql( DO UPDATE SET
            input_tokens = input_tokens + excluded.input_tokens,
            output_tokens = output_tokens + excluded.output_tokens,
            cache_creation_tokens = cache_creation_tokens + excluded.cache_creation_tokens,
            cache_read_tokens = cache_read_tokens + excluded.cache_read_tokens,
            cost = cost + excluded.cost,
            records = records + excluded.records,
            unpriced = unpriced + excluded.unpriced,
            first_ms = MIN(first_ms, excluded.first_ms),
            last_ms = MAX(last_ms, excluded.last_ms))sql");
    if (table == BucketChanges::Table::Sessions) {
        // A session's row starts at its first record: that one's quarter, project and folder.
        sql.append(R"sql(,
            quarter = MIN(quarter, excluded.quarter),
            project = CASE WHEN excluded.first_ms < first_ms THEN excluded.project ELSE project END,
            folder = CASE WHEN excluded.first_ms < first_ms THEN excluded.folder ELSE folder END)sql");
    }
    return sql;
}

void flush_table(SQLite::Database& db, const BucketChanges& names,
                 const std::map<BucketChanges::Key, BucketChanges::Change>& changes, BucketChanges::Table table,
                 NameIds& ids) {
    using Table = BucketChanges::Table;
    if (changes.empty()) return;
    const std::int64_t no_session = ids("");
    const bool has_session = table == Table::Buckets || table == Table::Sessions;
    SQLite::Statement put(db, upsert_sql(table));
    for (const auto& [key, c] : changes) {
        const auto& [quarter, machine, session, model] = key;
        put_bucket_row(put,
                       {table == Table::Sessions ? c.first_ms / kQuarterMs : quarter, ids(names.name(machine)),
                        has_session ? ids(names.name(session)) : no_session, ids(names.name(model)),
                        ids(names.name(c.project)), ids(names.name(c.folder))},
                       c);
    }
}

}  // namespace

void put_bucket_row(SQLite::Statement& put, const BucketRowKey& key, const BucketChanges::Change& sums) {
    put.bind(1, key.quarter);
    put.bind(2, key.machine);
    put.bind(3, key.session);
    put.bind(4, key.model);
    put.bind(5, key.project);
    put.bind(6, key.folder);
    put.bind(7, sums.input);
    put.bind(8, sums.output);
    put.bind(9, sums.cache_creation);
    put.bind(10, sums.cache_read);
    put.bind(11, sums.cost);
    put.bind(12, sums.records);
    put.bind(13, sums.unpriced);
    put.bind(14, sums.first_ms);
    put.bind(15, sums.last_ms);
    put.exec();
    put.reset();
}

}  // namespace ccu::store::detail
