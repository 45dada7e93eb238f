// `ccu blocks` / `ccu report blocks`: ccusage's 5-hour billing blocks from the local store,
// across machines with --all-machines (the plan's limits are per account, not per device).
#include <CLI/CLI.hpp>
#include <cmath>
#include <nlohmann/json.hpp>

#include "ccu/cli/commands.hpp"
#include "ccu/cli/context.hpp"
#include "ccu/common/error.hpp"
#include "ccu/common/time.hpp"
#include "ccu/report/blocks.hpp"
#include "cli/report_common.hpp"

namespace ccu::cli {
namespace {

struct BlockFlags {
    ReportFlags common;
    bool active = false;
    bool recent = false;
    std::string token_limit;
    double session_hours = 5;
};

std::optional<std::int64_t> parse_token_limit(const std::string& text) {
    if (text.empty()) return std::nullopt;
    if (text == "max") return 0;
    try {
        std::size_t used = 0;
        const long long n = std::stoll(text, &used);
        if (used == text.size() && n > 0) return n;
    } catch (const std::exception&) {  // reported below
    }
    throw Error(ErrorKind::Usage, "--token-limit: '" + text + "' is not a token count", "use a number or max");
}

std::int64_t session_ms(double hours) {
    const double quarters = hours * 4;
    if (!(hours > 0) || std::abs(quarters - std::round(quarters)) > 1e-9 || hours > 24 * 7) {
        throw Error(ErrorKind::Usage, "--session-length: blocks must last a whole number of quarter hours",
                    "e.g. --session-length 5 (the default) or 2.5");
    }
    return std::llround(quarters) * 900'000;
}

int run_blocks(Context& ctx, const BlockFlags& flags) {
    const ReportScope scope = resolve_scope(ctx, flags.common);
    report::BlockOptions options;
    options.session_ms = session_ms(flags.session_hours);
    options.now_ms = timeutil::to_epoch_ms(ctx.clock().now());
    options.selection = flags.active ? report::BlockSelection::Active
                        : flags.recent ? report::BlockSelection::Recent
                                       : report::BlockSelection::All;
    options.filter = scope.filter;
    options.by_machine = flags.common.by_machine;
    options.order = scope.order;
    const auto limit = parse_token_limit(flags.token_limit);

    store::Store store = open_refreshed_store(ctx, scope.this_machine);
    check_machines(store, flags.common, scope);
    // Blocks chain from the first record on; a date filter applies to the blocks afterwards.
    const store::BucketSet buckets = report::load_buckets(store, {}, scope.machines);
    const report::BlockReport result = report::build_blocks(buckets, scope.zone, options, limit);

    Ui& ui = ctx.ui();
    warn_unpriced(ui, result.unknown_models);
    if (ui.json()) {
        ui.print_json(report::blocks_json(result, flags.common.by_machine));
    } else if (result.blocks.empty()) {
        ui.say(flags.active ? "No active block." : no_data_line(flags.common, scope));
    } else {
        ui.print_table(report::render_blocks_table(result, scope.zone, options.now_ms));
    }
    return 0;
}

void add_blocks(CLI::App& parent, Context& ctx) {
    auto flags = std::make_shared<BlockFlags>();
    CLI::App* cmd = parent.add_subcommand("blocks", "Usage per 5-hour billing block (ccusage's blocks)");
    add_report_flags(*cmd, flags->common);
    cmd->add_flag("-a,--active", flags->active, "Only the active block, with burn rate and projection");
    cmd->add_flag("-r,--recent", flags->recent, "Blocks of the last 3 days (and the active one)");
    cmd->add_option("-t,--token-limit", flags->token_limit, "Token limit for the % column: a number or max");
    cmd->add_option("-n,--session-length", flags->session_hours, "Block length in hours (default: 5)");
    cmd->callback([&ctx, flags] { ctx.action = [&ctx, flags] { return run_blocks(ctx, *flags); }; });
}

}  // namespace

void register_blocks(CLI::App& parent, Context& ctx) {
    add_blocks(parent, ctx);
}

}  // namespace ccu::cli
