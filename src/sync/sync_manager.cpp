#include "ccu/sync/sync_manager.hpp"

#include "ccu/store/local_refresh.hpp"
#include "ccu/sync/file_names.hpp"
#include "sync/push_support.hpp"

namespace ccu::sync {

SyncManager::SyncManager(gist::GistApi& api, store::Store& store, Clock& clock, Config config, Paths paths,
                         EventSink& events)
    : api_(api), store_(store), clock_(clock), config_(std::move(config)), paths_(std::move(paths)), events_(events) {}

void SyncManager::refresh_local_store() {
    if (refresh_ == LocalRefresh::Skip) return;
    store::refresh_local(store_, paths_, config_.machine_name);
}

SyncManager::SyncResult SyncManager::sync(ConflictMode conflict) {
    SyncResult result;
    result.pull = pull();
    result.push = push(conflict);
    return result;
}

void require_configured(const Config& config) {
    if (!config.is_configured()) {
        throw Error(ErrorKind::NotConfigured, "gist sync is not set up (no gist id or machine name)",
                    "run 'ccu gist setup' first");
    }
}

void check_identity(const MachineEntry* remote_entry, const Config& config) {
    if (remote_entry == nullptr || !remote_entry->machine_id || remote_entry->machine_id->empty()) return;
    if (config.machine_id.empty() || *remote_entry->machine_id == config.machine_id) return;
    throw Error(ErrorKind::Conflict,
                "machine name '" + config.machine_name + "' is already used in this gist by another machine (machine_id " +
                    *remote_entry->machine_id + ", this machine is " + config.machine_id +
                    "); nothing was written",
                "give this machine its own name: ccu gist setup --machine-name " + config.machine_name +
                    "-2; if this IS that machine reinstalled, set \"machine_id\": \"" + *remote_entry->machine_id +
                    "\" in config.json and run setup again");
}

void assert_only_own_files(const gist::GistPatch& patch, const std::string& machine) {
    for (const auto& [name, change] : patch) {
        if (name == kManifestFileName) continue;
        const FileNameInfo info = classify_for_machine(name, machine);
        const bool own = info.role == FileRole::Current || info.role == FileRole::Part || info.role == FileRole::Backup;
        if (!own || (change.kind == gist::FileChange::Kind::Write && change.content.find_first_not_of(" \t\r\n") ==
                                                                          std::string::npos)) {
            throw Error(ErrorKind::Unexpected,
                        "internal error: refusing to send '" + name + "' (not a file of machine '" + machine +
                            "', or empty content)",
                        "this is a bug in ccu; nothing was written");
        }
    }
}

}  // namespace ccu::sync
