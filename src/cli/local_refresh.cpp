#include "ccu/common/text.hpp"
#include "ccu/cli/local_refresh.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <optional>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

#include "ccu/common/config.hpp"
#include "ccu/common/file_stat.hpp"
#include "ccu/ingest/legacy_db.hpp"
#include "ccu/pricing/price_table.hpp"

namespace ccu::cli {
using store::Store;
using store::UpsertStats;
namespace fs = std::filesystem;

namespace {

// "size:mtime_ns" of a file (and of its -wal, which holds recent commits of a WAL database);
// nullopt when the file cannot be stat'ed.
std::optional<std::string> stat_signature(const fs::path& file) {
    std::string signature;
    for (const std::string& path : {file.string(), file.string() + "-wal"}) {
        struct stat st {};
        if (::stat(path.c_str(), &st) != 0) {
            if (path == file.string()) return std::nullopt;
            continue;
        }
        if (!signature.empty()) signature += ";";
        signature += std::to_string(st.st_size) + ":" + std::to_string(mtime_ns(st));
    }
    return signature;
}

// Whose rows are the file's own: this machine's when it is the only origin database, or when
// the origin tool's machine name in the file name maps onto this machine's name.
std::string owner_of(const fs::path& file, std::size_t file_count, const std::string& machine_name) {
    const std::string origin = sanitize_machine_name(ingest::legacy_db_machine(file));
    if (file_count == 1 || to_lower(origin) == to_lower(machine_name)) return machine_name;
    return origin;
}

void add(UpsertStats& into, const UpsertStats& from) {
    into.inserted += from.inserted;
    into.updated += from.updated;
    into.unchanged += from.unchanged;
}

void import_legacy(Store& store, const ccu::Paths& paths, const std::string& machine_name,
                   ProgressSink& progress, RefreshStats& stats) {
    const auto files = ingest::find_legacy_dbs(paths.legacy_db_dir);
    Progress shown{"Importing origin tool history", 0, files.size(), 0, 0, "file"};
    for (const auto& file : files) {
        progress.update(shown);
        ++shown.files_done;
        LegacyFileReport report;
        report.path = file.string();
        const std::string key = "legacy.stat:" + file.string();
        const auto signature = stat_signature(file);
        if (signature && store.get_meta(key) == signature) {
            report.unchanged = true;
            stats.legacy_files.push_back(std::move(report));
            continue;
        }
        // Read in batches into one transaction: a year of history never sits in memory, and a
        // file that fails half-way leaves nothing behind.
        UpsertStats upserted;
        store::BatchWrite write = store.begin_batches();
        const auto read = ingest::read_legacy_db(
            file, owner_of(file, files.size(), machine_name),
            [&](const std::vector<UsageRecord>& records, const std::vector<LineUuids>& lines) {
                add(upserted, write.add(records, lines));
            });
        report.rows = read.rows;
        report.records = read.record_count;
        report.skipped = read.skipped;
        if (read.merged > 0) report.skipped["further lines of one response (merged)"] += read.merged;
        report.problem = read.problem;
        if (read.problem.empty()) {
            write.commit();
            add(stats.legacy_upsert, upserted);
            if (signature) store.set_meta(key, *signature);
        }
        stats.legacy_files.push_back(std::move(report));
    }
    progress.finish();
    stats.legacy_imported = stats.legacy_upsert.inserted + stats.legacy_upsert.updated;
}

// The cursors that differ from the stored ones. An unchanged file's cursor is not written again:
// a re-scan with nothing new over 10,000 files spent a third of its time rewriting 10,000 rows
// (bench/README.md, re-scan figure).
std::map<std::string, FileCursor> changed_cursors(const std::map<std::string, FileCursor>& previous,
                                                  const std::map<std::string, FileCursor>& now) {
    std::map<std::string, FileCursor> changed;
    for (const auto& [path, cursor] : now) {
        const auto it = previous.find(path);
        if (it == previous.end() || !(it->second == cursor)) changed.emplace_hint(changed.end(), path, cursor);
    }
    return changed;
}

// Frees a scan's records on another thread while the store finishes its write (a cold scan's
// 48k records and 125k line uuids took ~4 % of the run to free: bench/README.md); joined when it
// goes out of scope, so nothing outlives the refresh.
class BackgroundFree {
public:
    BackgroundFree() = default;
    BackgroundFree(const BackgroundFree&) = delete;
    BackgroundFree& operator=(const BackgroundFree&) = delete;
    ~BackgroundFree() {
        if (thread_.joinable()) thread_.join();
    }

    void start(std::vector<UsageRecord>&& records, std::vector<LineUuids>&& lines) {
        auto free = [records = std::move(records), lines = std::move(lines)]() mutable {
            records = {};
            lines = {};
        };
        try {
            thread_ = std::thread(std::move(free));
        } catch (const std::system_error&) {
            // No thread to be had: `free` goes out of scope here and frees them on this one.
        }
    }

private:
    std::thread thread_;
};

}  // namespace

RefreshStats refresh_local(Store& store, const ccu::Paths& paths, const std::string& machine_name,
                           const pricing::PriceTable& prices) {
    NullProgress none;
    return refresh_local(store, paths, machine_name, prices, none);
}

RefreshStats refresh_local(Store& store, const ccu::Paths& paths, const std::string& machine_name,
                           const pricing::PriceTable& prices, ProgressSink& progress) {
    RefreshStats stats;
    ingest::ScanOptions options;
    options.machine_name = machine_name;
    options.is_known_model = [&prices](const std::string& model) { return prices.knows(model); };
    options.progress = &progress;
    const auto previous = store.load_cursors();
    ingest::ScanResult scan = ingest::scan(paths.projects_dirs, previous, options);
    stats.scan = scan.stats;
    const auto cursors = changed_cursors(previous, scan.cursors);
    if (!scan.records.empty() || !cursors.empty() || !scan.vanished.empty()) {  // nothing new: no write transaction
        BackgroundFree freeing;
        store::ScanWrite write{scan.records, scan.sidechain, scan.lines, cursors, scan.vanished};
        write.records_done = [&] { freeing.start(std::move(scan.records), std::move(scan.lines)); };
        stats.upsert = store.apply_scan(write);
    }
    import_legacy(store, paths, machine_name, progress, stats);
    return stats;
}

}  // namespace ccu::cli
