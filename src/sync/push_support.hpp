#pragma once
// Helpers shared by the sync operations (private to the sync module).
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ccu/common/clock.hpp"
#include "ccu/common/config.hpp"
#include "ccu/common/error.hpp"
#include "ccu/common/time.hpp"
#include "ccu/sync/events.hpp"
#include "ccu/sync/manifest.hpp"
#include "ccu/sync/remote_store.hpp"
#include "ccu/sync/sync_manager.hpp"
#include "ccu/sync/sync_state.hpp"

namespace ccu::sync {

// What a push, pull or backup operation uses: the seams, handed in by SyncManager / BackupOps
// (a narrow interface instead of friends reaching into their members).
struct SyncContext {
    RemoteStore& remote;
    store::Store& store;
    Clock& clock;
    EventSink& events;
    const Config& config;
    std::uint64_t jitter_seed;
};

// Another machine already uses this machine name (different machine_id): stop before writing.
void check_identity(const MachineEntry* remote_entry, const Config& config);

// The guard in the one code path that builds a commit: only manifest.json and this machine's
// current/part/backup files, never empty content. Throws ccu::Error(Unexpected) otherwise.
void assert_only_own_files(const ChangeSet& changes, const std::string& machine);

// The parsed manifest.json, or nullopt when the gist has none (a fresh gist). A manifest that
// cannot be downloaded or parsed is an error — never an empty manifest.
std::optional<Manifest> read_manifest(RemoteSnapshot& snapshot);

// Whether the snapshot holds exactly `content` under `name`, by blob id and size when the store
// names blobs (no download), else by comparing the downloaded bytes.
bool holds(RemoteSnapshot& snapshot, const std::string& name, const std::string& content);

// The jitter seed of this machine: its id's bytes (FNV-1a) mixed with the time, so two machines
// that conflict at the same moment back off by different amounts.
std::uint64_t machine_jitter_seed(const Config& config, const Clock& clock);

// Plans the changes on a head and commits them; on Conflict reloads, plans again on the new head
// (the manifest join, with what a REST write overwrote) after a backoff, up to kMaxMergeAttempts
// re-merges, then ConflictError. `plan` may return no changes: nothing to write on that head.
using PlanFn = std::function<ChangeSet(RemoteSnapshot& head, const std::vector<Manifest>& overwritten)>;
struct JoinedCommit {
    bool wrote = false;    // a commit was sent
    std::string version;   // the head when done
    int remerges = 0;      // conflicts it took
};
JoinedCommit commit_joined(const SyncContext& ctx, std::unique_ptr<RemoteSnapshot> head, ConflictMode mode,
                           const PlanFn& plan, const std::string& message);

// Runs `body`; a failure (other than Locked) is recorded as the last error for `gist status`.
template <typename F>
auto recording_errors(store::Store& store, const Config& config, const Clock& clock, const char* command,
                      F&& body) -> decltype(body()) {
    SyncState state(store, config.gist_id);
    try {
        auto result = body();
        state.clear_last_error();
        return result;
    } catch (const Error& e) {
        if (e.kind() != ErrorKind::Locked) {
            state.set_last_error(LastError{command, std::string(error_kind_name(e.kind())), e.what(),
                                           timeutil::format_rfc3339(clock.now())});
        }
        throw;
    }
}

template <typename F>
auto SyncManager::recording_errors(const char* command, F&& body) -> decltype(body()) {
    return sync::recording_errors(store_, config_, clock_, command, std::forward<F>(body));
}

}  // namespace ccu::sync
