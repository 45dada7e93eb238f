#pragma once
// What every report command shares: ccusage's report flags, which machines, the zone, the
// refreshed store, the unpriced-model warning.
#include <optional>
#include <set>
#include <string>

#include "ccu/report/aggregate.hpp"
#include "ccu/report/report_query.hpp"
#include "ccu/store/store.hpp"

namespace CLI {
class App;
}

namespace ccu::cli {
class Context;
class Ui;

struct ReportFlags {
    std::string since;
    std::string until;
    std::string tz;
    std::string machine;  // "A,B"
    bool all_machines = false;
    bool by_machine = false;
    bool breakdown = false;
    bool compact = false;
    std::string order = "asc";
};

// --since/--until/--tz/--machine/--all-machines/--by-machine/--breakdown/--compact/--order.
void add_report_flags(CLI::App& cmd, ReportFlags& flags);

// The parsed common part of a report run.
struct ReportScope {
    std::string this_machine;
    report::DateFilter filter;
    report::MachineScope machines;
    report::TimeZone zone = report::TimeZone::utc();
    report::SortOrder order = report::SortOrder::Ascending;
};
ReportScope resolve_scope(Context& ctx, const ReportFlags& flags);

// Opens the store read-write and reads this machine's new logs into it first.
store::Store open_refreshed_store(Context& ctx, const std::string& this_machine);

// Every `--machine` name is this machine or one the store has records of: a misspelt name is a
// usage error listing the known ones, not an empty report.
void check_machines(const store::Store& store, const ReportFlags& flags, const ReportScope& scope);

// One warning per run naming every unpriced model; --quiet silences it.
void warn_unpriced(Ui& ui, const std::set<std::string>& models);

// "No usage data found ..." for an empty report.
std::string no_data_line(const ReportFlags& flags, const ReportScope& scope);

}  // namespace ccu::cli
