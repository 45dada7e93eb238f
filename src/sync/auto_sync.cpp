#include "ccu/sync/auto_sync.hpp"

#include <algorithm>

#include "ccu/common/config.hpp"
#include "ccu/common/error.hpp"
#include "ccu/common/time.hpp"
#include "ccu/store/store.hpp"
#include "ccu/sync/sync_state.hpp"

namespace ccu::sync {

std::string crontab_line(int interval_minutes) {
    const int m = std::clamp(interval_minutes, 1, 24 * 60);
    std::string schedule;
    if (m < 60) {
        schedule = "*/" + std::to_string(m) + " * * * *";
    } else if (m < 24 * 60) {
        // cron steps cannot say "every 90 minutes": round up to whole hours.
        const int hours = (m + 59) / 60;
        schedule = hours == 1 ? "0 * * * *" : "0 */" + std::to_string(hours) + " * * *";
    } else {
        schedule = "0 0 * * *";
    }
    return schedule + " ccu gist sync --quiet";
}

int set_auto_sync(const Paths& paths, bool enabled, std::optional<int> interval_minutes) {
    Config config = load_config(paths.config_file());
    config.auto_sync = enabled;
    if (interval_minutes) {
        if (*interval_minutes < 1) throw Error(ErrorKind::Usage, "the interval must be at least 1 minute");
        config.auto_sync_interval_minutes = *interval_minutes;
    }
    save_config(paths.config_file(), config);
    return config.auto_sync_interval_minutes;
}

namespace {

bool is_due(const SyncState& state, const Clock& clock, int interval_minutes) {
    std::optional<std::int64_t> last;
    for (const auto& ts : {state.last_push(), state.last_pull()}) {
        if (!ts) continue;
        if (const auto ms = timeutil::parse_rfc3339_ms(*ts); ms && (!last || *ms > *last)) last = ms;
    }
    if (!last) return true;
    const std::int64_t interval_ms = std::int64_t{interval_minutes} * 60 * 1000;
    return timeutil::to_epoch_ms(clock.now()) - *last >= interval_ms;
}

}  // namespace

AutoSyncResult maybe_auto_sync(const Paths& paths, store::Store& store, const Clock& clock, const SyncNow& sync_now) {
    AutoSyncResult result;
    try {
        const Config config = load_config(paths.config_file());
        if (!config.auto_sync || !config.is_configured()) return result;
        SyncState state(store, config.gist_id);
        if (!is_due(state, clock, config.auto_sync_interval_minutes)) {
            result.outcome = AutoSyncOutcome::NotDue;
            return result;
        }
        sync_now(config);
        result.outcome = AutoSyncOutcome::Synced;
    } catch (const Error& e) {
        result.outcome = e.kind() == ErrorKind::Locked ? AutoSyncOutcome::Busy : AutoSyncOutcome::Failed;
        result.message = e.what();
    } catch (const std::exception& e) {
        result.outcome = AutoSyncOutcome::Failed;
        result.message = e.what();
    }
    return result;
}

}  // namespace ccu::sync
