// `ccu report daily|weekly|monthly|session|models|blocks` and the ccusage-style shortcuts
// `ccu daily|weekly|monthly|session|blocks`: usage reports from the local store, with
// ccusage's --json shapes. Refreshes the store from this machine's logs first.
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "ccu/cli/commands.hpp"
#include "ccu/cli/context.hpp"
#include "ccu/common/error.hpp"
#include "ccu/report/render.hpp"
#include "ccu/report/report_query.hpp"
#include "cli/report_common.hpp"

namespace ccu::cli {
namespace {

struct PeriodFlags {
    ReportFlags common;
    bool instances = false;
    std::string project;
    std::string start_of_week = "sunday";
};

int weekday_index(const std::string& name) {
    static const char* const days[] = {"sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"};
    for (int i = 0; i < 7; ++i) {
        if (name == days[i]) return i;
    }
    throw Error(ErrorKind::Usage, "--start-of-week: '" + name + "' is not a day", "use sunday, monday, ... saturday");
}

int run_report(Context& ctx, report::ReportKind kind, const PeriodFlags& flags) {
    const ReportScope scope = resolve_scope(ctx, flags.common);
    report::ReportRequest request;
    request.kind = kind;
    request.filter = scope.filter;
    request.scope = scope.machines;
    request.group.order = scope.order;
    request.group.by_machine = flags.common.by_machine;
    request.group.by_project = flags.instances;
    if (!flags.project.empty()) request.group.project = flags.project;
    request.group.start_of_week = weekday_index(flags.start_of_week);

    store::Store store = open_refreshed_store(ctx, scope.this_machine);
    check_machines(store, flags.common, scope);
    const report::Report result = report::query_report(store, request, scope.zone);

    Ui& ui = ctx.ui();
    warn_unpriced(ui, result.unknown_models);
    if (ui.json()) {
        ui.print_json_text([&](const report::TextSink& sink) {
            report::write_json(result, {flags.instances, flags.common.by_machine}, sink);
        });
    } else if (result.rows.empty()) {
        ui.say(no_data_line(flags.common, scope));
    } else {
        report::TableOptions table;
        table.breakdown = flags.common.breakdown;
        table.by_machine = flags.common.by_machine;
        table.layout = flags.common.compact ? report::TableLayout::Compact : report::TableLayout::Auto;
        table.width = ui.columns();
        table.zone = &scope.zone;
        ui.print_table(report::render_table(result, table, [&ui](std::string_view text) { return ui.bold(text); }));
    }
    return 0;
}

void add_period_command(CLI::App& parent, Context& ctx, const char* name, const char* help, report::ReportKind kind) {
    auto flags = std::make_shared<PeriodFlags>();
    CLI::App* cmd = parent.add_subcommand(name, help);
    add_report_flags(*cmd, flags->common);
    if (kind == report::ReportKind::Daily) {
        cmd->add_flag("-i,--instances", flags->instances, "Rows per project (projects sub-directory) and day");
        cmd->add_option("-p,--project", flags->project, "Only this project (projectPath or folder name)");
    }
    if (kind == report::ReportKind::Weekly) {
        cmd->add_option("-w,--start-of-week", flags->start_of_week, "First day of the week (default: sunday)");
    }
    cmd->callback([&ctx, kind, flags] { ctx.action = [&ctx, kind, flags] { return run_report(ctx, kind, *flags); }; });
}

// The report commands under `parent` (`ccu report ...`, or the top level for ccusage's names).
void add_report_commands(CLI::App& parent, Context& ctx, bool with_models) {
    add_period_command(parent, ctx, "daily", "Usage per day", report::ReportKind::Daily);
    add_period_command(parent, ctx, "weekly", "Usage per week", report::ReportKind::Weekly);
    add_period_command(parent, ctx, "monthly", "Usage per month", report::ReportKind::Monthly);
    add_period_command(parent, ctx, "session", "Usage per Claude Code session", report::ReportKind::Session);
    if (with_models) add_period_command(parent, ctx, "models", "Usage per model", report::ReportKind::Models);
    register_blocks(parent, ctx);
}

}  // namespace

void register_report(CLI::App& parent, Context& ctx) {
    CLI::App* report = parent.add_subcommand("report", "Usage reports (tokens and cost) from the local store");
    report->require_subcommand(1);
    add_report_commands(*report, ctx, true);
    add_report_commands(parent, ctx, false);  // `ccu daily` etc., as ccusage names them
}

}  // namespace ccu::cli
