#include "support/origin_tool.hpp"

#include <SQLiteCpp/SQLiteCpp.h>

#include <algorithm>
#include <fstream>
#include <functional>
#include <optional>
#include <set>
#include <vector>

#include "ccu/common/time.hpp"

namespace ccu::test {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr const char* kSchema = R"sql(
    PRAGMA journal_mode=DELETE;
    CREATE TABLE IF NOT EXISTS usage_records (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        date TEXT NOT NULL, timestamp TEXT NOT NULL, session_id TEXT NOT NULL, message_uuid TEXT NOT NULL,
        message_type TEXT NOT NULL, model TEXT, folder TEXT NOT NULL, git_branch TEXT, version TEXT NOT NULL,
        input_tokens INTEGER NOT NULL, output_tokens INTEGER NOT NULL, cache_creation_tokens INTEGER NOT NULL,
        cache_read_tokens INTEGER NOT NULL, total_tokens INTEGER NOT NULL, machine_name TEXT,
        UNIQUE(session_id, message_uuid));
    ALTER TABLE usage_records ADD COLUMN content TEXT;
    ALTER TABLE usage_records ADD COLUMN cost REAL;
    CREATE INDEX IF NOT EXISTS idx_usage_records_date ON usage_records(date);
)sql";

// Python datetime.isoformat() of a UTC instant: microseconds, "+00:00".
std::string python_iso(std::int64_t ms) {
    std::string z = timeutil::format_rfc3339_ms(ms);  // ...T..:..:..mmmZ
    z.pop_back();
    return z + "000+00:00";
}

std::int64_t count_or(const json& usage, const char* key, std::int64_t fallback) {
    const auto it = usage.find(key);
    return it != usage.end() && it->is_number_integer() ? it->get<std::int64_t>() : fallback;
}

struct Row {
    std::string date, timestamp, session, uuid, type, folder, branch, version;
    std::optional<std::string> model;
    std::int64_t in = 0, out = 0, cc = 0, cr = 0;
};

std::optional<Row> row_of(const json& line, int drop_cache_every) {
    if (!line.is_object() || !line.contains("uuid") || !line.contains("timestamp")) return std::nullopt;
    const std::string type = line.value("type", "");
    const json& message = line.contains("message") ? line["message"] : json();
    Row row;
    const auto ms = timeutil::parse_rfc3339_ms(line["timestamp"].get<std::string>());
    if (!ms) return std::nullopt;
    row.timestamp = python_iso(*ms);
    row.date = timeutil::utc_date(*ms);
    row.session = line.value("sessionId", "");
    row.uuid = line["uuid"].get<std::string>();
    row.folder = line.value("cwd", "");
    row.branch = line.value("gitBranch", "");
    row.version = line.value("version", "unknown");
    if (type == "user") {
        // Prompts only (tool results are not the user's prompts).
        if (!message.is_object() || !message.contains("content") || !message["content"].is_string()) return std::nullopt;
        row.type = "user";
        return row;
    }
    if (type != "assistant" || !message.is_object() || !message.contains("usage")) return std::nullopt;
    const json& usage = message["usage"];
    if (!usage.contains("output_tokens") || !usage["output_tokens"].is_number_integer()) return std::nullopt;
    row.type = "assistant";
    row.model = message.value("model", "");
    row.in = count_or(usage, "input_tokens", 0);
    row.out = count_or(usage, "output_tokens", 0);
    row.cr = count_or(usage, "cache_read_input_tokens", 0);
    const bool dropped = std::hash<std::string>{}(row.uuid) % static_cast<std::size_t>(drop_cache_every) == 0;
    row.cc = dropped ? 0 : count_or(usage, "cache_creation_input_tokens", 0);
    return row;
}

void insert(SQLite::Statement& q, const Row& r, const std::string& machine) {
    q.bind(1, r.date);
    q.bind(2, r.timestamp);
    q.bind(3, r.session);
    q.bind(4, r.uuid);
    q.bind(5, r.type);
    if (r.model) q.bind(6, *r.model); else q.bind(6);
    q.bind(7, r.folder);
    q.bind(8, r.branch);
    q.bind(9, r.version);
    q.bind(10, r.in);
    q.bind(11, r.out);
    q.bind(12, r.cc);
    q.bind(13, r.cr);
    q.bind(14, r.in + r.out + r.cc + r.cr);
    q.bind(15, machine);
    q.exec();
    q.reset();
}

std::vector<fs::path> jsonl_files(const fs::path& dir) {
    std::vector<fs::path> files;
    for (const auto& e : fs::recursive_directory_iterator(dir)) {
        if (e.is_regular_file() && e.path().extension() == ".jsonl") files.push_back(e.path());
    }
    std::sort(files.begin(), files.end());
    return files;
}

json export_file(const std::string& machine, const std::vector<json>& records, const json& extra) {
    std::int64_t tokens = 0;
    std::set<std::string> sessions;
    for (const auto& r : records) {
        tokens += r["total_tokens"].get<std::int64_t>();
        sessions.insert(r["session_id"].get<std::string>());
    }
    json doc = {{"machine_name", machine},
                {"export_date", "2026-11-30T08:00:00.000000+00:00"},
                {"data_range", {{"oldest", records.empty() ? json() : records.front()["date"]},
                                {"newest", records.empty() ? json() : records.back()["date"]}}},
                {"records", records},
                {"statistics", {{"total_records", records.size()}, {"total_sessions", sessions.size()},
                                {"total_tokens", tokens}, {"total_cost", 0.0}}}};
    for (const auto& [k, v] : extra.items()) doc[k] = v;
    return doc;
}

}  // namespace

OriginDbStats write_origin_db_from_tree(const fs::path& projects_dir, const fs::path& db_file, const std::string& machine,
                                        int drop_cache_every) {
    fs::create_directories(db_file.parent_path());
    SQLite::Database db(db_file.string(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    db.exec(kSchema);
    SQLite::Transaction tx(db);
    SQLite::Statement q(db, "INSERT OR IGNORE INTO usage_records (date, timestamp, session_id, message_uuid, "
                            "message_type, model, folder, git_branch, version, input_tokens, output_tokens, "
                            "cache_creation_tokens, cache_read_tokens, total_tokens, machine_name) "
                            "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
    for (const auto& file : jsonl_files(projects_dir)) {
        std::ifstream in(file);
        for (std::string text; std::getline(in, text);) {
            const json line = json::parse(text, nullptr, false);
            if (line.is_discarded()) continue;
            if (const auto row = row_of(line, drop_cache_every)) insert(q, *row, machine);
        }
    }
    tx.commit();
    OriginDbStats stats;
    stats.rows = db.execAndGet("SELECT COUNT(*) FROM usage_records").getInt64();
    stats.prompt_rows = db.execAndGet("SELECT COUNT(*) FROM usage_records WHERE message_type = 'user'").getInt64();
    stats.total_tokens = db.execAndGet("SELECT COALESCE(SUM(total_tokens), 0) FROM usage_records").getInt64();
    return stats;
}

OriginGist export_origin_gist(const fs::path& db_file, const std::string& machine, OriginChunking chunking,
                              std::size_t chunk_records) {
    SQLite::Database db("file:" + db_file.string() + "?mode=ro", SQLite::OPEN_READONLY | SQLite::OPEN_URI);
    SQLite::Statement q(db, "SELECT session_id, message_uuid, timestamp, model, total_tokens, input_tokens, "
                            "output_tokens, cache_creation_tokens, cache_read_tokens, folder, git_branch, version, "
                            "date FROM usage_records ORDER BY timestamp ASC");
    std::map<std::string, std::vector<json>> by_month;
    std::vector<json> all;
    while (q.executeStep()) {
        json r = {{"session_id", q.getColumn(0).getString()}, {"message_uuid", q.getColumn(1).getString()},
                  {"timestamp", q.getColumn(2).getString()},
                  {"model", q.getColumn(3).isNull() ? json() : json(q.getColumn(3).getString())},
                  {"total_tokens", q.getColumn(4).getInt64()}, {"input_tokens", q.getColumn(5).getInt64()},
                  {"output_tokens", q.getColumn(6).getInt64()}, {"cache_creation_tokens", q.getColumn(7).getInt64()},
                  {"cache_read_tokens", q.getColumn(8).getInt64()}, {"folder", q.getColumn(9).getString()},
                  {"git_branch", q.getColumn(10).getString()}, {"version", q.getColumn(11).getString()},
                  {"date", q.getColumn(12).getString()}};
        by_month[r["date"].get<std::string>().substr(0, 7)].push_back(r);
        all.push_back(std::move(r));
    }
    OriginGist out;
    std::vector<std::string> names;
    if (chunking == OriginChunking::Single) {
        const std::string name = "usage_data_" + machine + ".json";
        out.files[name] = export_file(machine, all, json::object()).dump(2);
        names.push_back(name);
    } else {
        for (const auto& [month, rows] : by_month) {
            const std::string stem = "usage_data_" + machine + "_" + month.substr(0, 4) + "_" + month.substr(5, 2);
            const std::size_t parts = (rows.size() + chunk_records - 1) / chunk_records;
            for (std::size_t p = 0; p < parts; ++p) {
                const std::vector<json> slice(rows.begin() + static_cast<std::ptrdiff_t>(p * chunk_records),
                                              rows.begin() + static_cast<std::ptrdiff_t>(std::min(rows.size(), (p + 1) * chunk_records)));
                const std::string name = parts == 1 ? stem + ".json" : stem + "_p" + std::to_string(p + 1) + ".json";
                out.files[name] = export_file(machine, slice, {{"period", month}, {"chunk", p + 1}}).dump(2);
                names.push_back(name);
            }
        }
    }
    out.entry = {{"machine_name", machine},
                 {"last_sync", "2026-11-30T08:00:00.000000+00:00"},
                 {"last_record_date", all.empty() ? json() : all.back()["date"]},
                 {"total_records", all.size()},
                 {"current_file", names.empty() ? "usage_data_" + machine + ".json" : names.front()},
                 {"backups", json::array()},
                 {"data_files", names}};
    return out;
}

std::string origin_manifest(const std::vector<json>& entries) {
    const json m = {{"version", "1.0"},
                    {"last_updated", "2026-11-30T08:00:00.000000+00:00"},
                    {"backup_retention_days", 0},
                    {"machines", entries}};
    return m.dump(2);
}

}  // namespace ccu::test
