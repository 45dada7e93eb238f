#pragma once
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ccu/common/file_cursor.hpp"
#include "ccu/common/record.hpp"

namespace SQLite {
class Database;
}

namespace ccu::store {

enum class OpenMode { ReadWrite, ReadOnly };

struct UpsertStats {
    std::size_t inserted = 0;
    std::size_t updated = 0;    // an existing record got a larger token total
    std::size_t unchanged = 0;  // duplicate
};

// What one scan writes, in one transaction: its records (with their sidechain flags, parallel to
// `records`: 1 = a sidechain line, merged across scans by message.id; and the uuids of each
// response's other lines), the cursor of every file
// seen and the paths that vanished. References: the caller's scan result is not copied.
struct ScanWrite {
    const std::vector<UsageRecord>& records;
    const std::vector<std::uint8_t>& sidechain;
    const std::vector<LineUuids>& lines;  // parallel: the further JSONL line uuids of each record
    const std::map<std::string, FileCursor>& cursors;
    const std::vector<std::string>& vanished;
};

struct RecordQuery {
    std::optional<std::string> machine;  // nullopt: all machines
    std::optional<std::int64_t> since_ms;  // inclusive, epoch ms
    std::optional<std::int64_t> until_ms;  // exclusive, epoch ms
};

using LineUuids = ccu::LineUuids;

// ccu's own SQLite store in the data dir (WAL, schema version + migrations).
// Records keyed (session_id, message_uuid); a record that matches an existing one by
// (message_id, request_id), or by any of its line uuids (table record_lines), is the same
// response: message_uuid stays, the larger total wins — except that the logs are the truth: a
// record with response ids supplies the counts of a stored one without them (an origin-tool
// row), never the reverse.
// Every insert or update stamps a new, strictly increasing sequence number (push tracking).
class Store {
public:
    // ReadWrite creates the data dir (0700) and file (0600) when missing, sets WAL and migrates.
    // ReadOnly opens with SQLITE_OPEN_READONLY and never writes (missing file: NotConfigured).
    // A write that waits longer than `busy_timeout` for another process throws ErrorKind::Locked.
    Store(const std::filesystem::path& db_file, OpenMode mode);
    Store(const std::filesystem::path& db_file, OpenMode mode, std::chrono::milliseconds busy_timeout);
    ~Store();
    Store(Store&&) noexcept;
    Store& operator=(Store&&) noexcept;

    int schema_version() const;

    UpsertStats upsert(const std::vector<UsageRecord>& records);  // one transaction
    // The same, with the further JSONL line uuids of each record (parallel to `records`, or
    // empty): every line uuid of a response is remembered, and a record whose uuid or any line
    // is a line of a stored response is that response (the origin tool stored one row per line).
    UpsertStats upsert(const std::vector<UsageRecord>& records, const std::vector<LineUuids>& lines);
    // Deletes every record of `machine` and upserts `records` instead, in one transaction: a
    // machine file of a newer generation supersedes what was imported before (docs/format.md).
    UpsertStats replace_machine_records(const std::string& machine, const std::vector<UsageRecord>& records,
                                        const std::vector<LineUuids>& lines = {});
    // Upserts a scan's records and saves its cursors in one transaction.
    UpsertStats apply_scan(const ScanWrite& scan);
    std::map<std::string, FileCursor> load_cursors() const;

    std::vector<UsageRecord> query(const RecordQuery& query) const;  // sorted (timestamp, session, uuid)
    std::int64_t count(const std::optional<std::string>& machine = std::nullopt) const;
    // The machine names that have records, sorted (report --machine checks its argument here).
    std::vector<std::string> machine_names() const;

    std::int64_t max_sequence() const;
    // Records of `machine` inserted or updated after `after_sequence`, sorted as query().
    std::vector<UsageRecord> changed_since(const std::string& machine, std::int64_t after_sequence) const;
    // Local records were stamped with the machine name in use at scan time; setup may rename.
    void rename_machine(const std::string& from, const std::string& to);

    std::optional<std::string> get_meta(const std::string& key) const;
    void set_meta(const std::string& key, const std::string& value);

    const std::filesystem::path& file() const { return file_; }
    OpenMode mode() const { return mode_; }

private:
    void require_writable(const char* action) const;

    std::unique_ptr<SQLite::Database> db_;
    std::filesystem::path file_;
    OpenMode mode_ = OpenMode::ReadWrite;
};

}  // namespace ccu::store
