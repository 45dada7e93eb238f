// `ccu gist info [--json]`: the configured gist as GitHub shows it (id, URL, owner, visibility,
// dates, files with sizes and truncation flags, number of revisions).
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "ccu/cli/commands.hpp"
#include "ccu/cli/context.hpp"
#include "ccu/common/config.hpp"
#include "ccu/common/error.hpp"
#include "ccu/gist/gist_info.hpp"
#include "cli/sync_factory.hpp"

namespace ccu::cli {
namespace {

int run_info(Context& ctx) {
    const Config config = load_config(ctx.paths().config_file());
    if (config.gist_id.empty()) {
        throw Error(ErrorKind::NotConfigured, "no gist is configured",
                    "run 'ccu gist setup' (--create for a new gist, --gist-id ID for an existing one)");
    }
    auto api = make_api(ctx, config);
    const gist::GistInfo info = gist::fetch_gist_info(*api, config.gist_id);
    Ui& ui = ctx.ui();
    if (ui.json()) {
        ui.print_json(gist::gist_info_json(info));
    } else {
        ui.print_table(gist::format_gist_info(info) + "\n");
    }
    return 0;
}

}  // namespace

void register_gist_info(CLI::App& parent, Context& ctx) {
    CLI::App* cmd = parent.add_subcommand("info", "Show the configured gist: URL, owner, files, revisions");
    cmd->callback([&ctx] { ctx.action = [&ctx] { return run_info(ctx); }; });
}

}  // namespace ccu::cli
