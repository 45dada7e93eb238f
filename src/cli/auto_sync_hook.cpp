#include "cli/auto_sync_hook.hpp"

#include "ccu/cli/context.hpp"
#include "ccu/sync/auto_sync.hpp"
#include "ccu/sync/events.hpp"

namespace ccu::cli {

void auto_sync_after_command(Context& ctx, store::Store& store) {
    sync::NullSink quiet;
    const sync::AutoSyncResult result = sync::maybe_auto_sync(ctx.env(), ctx.paths(), store, ctx.clock(), quiet);
    switch (result.outcome) {
        case sync::AutoSyncOutcome::Synced:
            ctx.ui().say(std::string(ctx.ui().symbol(Symbol::Sync)) + " auto-sync: synced with the gist");
            break;
        case sync::AutoSyncOutcome::Failed:
            ctx.ui().warn("auto-sync failed: " + result.message + " (run 'ccu gist sync' for details)");
            break;
        case sync::AutoSyncOutcome::Disabled:
        case sync::AutoSyncOutcome::NotDue:
        case sync::AutoSyncOutcome::Busy:
            break;
    }
}

}  // namespace ccu::cli
