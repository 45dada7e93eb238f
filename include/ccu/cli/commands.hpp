#pragma once

namespace CLI {
class App;
}

namespace ccu::cli {
class Context;

// One function per subcommand file in src/cli/, each adding its subcommand to `parent`
// and setting ctx.action when chosen.
void register_scan(CLI::App& app, Context& ctx);
void register_report(CLI::App& app, Context& ctx);
void register_blocks(CLI::App& parent, Context& ctx);   // under `report` and at the top level
void register_statusline(CLI::App& app, Context& ctx);

// Under `ccu gist`:
void register_gist_setup(CLI::App& gist, Context& ctx);
void register_gist_set_token(CLI::App& gist, Context& ctx);
void register_gist_info(CLI::App& gist, Context& ctx);
void register_gist_push(CLI::App& gist, Context& ctx);
void register_gist_pull(CLI::App& gist, Context& ctx);
void register_gist_sync(CLI::App& gist, Context& ctx);
void register_gist_status(CLI::App& gist, Context& ctx);
void register_gist_repair(CLI::App& gist, Context& ctx);
void register_gist_backup(CLI::App& gist, Context& ctx);
void register_gist_auto_sync(CLI::App& gist, Context& ctx);

}  // namespace ccu::cli
