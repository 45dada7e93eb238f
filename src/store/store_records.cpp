// Record writes and reads of the Store: the upsert rules of docs/format.md §4 and push tracking.
#include <SQLiteCpp/SQLiteCpp.h>

#include "ccu/common/time.hpp"
#include "ccu/store/store.hpp"
#include "store/buckets.hpp"
#include "store/fresh_insert.hpp"
#include "store/record_writer.hpp"
#include "store/sqlite_error.hpp"

namespace ccu::store {
namespace {

using detail::bind_optional;

bool has_response_id(const UsageRecord& r) {
    return r.message_id && !r.message_id->empty() && r.request_id && !r.request_id->empty();
}

// What Upserter reads of a stored record: enough to take it out of its usage bucket, and its
// identity (its own line uuid, which record_lines does not hold: schema v8).
constexpr const char* kExistingColumns =
    "SELECT r.id, r.message_id, r.request_id, r.machine_name, r.session_id, r.model, r.timestamp_ms, r.project, "
    "r.folder, r.input_tokens, r.output_tokens, r.cache_creation_tokens, r.cache_read_tokens, r.cost, r.unpriced, "
    "r.message_uuid ";

// Applies records inside an open transaction with statements prepared once per batch, and
// keeps the usage buckets in step (store/buckets.hpp): every insert, count update and folded
// fragment changes them by the record's sums.
class Upserter {
public:
    Upserter(SQLite::Database& db, const CostModel& costs)
        : db_(db),
          costs_(costs),
          by_identity_(db, std::string(kExistingColumns) + "FROM records r WHERE r.session_id = ? AND r.message_uuid = ?"),
          by_response_(db, std::string(kExistingColumns) +
                               "FROM records r WHERE r.message_id = ? AND r.request_id = ? LIMIT 1"),
          inserter_(db),
          update_counts_(db, "UPDATE records SET input_tokens = ?, output_tokens = ?, cache_creation_tokens = ?, "
                             "cache_read_tokens = ?, total_tokens = ?, cost_usd = ?, sequence = ?, "
                             "cache_creation_1h_tokens = ?, cost = ?, unpriced = ? WHERE id = ?"),
          by_message_(db, std::string(kExistingColumns) +
                              "FROM records r WHERE r.message_id = ? AND r.request_id IS NOT NULL LIMIT 1"),
          fill_ids_(db, "UPDATE records SET message_id = ?, request_id = ? WHERE id = ?"),
          by_line_(db, std::string(kExistingColumns) + "FROM record_lines l JOIN records r ON r.id = l.record_id "
                                                       "WHERE l.session_id = ? AND l.line_uuid = ?"),
          add_line_(db, "INSERT OR IGNORE INTO record_lines (session_id, line_uuid, record_id) VALUES (?, ?, ?)"),
          repoint_lines_(db, "UPDATE record_lines SET record_id = ? WHERE record_id = ?"),
          delete_record_(db, "DELETE FROM records WHERE id = ?") {
        sequence_ = db.execAndGet("SELECT value FROM sequence_counter WHERE id = 1").getInt64();
    }

    // `lines`: the further JSONL line uuids of the response (its own uuid is always one).
    void apply(const UsageRecord& r, const LineUuids& lines, UpsertStats& stats, bool sidechain) {
        auto existing = find(r);
        if (!existing) existing = find_by_lines(r, lines);
        if (!existing && sidechain && r.message_id && !r.message_id->empty()) {
            // A sidechain replay of an already stored response (same message.id, any
            // requestId) is not a new record (docs/format.md §4, ccusage): it never supplies counts.
            by_message_.bind(1, *r.message_id);
            if (auto replayed = step(by_message_)) {
                remember_lines(*replayed, r, lines);
                ++stats.unchanged;
                return;
            }
        }
        if (!existing) {
            remember_lines(Identity{insert(r), r.session_id, r.message_uuid}, r, lines);
            ++stats.inserted;
            return;
        }
        remember_lines(*existing, r, lines);
        // Records with response ids come from the logs, records without them from the origin
        // tool's rows: the logs are the truth for a response, whichever arrives first.
        const bool incoming_ids = has_response_id(r);
        if (existing->has_ids && !incoming_ids) {
            ++stats.unchanged;
            return;
        }
        const bool logs_arrive = incoming_ids && !existing->has_ids;
        const std::int64_t stored_total = existing->counts.total_tokens();
        if (logs_arrive ? r.total_tokens() != stored_total : r.total_tokens() > stored_total) {
            update_counts(*existing, r);
            ++stats.updated;
        } else {
            ++stats.unchanged;
        }
        // Learn the response ids of a record first stored without them (legacy import), so a
        // later copy from another source matches it. Not a change of the record's usage.
        if (!existing->has_ids && has_response_id(r)) fill_ids(existing->id, r);
    }

    void finish() {
        buckets_.flush(db_);
        detail::write_sequence(db_, sequence_);
    }

private:
    struct Existing {
        std::int64_t id = 0;
        bool has_ids = false;
        UsageRecord counts;  // key fields and counts as stored
        std::int64_t timestamp_ms = 0;
        RecordCost cost;
    };

    // A stored record's row id and its own line (session, uuid).
    struct Identity {
        std::int64_t id;
        const std::string& session;
        const std::string& uuid;
    };

    static std::optional<Existing> step(SQLite::Statement& q) {
        std::optional<Existing> found;
        if (q.executeStep()) {
            Existing e;
            e.id = q.getColumn(0).getInt64();
            e.has_ids = !q.getColumn(1).isNull() && !q.getColumn(2).isNull();
            e.counts.machine_name = q.getColumn(3).getString();
            e.counts.session_id = q.getColumn(4).getString();
            e.counts.model = q.getColumn(5).getString();
            e.timestamp_ms = q.getColumn(6).getInt64();
            e.counts.project = q.getColumn(7).getString();
            e.counts.folder = q.getColumn(8).getString();
            e.counts.input_tokens = q.getColumn(9).getInt64();
            e.counts.output_tokens = q.getColumn(10).getInt64();
            e.counts.cache_creation_tokens = q.getColumn(11).getInt64();
            e.counts.cache_read_tokens = q.getColumn(12).getInt64();
            e.cost = {q.getColumn(13).getDouble(), q.getColumn(14).getInt64() != 0};
            e.counts.message_uuid = q.getColumn(15).getString();
            found = std::move(e);
        }
        q.reset();
        return found;
    }

    std::optional<Existing> with_identity(const std::string& session, const std::string& uuid) {
        by_identity_.bind(1, session);
        by_identity_.bind(2, uuid);
        return step(by_identity_);
    }

    std::optional<Existing> with_further_line(const std::string& session, const std::string& uuid) {
        by_line_.bind(1, session);
        by_line_.bind(2, uuid);
        return step(by_line_);
    }

    // The record a line uuid names: the one whose own uuid it is, else the one record_lines
    // points it at.
    std::optional<Existing> owner_of_line(const std::string& session, const std::string& uuid) {
        if (auto found = with_identity(session, uuid)) return found;
        return with_further_line(session, uuid);
    }

    std::optional<Existing> find(const UsageRecord& r) {
        if (auto found = with_identity(r.session_id, r.message_uuid)) return found;
        if (!has_response_id(r)) return std::nullopt;
        by_response_.bind(1, *r.message_id);
        by_response_.bind(2, *r.request_id);
        return step(by_response_);
    }

    // find() has looked up r's own uuid as an identity already.
    std::optional<Existing> find_by_lines(const UsageRecord& r, const LineUuids& lines) {
        if (auto found = with_further_line(r.session_id, r.message_uuid)) return found;
        for (const auto& line : lines) {
            if (auto found = owner_of_line(line.session_id, line.uuid)) return found;
        }
        return std::nullopt;
    }

    // Points every line of `r` at record `id`. A line already naming another record without
    // response ids while `r` has them (the logs) marks that record as a fragment of this response
    // made from the origin tool's rows: it is folded into `id` (deleted, its lines re-pointed).
    // A record's own uuid is a line of it without a row in record_lines.
    void remember_lines(const Existing& record, const UsageRecord& r, const LineUuids& lines) {
        remember_lines(Identity{record.id, record.counts.session_id, record.counts.message_uuid}, r, lines);
    }

    void remember_lines(const Identity& record, const UsageRecord& r, const LineUuids& lines) {
        const std::int64_t id = record.id;  // fold_fragment leaves a line naming id itself alone
        const bool from_logs = has_response_id(r);
        const auto add = [&](const std::string& session, const std::string& uuid) {
            std::optional<Existing> owner = with_identity(session, uuid);
            if (!owner && add_further_line(id, session, uuid) == 0 && from_logs) owner = with_further_line(session, uuid);
            if (owner && from_logs) fold_fragment(id, *owner);
        };
        if (r.session_id != record.session || r.message_uuid != record.uuid) add(r.session_id, r.message_uuid);
        for (const auto& line : lines) add(line.session_id, line.uuid);
    }

    int add_further_line(std::int64_t id, const std::string& session, const std::string& uuid) {
        add_line_.bind(1, session);
        add_line_.bind(2, uuid);
        add_line_.bind(3, static_cast<std::int64_t>(id));
        const int added = add_line_.exec();
        add_line_.reset();
        return added;
    }

    void fold_fragment(std::int64_t id, const Existing& other) {
        if (other.id == id || other.has_ids) return;
        repoint_lines_.bind(1, static_cast<std::int64_t>(id));
        repoint_lines_.bind(2, static_cast<std::int64_t>(other.id));
        repoint_lines_.exec();
        repoint_lines_.reset();
        add_further_line(id, other.counts.session_id, other.counts.message_uuid);  // its own uuid, now a line of id
        delete_record_.bind(1, static_cast<std::int64_t>(other.id));
        delete_record_.exec();
        delete_record_.reset();
        buckets_.add(detail::bucket_of(other.counts, other.timestamp_ms), other.counts, other.cost, -1);
    }

    std::int64_t insert(const UsageRecord& r) {
        const std::int64_t ms = timeutil::parse_rfc3339_ms(r.timestamp).value_or(0);
        const RecordCost cost = costs_.cost_of(r);
        inserter_.insert(r, r, r, ms, ++sequence_, cost);
        buckets_.add(detail::bucket_of(r, ms), r, cost, +1);
        return db_.getLastInsertRowid();
    }

    void update_counts(const Existing& e, const UsageRecord& r) {
        UsageRecord merged = r;  // the stored record keeps its model, session and machine
        merged.model = e.counts.model;
        const RecordCost cost = costs_.cost_of(merged);
        SQLite::Statement& s = update_counts_;
        s.bind(1, static_cast<std::int64_t>(r.input_tokens));
        s.bind(2, static_cast<std::int64_t>(r.output_tokens));
        s.bind(3, static_cast<std::int64_t>(r.cache_creation_tokens));
        s.bind(4, static_cast<std::int64_t>(r.cache_read_tokens));
        s.bind(5, static_cast<std::int64_t>(r.total_tokens()));
        bind_optional(s, 6, r.cost_usd);
        s.bind(7, static_cast<std::int64_t>(++sequence_));
        s.bind(8, static_cast<std::int64_t>(r.cache_creation_1h_tokens));
        s.bind(9, cost.cost);
        s.bind(10, cost.unpriced ? 1 : 0);
        s.bind(11, static_cast<std::int64_t>(e.id));
        s.exec();
        s.reset();
        const detail::BucketRecord where = detail::bucket_of(e.counts, e.timestamp_ms);
        buckets_.add(where, e.counts, e.cost, -1);
        buckets_.add(where, r, cost, +1);
    }

    void fill_ids(std::int64_t id, const UsageRecord& r) {
        fill_ids_.bind(1, *r.message_id);
        fill_ids_.bind(2, *r.request_id);
        fill_ids_.bind(3, static_cast<std::int64_t>(id));
        fill_ids_.exec();
        fill_ids_.reset();
    }

    SQLite::Database& db_;
    const CostModel& costs_;
    SQLite::Statement by_identity_;
    SQLite::Statement by_response_;
    detail::RecordInserter inserter_;
    SQLite::Statement update_counts_;
    SQLite::Statement by_message_;
    SQLite::Statement fill_ids_;
    SQLite::Statement by_line_;
    SQLite::Statement add_line_;
    SQLite::Statement repoint_lines_;
    SQLite::Statement delete_record_;
    detail::BucketChanges buckets_;
    std::int64_t sequence_ = 0;
};

// `sidechain` and `lines` are parallel to `records` (ScanResult) or empty. Into an empty
// store (a first scan, a new machine's first pull) the bulk path gives the same result when it
// applies (detail::bulk_load_applies); so do plain inserts of records without response ids
// that are all new (detail::insert_if_all_new: the origin tool's rows, which bulk_load cannot
// take as it does not model the logs-versus-origin rules). `stream` (a BatchWrite's) keeps the
// plain inserts' deferred work across batches; it is finished before any other path runs.
UpsertStats upsert_all(SQLite::Database& db, const CostModel& costs, const std::vector<UsageRecord>& records,
                       const std::vector<std::uint8_t>& sidechain = {}, const std::vector<LineUuids>& lines = {},
                       detail::FreshStream* stream = nullptr, const std::function<void()>& records_done = {}) {
    UpsertStats stats;
    if (stream) {
        if (stream->insert_if_all_new(db, costs, records, lines, stats)) return stats;
        stream->finish();
    }
    if (detail::bulk_load_applies(db, records)) return detail::bulk_load(db, records, sidechain, lines, costs, records_done);
    if (!stream && detail::insert_if_all_new(db, costs, records, lines, stats)) return stats;
    static const LineUuids kNone;
    Upserter upserter(db, costs);
    for (std::size_t i = 0; i < records.size(); ++i) {
        upserter.apply(records[i], i < lines.size() ? lines[i] : kNone, stats,
                       i < sidechain.size() && sidechain[i] != 0);
    }
    upserter.finish();
    return stats;
}

void save_cursors(SQLite::Database& db, const ScanWrite& scan) {
    SQLite::Statement put(db, "INSERT OR REPLACE INTO scan_cursors "
                              "(path, device, inode, size, mtime_ns, offset, head_fingerprint) VALUES (?,?,?,?,?,?,?)");
    for (const auto& [path, c] : scan.cursors) {
        put.bind(1, path);
        put.bind(2, static_cast<std::int64_t>(c.device));
        put.bind(3, static_cast<std::int64_t>(c.inode));
        put.bind(4, static_cast<std::int64_t>(c.size));
        put.bind(5, static_cast<std::int64_t>(c.mtime_ns));
        put.bind(6, static_cast<std::int64_t>(c.offset));
        put.bind(7, static_cast<std::int64_t>(c.head_fingerprint));
        put.exec();
        put.reset();
    }
    SQLite::Statement drop(db, "DELETE FROM scan_cursors WHERE path = ?");
    for (const auto& path : scan.vanished) {
        drop.bind(1, path);
        drop.exec();
        drop.reset();
    }
}

}  // namespace

UpsertStats Store::upsert(const std::vector<UsageRecord>& records) { return upsert(records, {}); }

UpsertStats Store::upsert(const std::vector<UsageRecord>& records, const std::vector<LineUuids>& lines) {
    require_writable("upsert");
    return detail::guarded(file_, "writing records to", [&] {
        SQLite::Transaction tx(*db_, SQLite::TransactionBehavior::IMMEDIATE);
        const UpsertStats stats = upsert_all(*db_, costs_, records, {}, lines);
        tx.commit();
        settle_journal();
        return stats;
    });
}

UpsertStats Store::replace_machine_records(const std::string& machine, const std::vector<UsageRecord>& records,
                                           const std::vector<LineUuids>& lines) {
    require_writable("replace_machine_records");
    return detail::guarded(file_, "replacing records in", [&] {
        SQLite::Transaction tx(*db_, SQLite::TransactionBehavior::IMMEDIATE);
        SQLite::Statement drop_lines(*db_, "DELETE FROM record_lines WHERE record_id IN "
                                           "(SELECT id FROM records WHERE machine_name = ?)");
        drop_lines.bind(1, machine);
        drop_lines.exec();
        SQLite::Statement drop(*db_, "DELETE FROM records WHERE machine_name = ?");
        drop.bind(1, machine);
        drop.exec();
        const UpsertStats stats = upsert_all(*db_, costs_, records, {}, lines);
        detail::rebuild_buckets(*db_, machine);  // the machine's records were deleted above
        tx.commit();
        settle_journal();
        return stats;
    });
}

BatchWrite::BatchWrite(Store& store, SQLite::Database& db, std::filesystem::path file, CostModel costs)
    : store_(&store), db_(&db), file_(std::move(file)), costs_(std::move(costs)), fresh_(std::make_unique<detail::FreshStream>()) {
    tx_ = detail::guarded(file_, "writing records to", [&] {
        return std::make_unique<SQLite::Transaction>(db, SQLite::TransactionBehavior::IMMEDIATE);
    });
}

BatchWrite::~BatchWrite() = default;
BatchWrite::BatchWrite(BatchWrite&&) noexcept = default;

UpsertStats BatchWrite::add(const std::vector<UsageRecord>& records, const std::vector<LineUuids>& lines) {
    if (!tx_) throw Error(ErrorKind::Unexpected, "BatchWrite::add after commit", "this is a bug in ccu; please report it");
    return detail::guarded(file_, "writing records to",
                           [&] { return upsert_all(*db_, costs_, records, {}, lines, fresh_.get()); });
}

void BatchWrite::commit() {
    if (!tx_) return;
    detail::guarded(file_, "writing records to", [&] {
        fresh_->finish();
        tx_->commit();
        store_->settle_journal();
    });
    tx_.reset();
}

BatchWrite Store::begin_batches() {
    require_writable("begin_batches");
    return BatchWrite(*this, *db_, file_, costs_);
}

UpsertStats Store::apply_scan(const ScanWrite& scan) {
    require_writable("apply_scan");
    return detail::guarded(file_, "writing scan results to", [&] {
        SQLite::Transaction tx(*db_, SQLite::TransactionBehavior::IMMEDIATE);
        bool done = false;  // scan.records_done once, whichever path wrote the records
        const UpsertStats stats = upsert_all(*db_, costs_, scan.records, scan.sidechain, scan.lines, nullptr, [&] {
            done = true;
            if (scan.records_done) scan.records_done();
        });
        if (!done && scan.records_done) scan.records_done();
        save_cursors(*db_, scan);
        tx.commit();
        settle_journal();
        return stats;
    });
}

}  // namespace ccu::store
