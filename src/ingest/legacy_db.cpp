// Import of the origin Python tool's SQLite history (wangtae/claude-code-usage-analytics,
// src/storage/snapshot_db.py: table usage_records, UNIQUE(session_id, message_uuid)).
#include "ccu/ingest/legacy_db.hpp"

#include <SQLiteCpp/SQLiteCpp.h>
#include <sqlite3.h>

#include <algorithm>
#include <memory>
#include <optional>
#include <set>
#include <system_error>
#include <utility>

#include "ccu/common/config.hpp"
#include "ccu/common/parallel.hpp"
#include "ccu/common/time.hpp"
#include "ccu/common/origin_rows.hpp"

namespace ccu::ingest {
namespace fs = std::filesystem;

namespace {

constexpr std::string_view kPrefix = "usage_history_";
constexpr std::string_view kSuffix = ".db";

struct LegacyRow {
    std::int64_t id = 0;
    std::int64_t timestamp_ms = 0;
    std::string message_type;  // empty when the column is missing (oldest schema)
    std::string row_machine;
    UsageRecord record;
};

// SQLite URI for a path: percent-encode everything but unreserved characters and '/'.
std::string file_uri(const fs::path& file, std::string_view query) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string uri = "file:";
    for (const unsigned char c : fs::absolute(file).string()) {
        const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '/' ||
                           c == '-' || c == '_' || c == '.' || c == '~';
        if (plain) {
            uri.push_back(static_cast<char>(c));
        } else {
            uri.push_back('%');
            uri.push_back(kHex[c >> 4]);
            uri.push_back(kHex[c & 0x0f]);
        }
    }
    uri += "?";
    uri += query;
    return uri;
}

SQLite::Database open_read_only(const fs::path& file) {
    std::error_code ec;
    const bool live_wal = fs::exists(fs::path(file.string() + "-wal"), ec) && fs::exists(fs::path(file.string() + "-shm"), ec);
    // immutable=1: SQLite takes no lock and never creates -wal/-shm next to the file. Only when
    // the origin tool left a live WAL (both files present) do we need it, read through mode=ro.
    return SQLite::Database(file_uri(file, live_wal ? "mode=ro" : "immutable=1"),
                            SQLite::OPEN_READONLY | SQLite::OPEN_URI);
}

std::set<std::string> column_names(SQLite::Database& db) {
    std::set<std::string> names;
    SQLite::Statement q(db, "PRAGMA table_info(usage_records)");
    while (q.executeStep()) names.insert(q.getColumn(1).getString());
    return names;
}

// The rows are read through SQLite's own column calls: SQLiteCpp's Column (a shared_ptr copy
// each) was ~10 % of the reading thread's instructions (bench/README.md, "simdjson data files").
bool is_null(sqlite3_stmt* q, int column) { return sqlite3_column_type(q, column) == SQLITE_NULL; }

std::string text_of(sqlite3_stmt* q, int column) {
    const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(q, column));
    return text == nullptr ? std::string() : std::string(text, static_cast<std::size_t>(sqlite3_column_bytes(q, column)));
}

std::optional<std::string> non_empty(sqlite3_stmt* q, int column) {
    if (is_null(q, column)) return std::nullopt;
    std::string text = text_of(q, column);
    if (text.empty()) return std::nullopt;
    return text;
}

// The origin tool stored the whole cwd; docs/format.md §4 "Record fields" wants its
// last path component.
std::string folder_name(std::string cwd) {
    while (!cwd.empty() && (cwd.back() == '/' || cwd.back() == '\\')) cwd.pop_back();
    const auto slash = cwd.find_last_of("/\\");
    return slash == std::string::npos ? cwd : cwd.substr(slash + 1);
}

// Claude Code names a project's log directory after its cwd with every character other than
// a letter or digit replaced by '-' ("/home/u/proj" -> "-home-u-proj"): ccusage's projectPath.
std::string project_dir_name(std::string cwd) {
    while (cwd.size() > 1 && (cwd.back() == '/' || cwd.back() == '\\')) cwd.pop_back();
    for (char& c : cwd) {
        const auto u = static_cast<unsigned char>(c);
        if (!((u >= '0' && u <= '9') || (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z'))) c = '-';
    }
    return cwd;
}

// Timestamps are Python isoformat(): "...+00:00" with microseconds, or "...Z" when they came
// through a gist import. A naive timestamp (no zone) is taken as UTC.
std::optional<std::int64_t> legacy_time(const char* text) {
    if (auto ms = timeutil::parse_rfc3339_ms(text)) return ms;
    return timeutil::parse_rfc3339_ms(std::string(text) + "Z");
}

// Returns the reason a row is not a billed response, or nullopt when it is one.
std::optional<std::string> reject_reason(const LegacyRow& row) {
    const UsageRecord& r = row.record;
    if (!row.message_type.empty() && row.message_type != "assistant") return "user prompt (no usage)";
    if (r.session_id.empty() || r.message_uuid.empty()) return "missing session_id or message_uuid";
    if (r.model == "<synthetic>") return "<synthetic> model (no billed usage)";
    if (r.input_tokens < 0 || r.output_tokens < 0 || r.cache_creation_tokens < 0 || r.cache_read_tokens < 0) {
        return "negative token count";
    }
    if (r.total_tokens() == 0) return "no token usage";
    return std::nullopt;
}

// ccu_origin_ms(timestamp): epoch ms of an origin timestamp, NULL when unparseable. The rows are
// read sorted by it, so that they reach the OriginStream in time order.
void origin_ms_function(sqlite3_context* context, int, sqlite3_value** argv) {
    const unsigned char* text = sqlite3_value_text(argv[0]);
    const auto ms = text == nullptr ? std::nullopt : legacy_time(reinterpret_cast<const char*>(text));
    if (ms) {
        sqlite3_result_int64(context, *ms);
    } else {
        sqlite3_result_null(context);
    }
}

// Receives a batch of records and their further lines, to keep.
using HandOnFn = std::function<void(std::vector<UsageRecord>&&, std::vector<LineUuids>&&)>;

// Reads the rows in (time, id) order (SQLite sorts in bounded memory, spilling to its temporary
// files), stamps each row's machine and feeds the OriginStream; hands the records that are
// ready to `batch` whenever about `batch_records` have gathered.
class RowReader {
public:
    RowReader(LegacyReadResult& result, const std::string& owner_machine, const std::string& file_machine,
              const HandOnFn& batch, std::size_t batch_records)
        : result_(result), owner_(owner_machine), file_machine_(file_machine), batch_(batch),
          batch_records_(std::max<std::size_t>(batch_records, 1)),
          ready_every_(std::min<std::uint64_t>(kReadyEvery, batch_records_)) {}

    void read(SQLite::Database& db, const std::set<std::string>& columns) {
        db.createFunction("ccu_origin_ms", 1, true, nullptr, &origin_ms_function);
        const bool has_type = columns.count("message_type") > 0;
        const bool has_machine = columns.count("machine_name") > 0;
        const std::string sql = std::string("SELECT ccu_origin_ms(timestamp) AS ms, id, session_id, message_uuid, "
                                            "model, folder, git_branch, version, input_tokens, output_tokens, "
                                            "cache_creation_tokens, cache_read_tokens, ") +
                                (has_type ? "message_type" : "NULL") + ", " + (has_machine ? "machine_name" : "NULL") +
                                " FROM usage_records ORDER BY ms, id";
        sqlite3* handle = db.getHandle();
        sqlite3_stmt* prepared = nullptr;
        if (const int rc = sqlite3_prepare_v2(handle, sql.c_str(), -1, &prepared, nullptr); rc != SQLITE_OK) {
            throw SQLite::Exception(handle, rc);
        }
        const std::unique_ptr<sqlite3_stmt, int (*)(sqlite3_stmt*)> q(prepared, &sqlite3_finalize);
        for (int rc = sqlite3_step(q.get()); rc != SQLITE_DONE; rc = sqlite3_step(q.get())) {
            if (rc != SQLITE_ROW) throw SQLite::Exception(handle, rc);
            ++result_.rows;
            if (auto row = read_row(q.get())) stream_.add(std::move(*row));
            if (result_.rows % ready_every_ == 0) deliver(false);
        }
        stream_.finish(ready_);
        deliver(true);
    }

private:
    static constexpr std::uint64_t kReadyEvery = 1024;

    std::optional<OriginRow> read_row(sqlite3_stmt* q) {
        if (is_null(q, 0)) {
            ++result_.skipped["unparseable timestamp"];
            return std::nullopt;
        }
        LegacyRow row;
        row.timestamp_ms = sqlite3_column_int64(q, 0);
        row.id = sqlite3_column_int64(q, 1);
        UsageRecord& r = row.record;
        r.session_id = text_of(q, 2);
        r.message_uuid = text_of(q, 3);
        r.timestamp = timeutil::format_rfc3339_ms(row.timestamp_ms);
        r.model = non_empty(q, 4).value_or("unknown");
        const std::string cwd = text_of(q, 5);
        r.folder = folder_name(cwd);
        r.project = project_dir_name(cwd);
        r.git_branch = non_empty(q, 6);
        r.version = non_empty(q, 7);
        if (r.version == "unknown") r.version.reset();
        r.input_tokens = sqlite3_column_int64(q, 8);
        r.output_tokens = sqlite3_column_int64(q, 9);
        r.cache_creation_tokens = sqlite3_column_int64(q, 10);
        r.cache_read_tokens = sqlite3_column_int64(q, 11);
        row.message_type = text_of(q, 12);  // NULL reads as ""
        row.row_machine = text_of(q, 13);
        if (const auto reason = reject_reason(row)) {
            ++result_.skipped[*reason];
            return std::nullopt;
        }
        const bool own = row.row_machine.empty() || row.row_machine == file_machine_;
        r.machine_name = own ? owner_ : sanitize_machine_name(row.row_machine);
        return OriginRow{std::move(r), row.timestamp_ms, row.id};
    }

    void deliver(bool all) {
        stream_.take_ready(ready_);
        result_.merged += std::exchange(ready_.merged, 0);
        if (ready_.records.empty() || (!all && ready_.records.size() < batch_records_)) return;
        result_.record_count += ready_.records.size();
        batch_(std::move(ready_.records), std::move(ready_.lines));
        ready_.records.clear();  // valid but unspecified after the move
        ready_.lines.clear();
    }

    LegacyReadResult& result_;
    const std::string& owner_;
    const std::string& file_machine_;
    const HandOnFn& batch_;
    std::size_t batch_records_;
    std::uint64_t ready_every_;  // rows between two looks for ready records
    OriginStream stream_;
    OriginCollapse ready_;
};

}  // namespace

std::uint64_t LegacyReadResult::skipped_total() const {
    std::uint64_t total = 0;
    for (const auto& [reason, n] : skipped) total += n;
    return total;
}

std::vector<fs::path> find_legacy_dbs(const fs::path& dir) {
    std::vector<fs::path> found;
    std::error_code ec;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
        const std::string name = it->path().filename().string();
        if (name.size() > kPrefix.size() + kSuffix.size() && name.starts_with(kPrefix) && name.ends_with(kSuffix) &&
            it->is_regular_file(ec)) {
            found.push_back(it->path());
        }
    }
    std::sort(found.begin(), found.end());
    return found;
}

std::string legacy_db_machine(const fs::path& file) {
    std::string name = file.filename().string();
    if (name.starts_with(kPrefix)) name.erase(0, kPrefix.size());
    if (name.ends_with(kSuffix)) name.erase(name.size() - kSuffix.size());
    return name;
}

namespace {

// Batches read ahead while the caller writes the current one: reading and collapsing the rows
// was ~30 % of a 1M-record import's CPU (bench/README.md), done on the second core meanwhile.
constexpr std::size_t kBatchesAhead = 2;

LegacyReadResult read_rows(const fs::path& file, const std::string& owner_machine, const HandOnFn& batch,
                           std::size_t batch_records) {
    LegacyReadResult result;
    try {
        SQLite::Database db = open_read_only(file);
        const auto columns = column_names(db);
        for (const char* required : {"id", "session_id", "message_uuid", "timestamp", "model", "folder", "git_branch",
                                     "version", "input_tokens", "output_tokens", "cache_creation_tokens",
                                     "cache_read_tokens"}) {
            if (columns.count(required) == 0) {
                result.problem = columns.empty() ? "no usage_records table"
                                                 : std::string("usage_records has no column ") + required;
                return result;
            }
        }
        RowReader(result, owner_machine, legacy_db_machine(file), batch, batch_records).read(db, columns);
    } catch (const SQLite::Exception& e) {
        result = LegacyReadResult{};
        result.problem = e.what();
    }
    return result;
}

struct Batch {
    std::vector<UsageRecord> records;
    std::vector<LineUuids> lines;
};

}  // namespace

LegacyReadResult read_legacy_db(const fs::path& file, const std::string& owner_machine, const LegacyBatchFn& batch,
                                std::size_t batch_records) {
    LegacyReadResult result;
    pipeline<Batch>(
        kBatchesAhead,
        [&](const auto& emit) {
            result = read_rows(file, owner_machine,
                               [&emit](std::vector<UsageRecord>&& records, std::vector<LineUuids>&& lines) {
                                   emit(Batch{std::move(records), std::move(lines)});
                               },
                               batch_records);
        },
        [&batch](Batch& b) { batch(b.records, b.lines); });
    return result;
}

LegacyReadResult read_legacy_db(const fs::path& file, const std::string& owner_machine) {
    std::vector<UsageRecord> records;
    std::vector<LineUuids> lines;
    LegacyReadResult result = read_legacy_db(
        file, owner_machine,
        [&](const std::vector<UsageRecord>& batch_records, const std::vector<LineUuids>& batch_lines) {
            records.insert(records.end(), batch_records.begin(), batch_records.end());
            lines.insert(lines.end(), batch_lines.begin(), batch_lines.end());
        },
        kLegacyBatchRecords);
    if (result.problem.empty()) {
        result.records = std::move(records);
        result.lines = std::move(lines);
    }
    return result;
}

}  // namespace ccu::ingest
