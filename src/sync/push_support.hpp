#pragma once
// Helpers shared by the sync operations (private to the sync module).
#include <string>

#include "ccu/common/config.hpp"
#include "ccu/common/error.hpp"
#include "ccu/common/time.hpp"
#include "ccu/gist/gist_api.hpp"
#include "ccu/sync/manifest.hpp"
#include "ccu/sync/sync_manager.hpp"
#include "ccu/sync/sync_state.hpp"

namespace ccu::sync {

// Throws ccu::Error(NotConfigured) unless setup has chosen a gist and a machine name.
void require_configured(const Config& config);

// Another machine already uses this machine name (different machine_id): stop before writing.
void check_identity(const MachineEntry* remote_entry, const Config& config);

// The guard in the one code path that builds a PATCH: only manifest.json and this machine's
// current/part/backup files. Throws ccu::Error(Unexpected) otherwise — a bug, never a write.
void assert_only_own_files(const gist::GistPatch& patch, const std::string& machine);

template <typename F>
auto SyncManager::recording_errors(const char* command, F&& body) -> decltype(body()) {
    SyncState state(store_, config_.gist_id);
    try {
        auto result = body();
        state.clear_last_error();
        return result;
    } catch (const Error& e) {
        if (e.kind() != ErrorKind::Locked) {
            state.set_last_error(LastError{command, std::string(error_kind_name(e.kind())), e.what(),
                                           timeutil::format_rfc3339(clock_.now())});
        }
        throw;
    }
}

}  // namespace ccu::sync
