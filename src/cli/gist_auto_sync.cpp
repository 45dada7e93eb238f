// PLACEHOLDER: replaced by the module owner. Registers the command so the binary links.
#include <CLI/CLI.hpp>

#include "ccu/cli/commands.hpp"
#include "ccu/cli/context.hpp"
#include "ccu/common/error.hpp"

namespace ccu::cli {

void register_gist_auto_sync(CLI::App& parent, Context& ctx) {
    CLI::App* cmd = parent.add_subcommand("auto-sync", "(not built yet)");
    cmd->callback([&ctx] {
        ctx.action = [] () -> int { throw Error(ErrorKind::Unexpected, "'auto-sync' is not built yet"); };
    });
}

}  // namespace ccu::cli
