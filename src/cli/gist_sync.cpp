#include <CLI/CLI.hpp>

#include "ccu/cli/commands.hpp"
#include "ccu/common/error.hpp"
#include "cli/gist_sync_common.hpp"
#include "cli/sync_factory.hpp"

namespace ccu::cli {

void register_gist_sync(CLI::App& parent, Context& ctx) {
    CLI::App* cmd = parent.add_subcommand("sync", "Pull, then push");
    add_transport_option(cmd, ctx);
    auto force = std::make_shared<bool>(false);
    cmd->add_flag("--force", *force, "Skip conflict detection on the push");
    cmd->callback([&ctx, force] {
        ctx.action = [&ctx, force]() -> int {
            SyncSession session = open_sync_session(ctx);
            UiSink sink(ctx);
            sync::SyncManager manager = make_sync_manager(ctx, session.config, *session.remote, *session.store, sink);
            const auto pulled = manager.pull();
            const int pull_code = report_pull(ctx.ui(), pulled);
            // A ConflictError (exit 5) goes to the one catch in cli/run.cpp (report_conflict).
            const sync::PushResult pushed = manager.push(*force ? sync::ConflictMode::Force : sync::ConflictMode::Detect);
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
