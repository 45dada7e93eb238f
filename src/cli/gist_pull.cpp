#include <CLI/CLI.hpp>

#include "ccu/cli/commands.hpp"
#include "ccu/common/error.hpp"
#include "cli/gist_sync_common.hpp"
#include "cli/sync_factory.hpp"

namespace ccu::cli {

int report_pull(Ui& ui, const sync::PullResult& r) {
    const int code = r.invalid_files.empty() ? 0 : exit_code_for(ErrorKind::InvalidRemote);
    if (!r.not_modified) {
        ui.say(std::string(ui.symbol(Symbol::Check)) + " Pulled " + std::to_string(r.files_fetched) + " file(s) (" +
               std::to_string(r.files_skipped_unchanged) + " unchanged)");
        ui.say("New records:       " + std::to_string(r.records_new));
        ui.say("Updated records:   " + std::to_string(r.records_updated));
        ui.say("Already present:   " + std::to_string(r.records_duplicate));
        if (r.records_invalid) ui.say("Invalid records:   " + std::to_string(r.records_invalid));
    }
    // Each invalid file was already named with its reason as a warning while pulling.
    if (code != 0) {
        ui.error(std::to_string(r.invalid_files.size()) + " remote file(s) were invalid and skipped; the rest was imported",
                 "fix or remove them on the machine that wrote them ('ccu gist push' there rewrites its files)");
    }
    return code;
}

void register_gist_pull(CLI::App& parent, Context& ctx) {
    CLI::App* cmd = parent.add_subcommand("pull", "Import every machine's records from the gist");
    add_transport_option(cmd, ctx);
    cmd->callback([&ctx] {
        ctx.action = [&ctx]() -> int {
            SyncSession session = open_sync_session(ctx);
            UiSink sink(ctx);
            sync::SyncManager manager = make_sync_manager(ctx, session.config, *session.remote, *session.store, sink);
            const auto result = manager.pull();
            const int code = report_pull(ctx.ui(), result);
            if (ctx.ui().json()) {
                nlohmann::json doc = pull_json(result);
                doc["ok"] = code == 0;
                if (code != 0) doc["exit_code"] = code;
                ctx.ui().print_json(doc);
            }
            return code;
        };
    });
}

}  // namespace ccu::cli
