#include "store/record_writer.hpp"

#include <SQLiteCpp/SQLiteCpp.h>

#include <algorithm>
#include <memory>
#include <string_view>
#include <utility>

#include "ccu/common/flat_index.hpp"
#include "ccu/common/parallel.hpp"
#include "ccu/common/time.hpp"
#include "store/key_order.hpp"

namespace ccu::store::detail {

void bind_optional(SQLite::Statement& s, int index, const std::optional<std::string>& value) {
    if (value) {
        s.bind(index, *value);
    } else {
        s.bind(index);
    }
}

void bind_optional(SQLite::Statement& s, int index, const std::optional<double>& value) {
    if (value) {
        s.bind(index, *value);
    } else {
        s.bind(index);
    }
}

RecordInserter::RecordInserter(SQLite::Database& db)
    : insert_(db, "INSERT INTO records (session_id, message_uuid, timestamp, model, input_tokens, output_tokens, "
                  "cache_creation_tokens, cache_read_tokens, folder, git_branch, version, message_id, request_id, "
                  "cost_usd, machine_name, cache_creation_1h_tokens, total_tokens, timestamp_ms, sequence, cost, "
                  "unpriced, project) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)") {}

void RecordInserter::insert(const UsageRecord& base, const UsageRecord& counts, const UsageRecord& ids,
                            std::int64_t timestamp_ms, std::int64_t sequence, const RecordCost& cost) {
    SQLite::Statement& s = insert_;  // the records outlive exec(): their text needs no copy
    s.bindNoCopy(1, base.session_id);
    s.bindNoCopy(2, base.message_uuid);
    s.bindNoCopy(3, base.timestamp);
    s.bindNoCopy(4, base.model);
    s.bind(5, static_cast<std::int64_t>(counts.input_tokens));
    s.bind(6, static_cast<std::int64_t>(counts.output_tokens));
    s.bind(7, static_cast<std::int64_t>(counts.cache_creation_tokens));
    s.bind(8, static_cast<std::int64_t>(counts.cache_read_tokens));
    s.bindNoCopy(9, base.folder);
    bind_optional(s, 10, base.git_branch);
    bind_optional(s, 11, base.version);
    bind_optional(s, 12, ids.message_id);
    bind_optional(s, 13, ids.request_id);
    bind_optional(s, 14, counts.cost_usd);
    s.bindNoCopy(15, base.machine_name);
    s.bind(16, static_cast<std::int64_t>(counts.cache_creation_1h_tokens));
    s.bind(17, static_cast<std::int64_t>(counts.total_tokens()));
    s.bind(18, timestamp_ms);
    s.bind(19, sequence);
    s.bind(20, cost.cost);
    s.bind(21, cost.unpriced ? 1 : 0);
    s.bindNoCopy(22, base.project);
    s.exec();
    s.reset();
}

void write_sequence(SQLite::Database& db, std::int64_t sequence) {
    SQLite::Statement s(db, "UPDATE sequence_counter SET value = ? WHERE id = 1");
    s.bind(1, sequence);
    s.exec();
}

namespace {

bool has_response_id(const UsageRecord& r) {
    return r.message_id && !r.message_id->empty() && r.request_id && !r.request_id->empty();
}

}  // namespace

bool records_table_empty(SQLite::Database& db) {
    return db.execAndGet("SELECT NOT EXISTS (SELECT 1 FROM records)").getInt() != 0;
}

bool bulk_load_applies(SQLite::Database& db, const std::vector<UsageRecord>& records) {
    if (records.size() < kBulkLoadMinRecords) return false;
    for (const auto& r : records) {
        if (!has_response_id(r)) return false;
    }
    return records_table_empty(db);
}

namespace {

using Key = std::pair<std::string_view, std::string_view>;

// Hashes for FlatIndex: std::hash of the strings, mixed so that the low bits (the slot) depend
// on every bit of both.
std::uint64_t mix(std::uint64_t h) {
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    return h;
}

std::uint64_t hash_of(std::string_view s) { return mix(std::hash<std::string_view>{}(s)); }

std::uint64_t hash_of(const Key& k) {
    return mix(std::hash<std::string_view>{}(k.first) * 0x9e3779b97f4a7c15ULL + std::hash<std::string_view>{}(k.second));
}

// One record to insert: `base` as first seen, the counts and ids it ended up with.
struct Kept {
    const UsageRecord* base;
    const UsageRecord* counts;
    const UsageRecord* ids;
    std::int64_t sequence;
};

// The store's upsert rules (store_records.cpp, Upserter::apply) over an in-memory table, for
// batches bulk_load_applies to: every record has response ids, so the logs-versus-origin rules
// and fragment folding (which needs a record without ids) never fire; what remains is the
// lookup (identity, response ids, remembered lines: the record's own, then its further ones),
// sidechain replays and "the larger total wins".
class MemoryTable {
public:
    explicit MemoryTable(std::size_t n) : by_identity_(n), by_response_(n), by_line_(n * 3), by_message_(n) {
        kept_.reserve(n);
        lines_.reserve(n * 3);
    }

    void apply(const UsageRecord& r, const LineUuids& further, bool sidechain, std::int64_t& sequence,
               UpsertStats& stats) {
        const std::optional<std::size_t> found = find(r, further);
        if (!found && sidechain) {
            if (auto replayed = find_message(*r.message_id)) {
                remember_lines(r, further, *replayed);
                ++stats.unchanged;
                return;
            }
        }
        if (!found) {
            kept_.push_back({&r, &r, &r, ++sequence});
            const auto index = static_cast<std::uint32_t>(kept_.size() - 1);
            // find() saw neither key: each gets its first entry (emplace, try_emplace before).
            by_identity_.add(hash_of(Key(r.session_id, r.message_uuid)), index);
            by_response_.add(hash_of(Key(*r.message_id, *r.request_id)), index);
            learn_message(r, index);
            remember_lines(r, further, index);
            ++stats.inserted;
            return;
        }
        remember_lines(r, further, *found);
        Kept& k = kept_[*found];
        if (r.total_tokens() > k.counts->total_tokens()) {
            k.counts = &r;
            k.sequence = ++sequence;
            ++stats.updated;
        } else {
            ++stats.unchanged;
        }
    }

    // Taken out once the batch is applied: the lookup maps are freed before the inserts.
    std::vector<Kept> take_kept() { return std::move(kept_); }
    // record_lines rows: (session, line uuid) -> index into kept(), in first-remembered order.
    std::vector<std::pair<Key, std::size_t>> take_lines() { return std::move(lines_); }

private:
    Key identity_of(std::uint32_t i) const { return {kept_[i].base->session_id, kept_[i].base->message_uuid}; }
    Key response_of(std::uint32_t i) const { return {*kept_[i].base->message_id, *kept_[i].base->request_id}; }

    std::optional<std::size_t> find_line(const Key& key) const {
        const auto at = by_line_.find(hash_of(key), [&](std::uint32_t i) { return lines_[i].first == key; });
        if (!at) return std::nullopt;
        return lines_[*at].second;
    }

    std::optional<std::size_t> find_message(std::string_view message_id) const {
        const auto at = by_message_.find(hash_of(message_id),
                                         [&](std::uint32_t i) { return *kept_[i].base->message_id == message_id; });
        if (!at) return std::nullopt;
        return *at;
    }

    std::optional<std::size_t> find(const UsageRecord& r, const LineUuids& further) const {
        const Key identity(r.session_id, r.message_uuid);
        if (auto at = by_identity_.find(hash_of(identity), [&](std::uint32_t i) { return identity_of(i) == identity; })) {
            return *at;
        }
        const Key response(*r.message_id, *r.request_id);
        if (auto at = by_response_.find(hash_of(response), [&](std::uint32_t i) { return response_of(i) == response; })) {
            return *at;
        }
        if (auto at = find_line(identity)) return at;
        for (const LineRef& l : further) {
            if (auto at = find_line(Key(l.session_id, l.uuid))) return at;
        }
        return std::nullopt;
    }

    // SQLite answers "message_id = ? AND request_id IS NOT NULL LIMIT 1" from the partial index
    // on (message_id, request_id): the smallest request id, then the first inserted.
    void learn_message(const UsageRecord& r, std::uint32_t index) {
        const std::uint64_t hash = hash_of(std::string_view(*r.message_id));
        std::uint32_t* held = by_message_.find_slot(hash, [&](std::uint32_t i) {
            return *kept_[i].base->message_id == *r.message_id;
        });
        if (held == nullptr) {
            by_message_.add(hash, index);
        } else if (*r.request_id < *kept_[*held].ids->request_id) {
            *held = index;
        }
    }

    // INSERT OR IGNORE into record_lines: a line already remembered keeps its record.
    void remember_lines(const UsageRecord& r, const LineUuids& further, std::size_t index) {
        remember_line(Key(r.session_id, r.message_uuid), index);
        for (const LineRef& l : further) remember_line(Key(l.session_id, l.uuid), index);
    }

    void remember_line(const Key& key, std::size_t index) {
        const std::uint64_t hash = hash_of(key);
        if (by_line_.find(hash, [&](std::uint32_t i) { return lines_[i].first == key; })) return;
        by_line_.add(hash, static_cast<std::uint32_t>(lines_.size()));
        lines_.emplace_back(key, index);
    }

    std::vector<Kept> kept_;
    FlatIndex by_identity_;  // values: indexes into kept_
    FlatIndex by_response_;
    FlatIndex by_line_;      // values: indexes into lines_
    FlatIndex by_message_;   // values: indexes into kept_
    std::vector<std::pair<Key, std::size_t>> lines_;
};

}  // namespace

DeferredIndexes::DeferredIndexes(SQLite::Database& db) : db_(db) {
    SQLite::Statement q(db, "SELECT name, sql FROM sqlite_schema WHERE type = 'index' AND sql IS NOT NULL "
                            "AND tbl_name IN ('records', 'record_lines', 'usage_buckets')");
    std::vector<std::string> names;
    while (q.executeStep()) {
        names.push_back(q.getColumn(0).getString());
        create_.push_back(q.getColumn(1).getString());
    }
    q.reset();
    for (const auto& name : names) db.exec("DROP INDEX \"" + name + "\"");
}

void DeferredIndexes::create_again() {
    for (const auto& sql : create_) db_.exec(sql);
    create_.clear();
}

namespace {

RecordCost priced_cost(const Kept& k, const CostModel& costs) {
    if (k.counts == k.base || k.counts->model == k.base->model) return costs.cost_of(*k.counts);
    UsageRecord merged = *k.counts;  // the cost is the stored model's, priced with the kept counts
    merged.model = k.base->model;
    return costs.cost_of(merged);
}

// Inserts the kept records in (session_id, message_uuid) order, so the unique index on it grows
// at its end. Row ids are internal: within one bulk load every (message_id, request_id) is
// unique, so no lookup's tie-break depends on their order. Returns the row id of each kept record.
std::vector<std::int64_t> insert_records(SQLite::Database& db, const std::vector<Kept>& kept,
                                         const std::vector<RecordCost>& cost, const std::vector<std::int64_t>& ms) {
    const std::vector<std::size_t> order = key_order(kept.size(), [&kept](std::size_t i) {
        return StringPair(kept[i].base->session_id, kept[i].base->message_uuid);
    });
    RecordInserter inserter(db);
    std::vector<std::int64_t> ids(kept.size());
    for (const std::size_t i : order) {
        const Kept& k = kept[i];
        inserter.insert(*k.base, *k.counts, *k.ids, ms[i], k.sequence, cost[i]);
        ids[i] = db.getLastInsertRowid();
    }
    return ids;
}

// The record_lines rows, as indexes into `lines`, by primary key (the table is WITHOUT ROWID: a
// b-tree on the key). A record's own uuid is not one: the records' key holds it (schema v8).
std::vector<std::size_t> line_order(const std::vector<Kept>& kept, const std::vector<std::pair<Key, std::size_t>>& lines) {
    std::vector<std::size_t> rows;
    rows.reserve(lines.size());
    for (const std::size_t i : key_order(lines.size(), [&lines](std::size_t i) { return lines[i].first; })) {
        const Kept& owner = kept[lines[i].second];
        if (lines[i].first != Key(owner.base->session_id, owner.base->message_uuid)) rows.push_back(i);
    }
    return rows;
}

// The views are whole strings of the records, which outlive exec(): bound without a copy
// (a view that is not a whole, terminated string is copied).
void bind_view(SQLite::Statement& s, int index, std::string_view text) {
    if (text.data()[text.size()] == '\0' && text.find('\0') == std::string_view::npos) {
        s.bindNoCopy(index, text.data());
    } else {
        s.bind(index, std::string(text));
    }
}

// record_lines rows in `order` (line_order).
void insert_lines(SQLite::Database& db, const std::vector<std::pair<Key, std::size_t>>& lines,
                  const std::vector<std::size_t>& order, const std::vector<std::int64_t>& ids) {
    SQLite::Statement line(db, "INSERT INTO record_lines (session_id, line_uuid, record_id) VALUES (?, ?, ?)");
    for (const std::size_t i : order) {
        const auto& [key, index] = lines[i];
        bind_view(line, 1, key.first);
        bind_view(line, 2, key.second);
        line.bind(3, ids[index]);
        line.exec();
        line.reset();
    }
}

}  // namespace

UpsertStats bulk_load(SQLite::Database& db, const std::vector<UsageRecord>& records,
                      const std::vector<std::uint8_t>& sidechain, const std::vector<LineUuids>& lines,
                      const CostModel& costs, const std::function<void()>& records_done) {
    static const LineUuids kNone;
    UpsertStats stats;
    std::int64_t sequence = db.execAndGet("SELECT value FROM sequence_counter WHERE id = 1").getInt64();
    std::vector<Kept> kept;
    std::vector<std::pair<Key, std::size_t>> kept_lines;
    {
        MemoryTable table(records.size());
        for (std::size_t i = 0; i < records.size(); ++i) {
            table.apply(records[i], i < lines.size() ? lines[i] : kNone, i < sidechain.size() && sidechain[i] != 0,
                        sequence, stats);
        }
        kept = table.take_kept();
        kept_lines = table.take_lines();
    }
    std::vector<RecordCost> cost;
    std::vector<std::int64_t> ms;
    cost.reserve(kept.size());
    ms.reserve(kept.size());
    for (const Kept& k : kept) {
        cost.push_back(priced_cost(k, costs));
        ms.push_back(timeutil::parse_rfc3339_ms(k.base->timestamp).value_or(0));
    }
    const bool fresh_buckets = FreshBuckets::applies(db);
    NameTable names = fresh_buckets ? NameTable::load(db) : NameTable{};
    BucketChanges buckets;
    std::unique_ptr<FreshBuckets> fresh;
    DeferredIndexes indexes(db);
    std::vector<std::int64_t> ids;
    std::vector<std::size_t> lines_in_order;
    // Two jobs for two cores: the records' inserts (SQLite, this connection), and what needs no
    // database: the buckets summed (in the order the one-by-one upserts would add them) and made
    // rows, and the line rows sorted (bench/README.md, cold figures).
    parallel_for(2, 2, [&] {
        return [&](std::size_t job) {
            if (job == 0) {
                ids = insert_records(db, kept, cost, ms);
                return;
            }
            for (std::size_t i = 0; i < kept.size(); ++i) {
                buckets.add(bucket_of(*kept[i].base, ms[i]), *kept[i].counts, cost[i], +1);
            }
            if (fresh_buckets) fresh = std::make_unique<FreshBuckets>(std::move(buckets), std::move(names));
            lines_in_order = line_order(kept, kept_lines);
        };
    });
    insert_lines(db, kept_lines, lines_in_order, ids);
    // From here on only the database, the bucket sums (their own strings) and row counts are used.
    if (records_done) records_done();
    indexes.create_again();
    if (fresh) {
        fresh->insert(db);
    } else {
        buckets.flush(db);
    }
    write_sequence(db, sequence);
    return stats;
}

}  // namespace ccu::store::detail
