#include "cli/auto_sync_hook.hpp"

#include "ccu/cli/context.hpp"
#include "ccu/pricing/price_table.hpp"
#include "ccu/sync/auto_sync.hpp"
#include "ccu/sync/events.hpp"
#include "ccu/sync/sync_manager.hpp"
#include "cli/sync_factory.hpp"

namespace ccu::cli {

void auto_sync_after_command(Context& ctx, store::Store& store) {
    sync::NullSink quiet;
    const auto sync_now = [&](const Config& config) {
        SyncSession session = open_sync_session(ctx, config, store);
        // The caller has just scanned: no second refresh.
        sync::SyncManager manager(*session.remote, store, ctx.clock(), config, ctx.paths(), quiet,
                                  pricing::PriceTable::embedded(), {});
        manager.sync(sync::ConflictMode::Detect);
    };
    const sync::AutoSyncResult result = sync::maybe_auto_sync(ctx.paths(), store, ctx.clock(), sync_now);
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
