#pragma once
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "ccu/common/clock.hpp"
#include "ccu/common/config.hpp"
#include "ccu/common/environment.hpp"
#include "ccu/sync/events.hpp"

namespace ccu::store {
class Store;
}

namespace ccu::sync {

class RemoteStore;

struct BackupInfo {
    std::string machine;
    std::string date;   // "YYYY-MM-DD"
    std::string file;
    std::int64_t size = 0;
    std::optional<std::size_t> records;  // nullopt when the file is not a valid data file
};

enum class Overwrite { Refuse, Allow };

struct RestoreResult {
    std::string file;                        // the gist file restored
    std::size_t records = 0;
    std::optional<std::filesystem::path> written_to;  // --to DIR
    std::size_t inserted = 0, updated = 0, unchanged = 0;  // import into the store
};

struct RepairResult {
    bool changed = false;
    std::size_t machines = 0;
    std::size_t files = 0;
};

// backup create | list | restore, and repair (docs/format.md §3, §7). Same seams as SyncManager.
class BackupOps {
public:
    BackupOps(RemoteStore& remote, store::Store& store, Clock& clock, Config config, Paths paths, EventSink& events);

    // Today's backup (UTC) of this machine's current file; again the same day replaces it.
    std::string create();
    // Every machine's backups, sorted by machine then date.
    std::vector<BackupInfo> list();
    // `date` is "YYYY-MM-DD" or "YYYYMMDD"; machine defaults to this one. Without `to_dir` the
    // snapshot's records are imported into the store; with it the file is written there.
    RestoreResult restore(const std::string& date, const std::optional<std::string>& machine,
                          const std::optional<std::filesystem::path>& to_dir, Overwrite overwrite);
    // Rebuilds manifest.json from the file listing (hints from the old manifest if it parses).
    RepairResult repair();

private:
    RemoteStore& remote_;
    store::Store& store_;
    Clock& clock_;
    Config config_;
    Paths paths_;
    EventSink& events_;
};

// Refuses a --to DIR under ~/.claude/ outside the data dir (docs/format.md §1). Throws ccu::Error(Usage).
void check_restore_dir(const std::filesystem::path& dir, const Paths& paths);

}  // namespace ccu::sync
