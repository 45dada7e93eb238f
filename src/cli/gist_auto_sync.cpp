#include <CLI/CLI.hpp>

#include "ccu/cli/commands.hpp"
#include "ccu/sync/auto_sync.hpp"
#include "cli/gist_sync_common.hpp"

namespace ccu::cli {

void register_gist_auto_sync(CLI::App& parent, Context& ctx) {
    CLI::App* cmd = parent.add_subcommand("auto-sync", "Turn automatic sync on or off");
    auto state = std::make_shared<std::string>();
    auto interval = std::make_shared<int>(0);
    cmd->add_option("state", *state, "on | off")->required()->check(CLI::IsMember({"on", "off"}));
    cmd->add_option("--interval", *interval, "Minutes between syncs (default: keep the configured one)");
    cmd->callback([&ctx, cmd, state, interval] {
        ctx.action = [&ctx, cmd, state, interval]() -> int {
            const bool on = *state == "on";
            const bool interval_given = cmd->count("--interval") > 0;
            const int minutes = sync::set_auto_sync(ctx.paths(), on, interval_given ? std::optional<int>(*interval)
                                                                                    : std::nullopt);
            const std::string line = sync::crontab_line(minutes);
            if (minutes >= 60 && minutes % 60 != 0) {
                ctx.ui().warn("cron cannot run every " + std::to_string(minutes) +
                              " minutes; the crontab line below rounds up to whole hours");
            }
            if (ctx.ui().json()) {
                ctx.ui().print_json({{"ok", true}, {"auto_sync", on}, {"interval_minutes", minutes},
                                     {"crontab", line}});
                return 0;
            }
            if (on) {
                ctx.ui().say(std::string(ctx.ui().symbol(Symbol::Check)) + " Auto-sync on: 'ccu report' and 'ccu scan' sync when the last sync is older than " +
                             std::to_string(minutes) + " min.");
                ctx.ui().say("For unattended sync add this line with 'crontab -e':");
                ctx.ui().say("  " + line);
            } else {
                ctx.ui().say(std::string(ctx.ui().symbol(Symbol::Check)) + " Auto-sync off. Remove the 'ccu gist sync' line from your crontab if you added one.");
            }
            return 0;
        };
    });
}

}  // namespace ccu::cli
