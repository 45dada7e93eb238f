#include "ccu/sync/sync_manager.hpp"

#include "ccu/common/text.hpp"
#include "ccu/sync/blob_id.hpp"
#include "ccu/sync/file_names.hpp"
#include "sync/push_support.hpp"

namespace ccu::sync {

SyncManager::SyncManager(RemoteStore& remote, store::Store& store, Clock& clock, Config config, Paths paths,
                         EventSink& events, const pricing::PriceTable& prices, LocalRefreshFn refresh)
    : remote_(remote),
      store_(store),
      clock_(clock),
      config_(std::move(config)),
      paths_(std::move(paths)),
      events_(events),
      prices_(prices),
      refresh_(std::move(refresh)) {}

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

void assert_only_own_files(const ChangeSet& changes, const std::string& machine) {
    auto check = [&machine](const std::string& name, bool empty) {
        if (name == kManifestFileName) return;
        const FileNameInfo info = classify_for_machine(name, machine);
        const bool own = info.role == FileRole::Current || info.role == FileRole::Part || info.role == FileRole::Backup;
        if (!own || empty) {
            throw Error(ErrorKind::Unexpected,
                        "internal error: refusing to send '" + name + "' (not a file of machine '" + machine +
                            "', or empty content)",
                        "this is a bug in ccu; nothing was written");
        }
    };
    for (const auto& [name, content] : changes) {
        check(name, content && content->find_first_not_of(" \t\r\n") == std::string::npos);
    }
    for (const auto& [name, staged] : changes.staged) check(name, staged.size == 0);
}

std::optional<Manifest> read_manifest(RemoteSnapshot& snapshot) {
    const std::string name(kManifestFileName);
    if (!snapshot.has(name)) return std::nullopt;
    return Manifest::parse(snapshot.content(name));  // throws InvalidRemote when invalid
}

bool holds(RemoteSnapshot& snapshot, const std::string& name, const std::string& content) {
    if (!snapshot.has(name) || snapshot.size(name) != static_cast<std::int64_t>(content.size())) return false;
    const std::string id = snapshot.content_id(name);
    if (id.size() == 40) return id == git_blob_id(content);
    return snapshot.content(name) == content;
}

std::uint64_t machine_jitter_seed(const Config& config, const Clock& clock) {
    const std::string& id = config.machine_id.empty() ? config.machine_name : config.machine_id;
    return fnv1a64(id) ^ static_cast<std::uint64_t>(timeutil::to_epoch_ms(clock.now()));
}

}  // namespace ccu::sync
