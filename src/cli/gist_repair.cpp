#include <CLI/CLI.hpp>

#include "ccu/cli/commands.hpp"
#include "ccu/sync/backup_ops.hpp"
#include "cli/gist_sync_common.hpp"
#include "cli/sync_factory.hpp"

namespace ccu::cli {

void register_gist_repair(CLI::App& parent, Context& ctx) {
    CLI::App* cmd = parent.add_subcommand("repair", "Rebuild manifest.json from the gist's file listing");
    add_transport_option(cmd, ctx);
    cmd->callback([&ctx] {
        ctx.action = [&ctx]() -> int {
            SyncSession session = open_sync_session(ctx);
            UiSink sink(ctx);
            sync::BackupOps ops(*session.remote, *session.store, ctx.clock(), session.config, ctx.paths(), sink);
            const sync::RepairResult r = ops.repair();
            if (ctx.ui().json()) {
                ctx.ui().print_json({{"ok", true}, {"changed", r.changed}, {"machines", r.machines}, {"files", r.files}});
            } else {
                ctx.ui().say(std::string(ctx.ui().symbol(Symbol::Check)) +
                             (r.changed ? " manifest.json rebuilt: " : " manifest.json already matches the files: ") +
                             std::to_string(r.machines) + " machine(s), " + std::to_string(r.files) + " file(s)");
            }
            return 0;
        };
    });
}

}  // namespace ccu::cli
