// Record reads of the Store: queries in (timestamp, session, uuid) order, counts, push tracking.
#include <SQLiteCpp/SQLiteCpp.h>

#include "ccu/store/store.hpp"
#include "store/sqlite_error.hpp"

namespace ccu::store {
namespace {

constexpr const char* kRecordColumns =
    "session_id, message_uuid, timestamp, model, input_tokens, output_tokens, cache_creation_tokens, "
    "cache_read_tokens, folder, git_branch, version, message_id, request_id, cost_usd, machine_name, "
    "cache_creation_1h_tokens, project";

std::optional<std::string> optional_text(const SQLite::Column& c) {
    if (c.isNull()) return std::nullopt;
    return c.getString();
}

UsageRecord read_record(SQLite::Statement& q) {
    UsageRecord r;
    r.session_id = q.getColumn(0).getString();
    r.message_uuid = q.getColumn(1).getString();
    r.timestamp = q.getColumn(2).getString();
    r.model = q.getColumn(3).getString();
    r.input_tokens = q.getColumn(4).getInt64();
    r.output_tokens = q.getColumn(5).getInt64();
    r.cache_creation_tokens = q.getColumn(6).getInt64();
    r.cache_read_tokens = q.getColumn(7).getInt64();
    r.folder = q.getColumn(8).getString();
    r.git_branch = optional_text(q.getColumn(9));
    r.version = optional_text(q.getColumn(10));
    r.message_id = optional_text(q.getColumn(11));
    r.request_id = optional_text(q.getColumn(12));
    if (!q.getColumn(13).isNull()) r.cost_usd = q.getColumn(13).getDouble();
    r.machine_name = q.getColumn(14).getString();
    r.cache_creation_1h_tokens = q.getColumn(15).getInt64();
    r.project = q.getColumn(16).getString();
    return r;
}

}  // namespace

std::vector<UsageRecord> Store::query(const RecordQuery& query) const {
    return detail::guarded(file_, "reading records from", [&] {
        std::string sql = std::string("SELECT ") + kRecordColumns + " FROM records WHERE 1 = 1";
        if (query.machine) sql += " AND machine_name = :machine";
        if (query.since_ms) sql += " AND timestamp_ms >= :since";
        if (query.until_ms) sql += " AND timestamp_ms < :until";
        sql += " ORDER BY timestamp_ms, session_id, message_uuid";
        SQLite::Statement q(*db_, sql);
        if (query.machine) q.bind(":machine", *query.machine);
        if (query.since_ms) q.bind(":since", static_cast<std::int64_t>(*query.since_ms));
        if (query.until_ms) q.bind(":until", static_cast<std::int64_t>(*query.until_ms));
        std::vector<UsageRecord> out;
        while (q.executeStep()) out.push_back(read_record(q));
        return out;
    });
}

std::int64_t Store::count(const std::optional<std::string>& machine) const {
    return detail::guarded(file_, "counting records in", [&] {
        SQLite::Statement q(*db_, machine ? "SELECT COUNT(*) FROM records WHERE machine_name = ?"
                                          : "SELECT COUNT(*) FROM records");
        if (machine) q.bind(1, *machine);
        q.executeStep();
        return q.getColumn(0).getInt64();
    });
}

std::vector<std::string> Store::machine_names() const {
    return detail::guarded(file_, "reading machine names from", [&] {
        // records_machine_sequence (machine_name, sequence) serves the DISTINCT without a table scan.
        SQLite::Statement q(*db_, "SELECT DISTINCT machine_name FROM records ORDER BY machine_name");
        std::vector<std::string> out;
        while (q.executeStep()) out.push_back(q.getColumn(0).getString());
        return out;
    });
}

std::int64_t Store::max_sequence() const {
    return detail::guarded(file_, "reading", [&] {
        return db_->execAndGet("SELECT value FROM sequence_counter WHERE id = 1").getInt64();
    });
}

std::vector<UsageRecord> Store::changed_since(const std::string& machine, std::int64_t after_sequence) const {
    return detail::guarded(file_, "reading changed records from", [&] {
        SQLite::Statement q(*db_, std::string("SELECT ") + kRecordColumns +
                                      " FROM records WHERE machine_name = ? AND sequence > ?"
                                      " ORDER BY timestamp_ms, session_id, message_uuid");
        q.bind(1, machine);
        q.bind(2, static_cast<std::int64_t>(after_sequence));
        std::vector<UsageRecord> out;
        while (q.executeStep()) out.push_back(read_record(q));
        return out;
    });
}

void Store::for_each_changed_since(const std::string& machine, std::int64_t after_sequence,
                                   const std::function<void(UsageRecord&&)>& visit) const {
    detail::guarded(file_, "reading changed records from", [&] {
        SQLite::Statement q(*db_, std::string("SELECT ") + kRecordColumns +
                                      " FROM records WHERE machine_name = ? AND sequence > ?"
                                      " ORDER BY timestamp, session_id, message_uuid");
        q.bind(1, machine);
        q.bind(2, static_cast<std::int64_t>(after_sequence));
        while (q.executeStep()) visit(read_record(q));
        return 0;
    });
}

std::int64_t Store::count_changed_since(const std::string& machine, std::int64_t after_sequence) const {
    return detail::guarded(file_, "reading changed records from", [&] {
        SQLite::Statement q(*db_, "SELECT COUNT(*) FROM records WHERE machine_name = ? AND sequence > ?");
        q.bind(1, machine);
        q.bind(2, static_cast<std::int64_t>(after_sequence));
        q.executeStep();
        return q.getColumn(0).getInt64();
    });
}

}  // namespace ccu::store
