#include "cli/report_common.hpp"

#include <CLI/CLI.hpp>

#include <algorithm>

#include "ccu/cli/context.hpp"
#include "ccu/common/config.hpp"
#include "ccu/common/error.hpp"
#include "ccu/cli/local_refresh.hpp"
#include "ccu/pricing/price_table.hpp"

namespace ccu::cli {

void add_report_flags(CLI::App& cmd, ReportFlags& flags) {
    cmd.add_option("-s,--since", flags.since, "First date to include (YYYYMMDD or YYYY-MM-DD)");
    cmd.add_option("-u,--until", flags.until, "Last date to include (YYYYMMDD or YYYY-MM-DD)");
    cmd.add_option("-z,--tz,--timezone", flags.tz,
                   "IANA time zone for day boundaries (default: the system zone, like ccusage)");
    auto* machine = cmd.add_option("--machine", flags.machine,
                                   "Only these machines' records, comma-separated (default: this machine)");
    auto* all = cmd.add_flag("--all-machines", flags.all_machines, "Every machine in the store");
    machine->excludes(all);
    cmd.add_flag("--by-machine", flags.by_machine, "A per-machine breakdown of every row (machineBreakdowns in JSON)");
    cmd.add_flag("-b,--breakdown", flags.breakdown, "Per-model rows under each row in the table");
    cmd.add_flag("--compact", flags.compact, "Force the compact table layout (as for narrow terminals)");
    cmd.add_option("-o,--order", flags.order, "Sort order of dated rows: asc (default) or desc")
        ->check(CLI::IsMember({"asc", "desc"}));
}

ReportScope resolve_scope(Context& ctx, const ReportFlags& flags) {
    ReportScope scope;
    const Config config = load_config(ctx.paths().config_file());
    scope.this_machine = config.machine_name.empty() ? default_machine_name() : config.machine_name;
    if (!flags.since.empty()) scope.filter.since = report::parse_filter_date(flags.since, "--since");
    if (!flags.until.empty()) scope.filter.until = report::parse_filter_date(flags.until, "--until");
    if (!flags.all_machines) {
        std::string rest = flags.machine.empty() ? scope.this_machine : flags.machine;
        std::size_t start = 0;
        while (start <= rest.size()) {
            const std::size_t comma = std::min(rest.find(',', start), rest.size());
            if (comma > start) scope.machines.machines.push_back(rest.substr(start, comma - start));
            start = comma + 1;
        }
        if (scope.machines.machines.empty()) {
            throw Error(ErrorKind::Usage, "--machine: no machine name given", "e.g. --machine laptop,desktop");
        }
    }
    scope.zone = flags.tz.empty() ? report::TimeZone::local(ctx.env()) : report::TimeZone::named(flags.tz);
    scope.order = flags.order == "desc" ? report::SortOrder::Descending : report::SortOrder::Ascending;
    return scope;
}

store::Store open_refreshed_store(Context& ctx, const std::string& this_machine) {
    store::Store store(ctx.paths().store_file(), store::OpenMode::ReadWrite, pricing::cost_model(ctx.prices()));
    refresh_local(store, ctx.paths(), this_machine, ctx.prices(), ctx.progress());
    store.map_for_reads();
    return store;
}

void check_machines(const store::Store& store, const ReportFlags& flags, const ReportScope& scope) {
    if (flags.machine.empty()) return;
    const std::vector<std::string> known = store.machine_names();
    for (const auto& name : scope.machines.machines) {
        if (name == scope.this_machine || std::find(known.begin(), known.end(), name) != known.end()) continue;
        std::string list;
        for (const auto& k : known) list += (list.empty() ? "" : ", ") + k;
        throw Error(ErrorKind::Usage, "no machine named '" + name + "' in the store",
                    known.empty() ? "the store has no records yet: run 'ccu scan' or 'ccu gist pull'"
                                  : "known machines: " + list + " (or --all-machines)");
    }
}

void warn_unpriced(Ui& ui, const std::set<std::string>& models) {
    if (models.empty() || ui.quiet()) return;
    std::string names;
    for (const auto& m : models) names += (names.empty() ? "'" : ", '") + m + "'";
    ui.warn("no price known for model" + std::string(models.size() == 1 ? " " : "s ") + names +
            "; their cost is counted as $0.00 (totals.unpricedModels in --json)");
}

std::string no_data_line(const ReportFlags& flags, const ReportScope& scope) {
    if (flags.all_machines) return "No usage data found.";
    std::string names;
    for (const auto& m : scope.machines.machines) names += (names.empty() ? "" : ", ") + m;
    return "No usage data found for machine '" + names + "' (--all-machines includes every machine).";
}

}  // namespace ccu::cli
