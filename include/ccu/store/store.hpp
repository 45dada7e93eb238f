#pragma once
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ccu/common/cost_model.hpp"
#include "ccu/common/file_cursor.hpp"
#include "ccu/common/record.hpp"

namespace SQLite {
class Database;
class Transaction;
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
// response's other lines), the cursors to save (each replaces the stored one of its path; files
// whose cursor did not change may be left out) and the paths that vanished. References: the caller's scan result is not copied.
struct ScanWrite {
    const std::vector<UsageRecord>& records;
    const std::vector<std::uint8_t>& sidechain;
    const std::vector<LineUuids>& lines;  // parallel: the further JSONL line uuids of each record
    const std::map<std::string, FileCursor>& cursors;
    const std::vector<std::string>& vanished;
    // Optional: called once, before apply_scan returns, as soon as the write no longer reads
    // `records`, `sidechain` and `lines` (a cold scan's bulk load: before its indexes are built
    // and it commits), so that the caller can free them meanwhile on another core.
    std::function<void()> records_done = {};
};

struct RecordQuery {
    std::optional<std::string> machine;  // nullopt: all machines
    std::optional<std::int64_t> since_ms;  // inclusive, epoch ms
    std::optional<std::int64_t> until_ms;  // exclusive, epoch ms
};

using LineUuids = ccu::LineUuids;

// Usage summed per quarter hour x machine x session x model (store/buckets.hpp). Names are
// indexes into BucketSet::names.
struct UsageBucket {
    std::int64_t quarter = 0;  // epoch ms / 900000
    std::uint32_t machine = 0;
    std::uint32_t session = 0;
    std::uint32_t model = 0;
    std::uint32_t project = 0;  // of the bucket's first record; "" when unknown
    std::uint32_t folder = 0;
    std::uint32_t unused = 0;  // the padding, named so that a bucket pack holds no stray bytes
    std::int64_t input_tokens = 0;
    std::int64_t output_tokens = 0;
    std::int64_t cache_creation_tokens = 0;
    std::int64_t cache_read_tokens = 0;
    double cost = 0;  // ccusage auto mode, summed per record
    std::int64_t records = 0;
    std::int64_t unpriced = 0;  // records priced at 0 for an unknown model
    std::int64_t first_ms = 0;  // first and last record's time
    std::int64_t last_ms = 0;
};

struct BucketSet {
    std::vector<std::string> names;
    std::vector<UsageBucket> buckets;  // by quarter
};

// Session: per quarter x machine x session x model. Project: the same summed over sessions
// (per quarter x machine x project x model; `session` is ""), far fewer rows. Model: summed
// over projects too (per quarter x machine x model; `project` and `folder` are ""), fewer still.
// WholeSession: per machine x session x model over all time; `quarter` is the first record's,
// `project` and `folder` the earliest record's (a time range selects by that first quarter).
enum class BucketGrain { Session, Project, Model, WholeSession };

// ReadAndStore reads the bucket packs (store/bucket_packs.hpp) and stores those it had to build
// when the store is open read-write; TableOnly reads the bucket tables alone (tests compare both).
enum class PackUse { ReadAndStore, TableOnly };

struct BucketQuery {
    BucketGrain grain = BucketGrain::Session;
    std::vector<std::string> machines;     // empty: all machines
    std::optional<std::int64_t> since_ms;  // quarters overlapping [since, until)
    std::optional<std::int64_t> until_ms;
    std::optional<std::string> session;    // only this session's buckets
    PackUse packs = PackUse::ReadAndStore;
};

namespace detail {
class FreshStream;
}
class Store;

// Batches upserted in one transaction (an origin database imported as it is read): each add()
// follows the rules of Store::upsert; commit() makes every batch visible at once, and a
// BatchWrite destroyed without commit() leaves the store as it was. The Store must outlive it,
// and nothing else may write through the Store meanwhile.
class BatchWrite {
public:
    ~BatchWrite();
    BatchWrite(BatchWrite&&) noexcept;
    BatchWrite& operator=(BatchWrite&&) = delete;

    UpsertStats add(const std::vector<UsageRecord>& records, const std::vector<LineUuids>& lines);
    void commit();

private:
    friend class Store;
    BatchWrite(Store& store, SQLite::Database& db, std::filesystem::path file, CostModel costs);

    Store* store_;  // settles the journal after the commit, as the store's other writes do
    SQLite::Database* db_;
    std::filesystem::path file_;
    CostModel costs_;
    std::unique_ptr<SQLite::Transaction> tx_;
    std::unique_ptr<detail::FreshStream> fresh_;  // the plain inserts' work deferred to commit()
};

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
    // `costs` prices every record written (pricing::cost_model); a read-write open recomputes
    // the stored costs once when its fingerprint differs from theirs.
    Store(const std::filesystem::path& db_file, OpenMode mode, CostModel costs);
    Store(const std::filesystem::path& db_file, OpenMode mode, std::chrono::milliseconds busy_timeout,
          CostModel costs);
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
    // From here on this connection reads the file through a mapping instead of one pread() a
    // page: a warm 60k-record report made ~900, 1-6 ms of system time. For the reads after
    // the writes only: during a bulk write the mapped pages of the growing file counted in the
    // peak RSS (a 1M import 61 -> 321 MB) and made it slower (bench/README.md, "Reports read
    // through a mapping").
    void map_for_reads();

    // Opens the transaction of a BatchWrite (waits for the write lock like every write).
    BatchWrite begin_batches();
    // Upserts a scan's records and saves its cursors in one transaction.
    UpsertStats apply_scan(const ScanWrite& scan);
    std::map<std::string, FileCursor> load_cursors() const;
    std::optional<FileCursor> load_cursor(const std::string& path) const;

    std::vector<UsageRecord> query(const RecordQuery& query) const;  // sorted (timestamp, session, uuid)
    std::int64_t count(const std::optional<std::string>& machine = std::nullopt) const;
    // The machine names that have records, sorted (report --machine checks its argument here).
    std::vector<std::string> machine_names() const;
    BucketSet buckets(const BucketQuery& query) const;

    std::int64_t max_sequence() const;
    // Records of `machine` inserted or updated after `after_sequence`, sorted as query().
    std::vector<UsageRecord> changed_since(const std::string& machine, std::int64_t after_sequence) const;
    // The same records one at a time, in the order of a data file (timestamp text, session_id,
    // message_uuid: docs/format.md §4), so a push of any size holds one of them at a time.
    void for_each_changed_since(const std::string& machine, std::int64_t after_sequence,
                                const std::function<void(UsageRecord&&)>& visit) const;
    std::int64_t count_changed_since(const std::string& machine, std::int64_t after_sequence) const;
    // Local records were stamped with the machine name in use at scan time; setup may rename.
    void rename_machine(const std::string& from, const std::string& to);

    std::optional<std::string> get_meta(const std::string& key) const;
    void set_meta(const std::string& key, const std::string& value);

    const std::filesystem::path& file() const { return file_; }
    OpenMode mode() const { return mode_; }

    // Whether the connection still writes a brand-new store with the rollback journal (store.cpp).
    enum class JournalState { Wal, RollbackUntilFirstWrite };

private:
    friend class BatchWrite;
    void require_writable(const char* action) const;
    // After a write transaction: a brand-new store leaves the rollback journal for WAL.
    void settle_journal();

    std::unique_ptr<SQLite::Database> db_;
    std::filesystem::path file_;
    OpenMode mode_ = OpenMode::ReadWrite;
    int busy_timeout_ms_ = 5000;
    CostModel costs_;
    JournalState journal_ = JournalState::Wal;
};

}  // namespace ccu::store
