#include "ccu/sync/sync_status.hpp"

#include "ccu/common/error.hpp"
#include "ccu/store/store.hpp"
#include "ccu/sync/remote_store.hpp"
#include "ccu/sync/sync_state.hpp"
#include "sync/push_support.hpp"

namespace ccu::sync {
using nlohmann::json;

namespace {

json optional_text(const std::optional<std::string>& v) { return v ? json(*v) : json(nullptr); }

json local_part(const Config& config, store::Store* store) {
    json local = {{"records", 0}, {"unsynced_records", 0}, {"last_push", nullptr}, {"last_pull", nullptr},
                  {"last_error", nullptr}};
    if (store == nullptr) return local;
    SyncState state(*store, config.gist_id);
    local["records"] = store->count();
    local["machine_records"] = store->count(config.machine_name);
    local["unsynced_records"] = store->count_changed_since(config.machine_name, state.pushed_sequence());
    local["last_push"] = optional_text(state.last_push());
    local["last_pull"] = optional_text(state.last_pull());
    if (const auto e = state.last_error()) {
        local["last_error"] = {{"command", e->command}, {"kind", e->kind}, {"message", e->message}, {"at", e->at}};
    }
    return local;
}

json remote_part(const Config& config, RemoteStore* store, const std::optional<std::string>& no_remote_reason) {
    json remote = {{"machines", json::array()}, {"error", nullptr}, {"transport", nullptr}};
    if (!config.is_configured()) {
        remote["error"] = "not configured";
        return remote;
    }
    if (store == nullptr) {
        remote["error"] = no_remote_reason.value_or("no GitHub token");
        return remote;
    }
    try {
        LoadResult loaded = store->load(std::nullopt);
        // After the load: with sync.transport = auto it may have fallen back to REST.
        remote["transport"] = store->transport() == Transport::Git ? "git" : "rest";
        if (!loaded.snapshot) throw Error(ErrorKind::Unexpected, "the remote store answered 'unchanged' to a full read");
        RemoteSnapshot& gist = *loaded.snapshot;
        remote["files"] = gist.file_names().size();
        remote["version"] = gist.version();
        remote["updated_at"] = gist.committed_at();
        if (const auto manifest = read_manifest(gist)) {
            remote["last_updated"] = manifest->get_last_updated();
            for (const auto& m : manifest->machines()) {
                remote["machines"].push_back({{"machine_name", m.machine_name},
                                              {"last_sync", m.last_sync},
                                              {"total_records", m.total_records},
                                              {"last_record_date", optional_text(m.last_record_date)},
                                              {"files", m.data_files.size()},
                                              {"backups", m.backups.size()}});
            }
        }
    } catch (const Error& e) {
        remote["error"] = e.what();
        remote["transport"] = store->transport() == Transport::Git ? "git" : "rest";
    }
    return remote;
}

}  // namespace

json collect_status(const Config& config, store::Store* store, RemoteStore* remote,
                    const std::optional<std::string>& no_remote_reason) {
    json doc;
    doc["configured"] = config.is_configured();
    doc["gist_id"] = config.gist_id.empty() ? json(nullptr) : json(config.gist_id);
    doc["machine_name"] = config.machine_name.empty() ? json(nullptr) : json(config.machine_name);
    doc["machine_id"] = config.machine_id.empty() ? json(nullptr) : json(config.machine_id);
    doc["auto_sync"] = {{"enabled", config.auto_sync}, {"interval_minutes", config.auto_sync_interval_minutes}};
    doc["backup_retention_days"] = config.backup_retention_days;
    doc["local"] = local_part(config, store);
    doc["remote"] = remote_part(config, remote, no_remote_reason);
    return doc;
}

}  // namespace ccu::sync
