#include "store/fresh_insert.hpp"

#include <SQLiteCpp/SQLiteCpp.h>
#include <sqlite3.h>

#include "ccu/common/time.hpp"
#include "store/buckets.hpp"
#include "store/record_writer.hpp"

namespace ccu::store::detail {
namespace {

bool without_message_id(const UsageRecord& r) { return !r.message_id || r.message_id->empty(); }

void insert_all(SQLite::Database& db, const CostModel& costs, const std::vector<UsageRecord>& records,
                const std::vector<LineUuids>& lines) {
    std::int64_t sequence = db.execAndGet("SELECT value FROM sequence_counter WHERE id = 1").getInt64();
    RecordInserter inserter(db);
    SQLite::Statement line(db, "INSERT INTO record_lines (session_id, line_uuid, record_id) VALUES (?, ?, ?)");
    const auto add_line = [&line](const std::string& session, const std::string& uuid, std::int64_t id) {
        line.bind(1, session);
        line.bind(2, uuid);
        line.bind(3, id);
        line.exec();
        line.reset();
    };
    // Per batch: summed over a whole 1M-row import, the changes took 546 MB (bench/README.md).
    BucketChanges buckets;
    for (std::size_t i = 0; i < records.size(); ++i) {
        const UsageRecord& r = records[i];
        const std::int64_t ms = timeutil::parse_rfc3339_ms(r.timestamp).value_or(0);
        const RecordCost cost = costs.cost_of(r);
        inserter.insert(r, r, r, ms, ++sequence, cost);
        const std::int64_t id = db.getLastInsertRowid();
        add_line(r.session_id, r.message_uuid, id);
        if (i < lines.size()) {
            for (const LineRef& l : lines[i]) add_line(l.session_id, l.uuid, id);
        }
        buckets.add(bucket_of(r, ms), r, cost, +1);
    }
    buckets.flush(db);
    write_sequence(db, sequence);
}

}  // namespace

bool insert_if_all_new(SQLite::Database& db, const CostModel& costs, const std::vector<UsageRecord>& records,
                       const std::vector<LineUuids>& lines, UpsertStats& stats) {
    FreshStream stream;
    const bool inserted = stream.insert_if_all_new(db, costs, records, lines, stats);
    stream.finish();
    return inserted;
}

bool FreshStream::insert_if_all_new(SQLite::Database& db, const CostModel& costs,
                                    const std::vector<UsageRecord>& records, const std::vector<LineUuids>& lines,
                                    UpsertStats& stats) {
    if (records.empty()) return false;
    for (const UsageRecord& r : records) {
        if (!without_message_id(r)) return false;
    }
    if (!indexes_considered_ && records.size() >= kBulkLoadMinRecords) {
        indexes_considered_ = true;  // only the first large batch may find the store empty
        if (records_table_empty(db)) indexes_ = std::make_unique<DeferredIndexes>(db);
    }
    db.exec("SAVEPOINT ccu_fresh_insert");
    try {
        insert_all(db, costs, records, lines);
    } catch (const SQLite::Exception& e) {
        db.exec("ROLLBACK TO ccu_fresh_insert");
        db.exec("RELEASE ccu_fresh_insert");
        if ((e.getErrorCode() & 0xff) == SQLITE_CONSTRAINT) return false;
        throw;
    }
    db.exec("RELEASE ccu_fresh_insert");
    stats.inserted += records.size();
    return true;
}

void FreshStream::finish() {
    if (indexes_) {
        indexes_->create_again();
        indexes_.reset();
    }
}

}  // namespace ccu::store::detail
