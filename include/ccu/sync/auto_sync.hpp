#pragma once
#include <functional>
#include <optional>
#include <string>

#include "ccu/common/clock.hpp"
#include "ccu/common/config.hpp"
#include "ccu/common/environment.hpp"
#include "ccu/sync/events.hpp"

namespace ccu::store {
class Store;
}

namespace ccu::sync {

// The crontab line for `ccu gist auto-sync on`: "*/30 * * * * ccu gist sync --quiet".
std::string crontab_line(int interval_minutes);

// Turns the config flag on/off (and sets the interval when given); returns the saved interval.
int set_auto_sync(const Paths& paths, bool enabled, std::optional<int> interval_minutes);

enum class AutoSyncOutcome { Disabled, NotDue, Synced, Busy, Failed };
struct AutoSyncResult {
    AutoSyncOutcome outcome = AutoSyncOutcome::Disabled;
    std::string message;  // why it failed (also recorded as the last error), empty otherwise
};

// Runs one `sync` (pull then push) of the configured gist; the CLI builds the remote store for it.
using SyncNow = std::function<void(const Config& config)>;

// After `ccu report` / `ccu scan`: when auto_sync is on and the last push or pull is older than
// the interval, calls `sync_now`. Never throws: a failure is recorded in the store (status shows
// it) and returned; another sync running → Busy.
AutoSyncResult maybe_auto_sync(const Paths& paths, store::Store& store, const Clock& clock, const SyncNow& sync_now);

}  // namespace ccu::sync
