#include "ccu/store/store.hpp"

#include <SQLiteCpp/SQLiteCpp.h>
#include <sqlite3.h>
#include <sys/stat.h>

#include <string>
#include <system_error>

#include "ccu/common/error.hpp"
#include "store/buckets.hpp"
#include "store/schema.hpp"
#include "store/sqlite_error.hpp"

namespace ccu::store {
namespace fs = std::filesystem;

namespace detail {

void throw_store_error(const SQLite::Exception& e, const fs::path& file, std::string_view action) {
    const std::string what = std::string(action) + " " + file.string() + " failed: " + e.what();
    switch (e.getErrorCode()) {
        case SQLITE_BUSY:
        case SQLITE_LOCKED:
            throw Error(ErrorKind::Locked, what,
                        "another ccu process is writing the store; wait for it to finish and retry");
        case SQLITE_CORRUPT:
        case SQLITE_NOTADB:
            throw Error(ErrorKind::Unexpected, what,
                        "the store file is damaged: move it aside (mv " + file.string() + " " + file.string() +
                            ".broken), then run `ccu scan` and `ccu gist pull` to rebuild it");
        case SQLITE_READONLY:
            throw Error(ErrorKind::Unexpected, what,
                        "the store was opened read-only or the file is not writable; check the permissions of " +
                            file.parent_path().string());
        case SQLITE_CANTOPEN:
        case SQLITE_PERM:
        case SQLITE_AUTH:
            throw Error(ErrorKind::Unexpected, what,
                        "check that " + file.parent_path().string() +
                            " exists and is writable by you (set CCU_DATA_DIR to use another place)");
        case SQLITE_FULL:
        case SQLITE_IOERR:
            throw Error(ErrorKind::Unexpected, what, "check free disk space and the health of the file system");
        default:
            throw Error(ErrorKind::Unexpected, what, "run again with -vv; if it persists, report it");
    }
}

}  // namespace detail

namespace {

void prepare_data_dir(const fs::path& dir) {
    std::error_code ec;
    const bool existed = fs::exists(dir, ec);
    fs::create_directories(dir, ec);
    if (ec) {
        throw Error(ErrorKind::Unexpected, "cannot create the data directory " + dir.string() + ": " + ec.message(),
                    "create it yourself (mode 0700) or set CCU_DATA_DIR to a writable directory");
    }
    // Only tighten a directory ccu created: never change the mode of a place the user chose.
    if (!existed) ::chmod(dir.c_str(), 0700);
}

// A Store is used by one thread at a time (the scan's workers hand their records to the caller's
// thread), so its connection needs no mutex of its own (OPEN_NOMUTEX: SQLite's multi-thread
// mode, where different connections may live in different threads). ccu never reads SQLite's
// allocation statistics, which cost a global mutex around every allocation; they can only be
// switched off before SQLite initializes (else sqlite3_config refuses and nothing changes).
// Together ~6% of a cold scan's CPU (bench/README.md).
int open_flags(int flags) {
    static const bool configured = [] { return sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0) == SQLITE_OK; }();
    static_cast<void>(configured);
    return flags | SQLite::OPEN_NOMUTEX;
}

// Changing the journal mode takes the file's lock without waiting on the busy timeout. When
// another ccu is still filling a brand-new store with the rollback journal, this connection
// stays in rollback mode and follows the file into WAL once that first write has switched it
// (SQLite reads the mode from the file header at each transaction); its own writes wait on the
// busy timeout as with any writer.
// Returns whether the connection is now in WAL mode.
bool enter_wal(SQLite::Database& db) {
    try {
        db.exec("PRAGMA journal_mode = WAL");
        return true;
    } catch (const SQLite::Exception& e) {
        if (e.getErrorCode() != SQLITE_BUSY) throw;
        return false;
    }
}

// A brand-new store is filled by its first write (a cold scan: the whole history at once) with
// SQLite's rollback journal, then switched to WAL (Store::settle_journal). Pages a transaction
// appends to the file are never journaled, so every page is written once; in WAL mode each page
// went to the -wal first and was copied into the file by the checkpoint (twice the writes, and
// the fsyncs of both). A crash during that first write is as safe as in WAL mode: the rollback
// journal undoes it (docs/parts/store-design.md, "Opening").
std::unique_ptr<SQLite::Database> open_read_write(const fs::path& file, std::chrono::milliseconds busy,
                                                  const CostModel& costs, Store::JournalState& journal) {
    if (!file.parent_path().empty()) prepare_data_dir(file.parent_path());
    const bool created = !fs::exists(file);
    auto db = std::make_unique<SQLite::Database>(file.string(), open_flags(SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE));
    if (created) ::chmod(file.c_str(), 0600);
    db->setBusyTimeout(static_cast<int>(busy.count()));
    journal = created ? Store::JournalState::RollbackUntilFirstWrite : Store::JournalState::Wal;
    if (created) {
        // Set before the first page is written; a store keeps the size it was made with.
        db->exec("PRAGMA page_size = " + std::to_string(detail::kPageBytes));
        db->exec("PRAGMA journal_mode = DELETE");
    } else {
        static_cast<void>(enter_wal(*db));
    }
    db->exec("PRAGMA synchronous = NORMAL");
    db->exec("PRAGMA foreign_keys = ON");
    detail::migrate(*db, file);
    detail::reprice_if_needed(*db, costs);
    return db;
}

std::unique_ptr<SQLite::Database> open_read_only(const fs::path& file, std::chrono::milliseconds busy) {
    if (!fs::exists(file)) {
        throw Error(ErrorKind::NotConfigured, "no ccu store at " + file.string(),
                    "run `ccu scan` (or `ccu gist pull`) first to create it");
    }
    auto db = std::make_unique<SQLite::Database>(file.string(), open_flags(SQLite::OPEN_READONLY));
    db->setBusyTimeout(static_cast<int>(busy.count()));
    const int version = detail::read_schema_version(*db);
    if (version < detail::kOldestReadableVersion || version > detail::kCurrentSchemaVersion) {
        throw Error(ErrorKind::Unexpected,
                    "the store " + file.string() + " has schema version " + std::to_string(version) +
                        " but this ccu reads versions " + std::to_string(detail::kOldestReadableVersion) + " to " +
                        std::to_string(detail::kCurrentSchemaVersion),
                    version < detail::kCurrentSchemaVersion ? "run `ccu scan` once to upgrade it"
                                                            : "upgrade ccu; the store was written by a newer version");
    }
    return db;
}

}  // namespace

Store::Store(const fs::path& db_file, OpenMode mode, CostModel costs)
    : Store(db_file, mode, std::chrono::milliseconds(5000), std::move(costs)) {}

Store::Store(const fs::path& db_file, OpenMode mode, std::chrono::milliseconds busy_timeout, CostModel costs)
    : file_(db_file), mode_(mode), busy_timeout_ms_(static_cast<int>(busy_timeout.count())), costs_(std::move(costs)) {
    db_ = detail::guarded(file_, "opening the store", [&] {
        return mode == OpenMode::ReadOnly ? open_read_only(file_, busy_timeout)
                                          : open_read_write(file_, busy_timeout, costs_, journal_);
    });
}

void Store::map_for_reads() {
    // 1 GiB bounds the address space, not the memory: only the pages a report touches are mapped.
    detail::guarded(file_, "mapping the store", [&] { db_->exec("PRAGMA mmap_size = 1073741824"); });
}

void Store::settle_journal() {
    // Another process reading the file keeps it from switching: the next write (or open) retries.
    if (journal_ == JournalState::RollbackUntilFirstWrite && enter_wal(*db_)) journal_ = JournalState::Wal;
}

Store::~Store() = default;
Store::Store(Store&&) noexcept = default;
Store& Store::operator=(Store&&) noexcept = default;

void Store::require_writable(const char* action) const {
    if (mode_ == OpenMode::ReadOnly) {
        throw Error(ErrorKind::Unexpected,
                    std::string(action) + ": the store " + file_.string() + " is open read-only",
                    "this is a bug in ccu: a read-only command tried to write; please report it");
    }
}

int Store::schema_version() const {
    return detail::guarded(file_, "reading", [&] { return detail::read_schema_version(*db_); });
}

std::map<std::string, FileCursor> Store::load_cursors() const {
    return detail::guarded(file_, "reading scan cursors from", [&] {
        std::map<std::string, FileCursor> cursors;
        SQLite::Statement q(*db_,
                            "SELECT path, device, inode, size, mtime_ns, offset, head_fingerprint FROM scan_cursors");
        while (q.executeStep()) {
            FileCursor c;
            c.path = q.getColumn(0).getString();
            c.device = static_cast<std::uint64_t>(q.getColumn(1).getInt64());
            c.inode = static_cast<std::uint64_t>(q.getColumn(2).getInt64());
            c.size = static_cast<std::uint64_t>(q.getColumn(3).getInt64());
            c.mtime_ns = q.getColumn(4).getInt64();
            c.offset = static_cast<std::uint64_t>(q.getColumn(5).getInt64());
            c.head_fingerprint = static_cast<std::uint64_t>(q.getColumn(6).getInt64());
            cursors.emplace(c.path, c);
        }
        return cursors;
    });
}

std::optional<FileCursor> Store::load_cursor(const std::string& path) const {
    return detail::guarded(file_, "reading a scan cursor from", [&]() -> std::optional<FileCursor> {
        SQLite::Statement q(*db_, "SELECT device, inode, size, mtime_ns, offset, head_fingerprint FROM scan_cursors "
                                  "WHERE path = ?");
        q.bind(1, path);
        if (!q.executeStep()) return std::nullopt;
        FileCursor c;
        c.path = path;
        c.device = static_cast<std::uint64_t>(q.getColumn(0).getInt64());
        c.inode = static_cast<std::uint64_t>(q.getColumn(1).getInt64());
        c.size = static_cast<std::uint64_t>(q.getColumn(2).getInt64());
        c.mtime_ns = q.getColumn(3).getInt64();
        c.offset = static_cast<std::uint64_t>(q.getColumn(4).getInt64());
        c.head_fingerprint = static_cast<std::uint64_t>(q.getColumn(5).getInt64());
        return c;
    });
}

void Store::rename_machine(const std::string& from, const std::string& to) {
    require_writable("rename_machine");
    detail::guarded(file_, "renaming the machine in", [&] {
        SQLite::Transaction tx(*db_, SQLite::TransactionBehavior::IMMEDIATE);
        SQLite::Statement u(*db_, "UPDATE records SET machine_name = ? WHERE machine_name = ?");
        u.bind(1, to);
        u.bind(2, from);
        u.exec();
        detail::rebuild_buckets(*db_, from);
        detail::rebuild_buckets(*db_, to);
        tx.commit();
    });
}

std::optional<std::string> Store::get_meta(const std::string& key) const {
    return detail::guarded(file_, "reading", [&]() -> std::optional<std::string> {
        SQLite::Statement q(*db_, "SELECT value FROM meta WHERE key = ?");
        q.bind(1, key);
        if (!q.executeStep()) return std::nullopt;
        return q.getColumn(0).getString();
    });
}

void Store::set_meta(const std::string& key, const std::string& value) {
    require_writable("set_meta");
    detail::guarded(file_, "writing", [&] {
        SQLite::Statement u(*db_, "INSERT INTO meta (key, value) VALUES (?, ?) "
                                  "ON CONFLICT (key) DO UPDATE SET value = excluded.value");
        u.bind(1, key);
        u.bind(2, value);
        u.exec();
    });
}

}  // namespace ccu::store
