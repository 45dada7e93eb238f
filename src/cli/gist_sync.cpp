#include <CLI/CLI.hpp>

#include "ccu/cli/commands.hpp"
#include "ccu/common/error.hpp"
#include "ccu/sync/conflict_error.hpp"
#include "ccu/sync/sync_session.hpp"
#include "cli/gist_sync_common.hpp"

namespace ccu::cli {

void register_gist_sync(CLI::App& parent, Context& ctx) {
    CLI::App* cmd = parent.add_subcommand("sync", "Pull, then push");
    auto force = std::make_shared<bool>(false);
    cmd->add_flag("--force", *force, "Skip conflict detection on the push");
    cmd->callback([&ctx, force] {
        ctx.action = [&ctx, force]() -> int {
            sync::SyncSession session = sync::open_sync_session(ctx.env(), ctx.paths(), ctx.clock());
            UiSink sink(ctx.ui());
            sync::SyncManager manager(*session.api, *session.store, ctx.clock(), session.config, ctx.paths(), sink);
            const auto pulled = manager.pull();
            const int pull_code = report_pull(ctx.ui(), pulled);
            sync::PushResult pushed;
            try {
                pushed = manager.push(*force ? sync::ConflictMode::Force : sync::ConflictMode::Detect);
            } catch (const sync::ConflictError& e) {
                return report_conflict(ctx.ui(), e);
            }
            if (ctx.ui().json()) {
                ctx.ui().print_json({{"ok", pull_code == 0}, {"pull", pull_json(pulled)}, {"push", push_json(pushed)}});
                return pull_code;
            }
            report_push(ctx.ui(), pushed, session.config.gist_id, false);
            return pull_code;
        };
    });
}

}  // namespace ccu::cli
