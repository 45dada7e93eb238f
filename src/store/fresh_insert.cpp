#include "store/fresh_insert.hpp"

#include <SQLiteCpp/SQLiteCpp.h>
#include <sqlite3.h>

#include "ccu/common/time.hpp"
#include "store/buckets.hpp"
#include "store/record_writer.hpp"

namespace ccu::store::detail {
namespace {

bool without_message_id(const UsageRecord& r) { return !r.message_id || r.message_id->empty(); }

// Whether `q`, a SELECT of (session, uuid), finds a row.
bool finds(SQLite::Statement& q, const std::string& session, const std::string& uuid) {
    q.bind(1, session);
    q.bind(2, uuid);
    const bool found = q.executeStep();
    q.reset();
    return found;
}

// Inserts every record with its further lines, or returns false at the first one that is not
// new. The unique keys catch a record's own uuid held as an identity and a further line held as
// a line; what they cannot see, as record_lines does not hold own uuids (schema v8), is looked up:
// an own uuid held as a further line, a further line held as an identity.
bool insert_all(SQLite::Database& db, const CostModel& costs, const std::vector<UsageRecord>& records,
                const std::vector<LineUuids>& lines) {
    std::int64_t sequence = db.execAndGet("SELECT value FROM sequence_counter WHERE id = 1").getInt64();
    RecordInserter inserter(db);
    SQLite::Statement line(db, "INSERT INTO record_lines (session_id, line_uuid, record_id) VALUES (?, ?, ?)");
    SQLite::Statement line_held(db, "SELECT 1 FROM record_lines WHERE session_id = ? AND line_uuid = ?");
    SQLite::Statement identity_held(db, "SELECT 1 FROM records WHERE session_id = ? AND message_uuid = ?");
    const auto add_line = [&](const std::string& session, const std::string& uuid, std::int64_t id) {
        if (finds(identity_held, session, uuid)) return false;
        line.bind(1, session);
        line.bind(2, uuid);
        line.bind(3, id);
        line.exec();
        line.reset();
        return true;
    };
    // Per batch: summed over a whole 1M-row import, the changes took 546 MB (bench/README.md).
    BucketChanges buckets;
    for (std::size_t i = 0; i < records.size(); ++i) {
        const UsageRecord& r = records[i];
        const std::int64_t ms = timeutil::parse_rfc3339_ms(r.timestamp).value_or(0);
        const RecordCost cost = costs.cost_of(r);
        if (finds(line_held, r.session_id, r.message_uuid)) return false;
        inserter.insert(r, r, r, ms, ++sequence, cost);
        const std::int64_t id = db.getLastInsertRowid();
        if (i < lines.size()) {
            for (const LineRef& l : lines[i]) {
                if (!add_line(l.session_id, l.uuid, id)) return false;
            }
        }
        buckets.add(bucket_of(r, ms), r, cost, +1);
    }
    buckets.flush(db);
    write_sequence(db, sequence);
    return true;
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
    const auto undo = [&db] {
        db.exec("ROLLBACK TO ccu_fresh_insert");
        db.exec("RELEASE ccu_fresh_insert");
    };
    db.exec("SAVEPOINT ccu_fresh_insert");
    try {
        if (!insert_all(db, costs, records, lines)) {
            undo();
            return false;
        }
    } catch (const SQLite::Exception& e) {
        undo();
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
