// `ccu report daily|monthly|session|models`: usage reports from the local store, with
// ccusage's --json shape. Refreshes the store from this machine's logs first.
#include <algorithm>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "ccu/cli/commands.hpp"
#include "ccu/cli/context.hpp"
#include "ccu/common/config.hpp"
#include "ccu/common/error.hpp"
#include "ccu/pricing/price_table.hpp"
#include "ccu/report/render.hpp"
#include "ccu/report/report_query.hpp"
#include "ccu/cli/local_refresh.hpp"

namespace ccu::cli {
namespace {

struct ReportOptions {
    std::string since;
    std::string until;
    std::string tz;
    std::string machine;
    bool all_machines = false;
};

report::ReportRequest make_request(report::ReportKind kind, const ReportOptions& o, const std::string& this_machine) {
    report::ReportRequest request;
    request.kind = kind;
    if (!o.since.empty()) request.filter.since = report::parse_filter_date(o.since, "--since");
    if (!o.until.empty()) request.filter.until = report::parse_filter_date(o.until, "--until");
    if (!o.all_machines) request.scope.machine = o.machine.empty() ? this_machine : o.machine;
    return request;
}

// `--machine NAME` names a machine the store has records of (or this machine): a misspelt name
// is a usage error listing the known ones, not an empty report.
void check_machine(const store::Store& store, const ReportOptions& o, const std::string& this_machine) {
    if (o.machine.empty() || o.machine == this_machine) return;
    const std::vector<std::string> known = store.machine_names();
    if (std::find(known.begin(), known.end(), o.machine) != known.end()) return;
    std::string list;
    for (const auto& name : known) list += (list.empty() ? "" : ", ") + name;
    throw Error(ErrorKind::Usage, "no machine named '" + o.machine + "' in the store",
                known.empty() ? "the store has no records yet: run 'ccu scan' or 'ccu gist pull'"
                              : "known machines: " + list + " (or --all-machines)");
}

int run_report(Context& ctx, report::ReportKind kind, const ReportOptions& options) {
    const Paths& paths = ctx.paths();
    const Config config = load_config(paths.config_file());
    const std::string machine = config.machine_name.empty() ? default_machine_name() : config.machine_name;
    const report::ReportRequest request = make_request(kind, options, machine);
    const report::TimeZone zone =
        options.tz.empty() ? report::TimeZone::local(ctx.env()) : report::TimeZone::named(options.tz);

    store::Store store(paths.store_file(), store::OpenMode::ReadWrite);
    refresh_local(store, paths, machine, ctx.prices(), ctx.progress());
    check_machine(store, options, machine);
    const report::Report result =
        report::query_report(store, request, ctx.prices(), zone);

    Ui& ui = ctx.ui();
    for (const auto& model : result.unknown_models) {
        ui.warn("no price known for model '" + model + "'; its cost is counted as $0.00");
    }
    if (ui.json()) {
        ui.print_json(report::to_json(result));
    } else if (result.rows.empty()) {
        ui.say("No usage data found" + std::string(options.all_machines ? "." : " for machine '" +
               request.scope.machine.value_or("") + "' (--all-machines includes every machine)."));
    } else {
        ui.print_table(report::render_table(result, [&ui](std::string_view text) { return ui.bold(text); }));
    }
    return 0;
}

void add_report_subcommand(CLI::App& report, Context& ctx, const char* name, const char* help,
                           report::ReportKind kind) {
    auto options = std::make_shared<ReportOptions>();
    CLI::App* cmd = report.add_subcommand(name, help);
    cmd->add_option("-s,--since", options->since, "First date to include (YYYYMMDD or YYYY-MM-DD)");
    cmd->add_option("-u,--until", options->until, "Last date to include (YYYYMMDD or YYYY-MM-DD)");
    cmd->add_option("-z,--tz,--timezone", options->tz,
                    "IANA time zone for day boundaries (default: the system zone, like ccusage)");
    auto* machine = cmd->add_option("--machine", options->machine,
                                    "Only this machine's records (default: this machine)");
    auto* all = cmd->add_flag("--all-machines", options->all_machines, "Every machine in the store");
    machine->excludes(all);
    cmd->callback([&ctx, kind, options] { ctx.action = [&ctx, kind, options] { return run_report(ctx, kind, *options); }; });
}

}  // namespace

void register_report(CLI::App& parent, Context& ctx) {
    CLI::App* report = parent.add_subcommand("report", "Usage reports (tokens and cost) from the local store");
    report->require_subcommand(1);
    add_report_subcommand(*report, ctx, "daily", "Usage per day", report::ReportKind::Daily);
    add_report_subcommand(*report, ctx, "monthly", "Usage per month", report::ReportKind::Monthly);
    add_report_subcommand(*report, ctx, "session", "Usage per Claude Code session", report::ReportKind::Session);
    add_report_subcommand(*report, ctx, "models", "Usage per model", report::ReportKind::Models);
}

}  // namespace ccu::cli
