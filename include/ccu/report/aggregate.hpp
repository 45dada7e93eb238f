#pragma once
#include <cstdint>
#include <memory>
#include <memory_resource>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "ccu/common/record.hpp"
#include "ccu/pricing/price_table.hpp"
#include "ccu/report/timezone.hpp"
#include "ccu/store/store.hpp"

namespace ccu::report {

// Token and cost sums with ccusage's JSON names (inputTokens, ..., totalCost).
struct Totals {
    std::int64_t input_tokens = 0;
    std::int64_t output_tokens = 0;
    std::int64_t cache_creation_tokens = 0;
    std::int64_t cache_read_tokens = 0;
    double cost = 0;
    std::int64_t records = 0;

    std::int64_t total_tokens() const {
        return input_tokens + output_tokens + cache_creation_tokens + cache_read_tokens;
    }
    void add(const UsageRecord& record, double record_cost);
    void add(const store::UsageBucket& bucket);
    void add(const Totals& other);
};

// Model names are views into Report::names (or into literals a caller owns): a year of sessions
// named each model twice per row, a copy each.
struct ModelBreakdown {
    std::string_view model;
    Totals totals;
};

struct MachineBreakdown {
    std::string machine;
    Totals totals;
};

// One row of a daily/monthly/session/models report. `key` is the date ("YYYY-MM-DD"),
// month ("YYYY-MM"), session id or model name. The texts are views and the model lists live
// in a memory resource: build_report's rows point into their Report's `names` and `storage`
// (a year of sessions made a heap string and two vectors per row, and freed them all again).
struct Row {
    Row() = default;
    explicit Row(std::pmr::memory_resource* storage) : models_used(storage), model_breakdowns(storage) {}

    std::string_view key;
    Totals totals;
    std::pmr::vector<std::string_view> models_used;    // in order of first use
    std::pmr::vector<ModelBreakdown> model_breakdowns;  // by cost, highest first (ccusage order)
    std::vector<MachineBreakdown> machine_breakdowns;  // with GroupOptions::by_machine, by name
    std::string_view instance;        // with GroupOptions::by_project: the row's project (projectPath)
    // Session rows only:
    std::string_view project_path;    // ccusage's projectPath: the projects sub-directory
    std::string_view project;         // the record's folder (last component of cwd)
    std::int64_t first_ms = 0;   // the first and last record (JSON: firstActivity, lastActivity)
    std::int64_t last_ms = 0;
};

enum class ReportKind { Daily, Weekly, Monthly, Session, Models };
enum class SortOrder { Ascending, Descending };

// How rows are grouped beyond the kind (ccusage's --start-of-week, --instances, --project,
// ccu's --by-machine).
struct GroupOptions {
    int start_of_week = 0;                 // 0 Sunday .. 6 Saturday (weekly)
    bool by_project = false;               // rows per (project, period)
    std::optional<std::string> project;    // only this project (projectPath or folder)
    bool by_machine = false;               // fill Row::machine_breakdowns
    SortOrder order = SortOrder::Ascending;  // of date/month/week rows (ccusage --order)
};

// Date filter in the report's zone, both ends inclusive, "YYYYMMDD" (ccusage --since/--until).
struct DateFilter {
    std::optional<std::string> since;
    std::optional<std::string> until;
    bool accepts(const std::string& local_date_dashed) const;
};

struct Report {
    // What the rows' lists and date keys are allocated from (before `rows`: it outlives them).
    std::shared_ptr<std::pmr::memory_resource> storage;
    // The names the rows' views point into (build_report's copy of the buckets' names).
    std::shared_ptr<const std::vector<std::string>> names;
    ReportKind kind = ReportKind::Daily;
    std::vector<Row> rows;
    Totals totals;
    std::set<std::string> unknown_models;  // priced at 0; the caller warns once per name
};

// Pure aggregation: prices every record (ccusage "auto" cost mode), keeps those whose local
// date in `zone` passes `filter`, and groups them. Rows are sorted by key (daily, monthly),
// by last activity (session) or by cost, highest first (models). Records with an
// unparseable timestamp are skipped.
Report build_report(ReportKind kind, const std::vector<UsageRecord>& records,
                    const pricing::PriceTable& prices, const TimeZone& zone, const DateFilter& filter,
                    const GroupOptions& options = {});
// The same from the store's quarter-hour buckets (what the CLI uses: never reads records).
Report build_report(ReportKind kind, const store::BucketSet& buckets, const TimeZone& zone, const DateFilter& filter,
                    const GroupOptions& options = {});
// The same, keeping the set's names as the report's (no copy).
Report build_report(ReportKind kind, store::BucketSet&& buckets, const TimeZone& zone, const DateFilter& filter,
                    const GroupOptions& options = {});
// Records summed into buckets in memory, priced with `prices` (tests, the statusline's tail).
store::BucketSet bucketize(const std::vector<UsageRecord>& records, const pricing::PriceTable& prices);
void add_records(store::BucketSet& set, const std::vector<UsageRecord>& records, const pricing::PriceTable& prices);

// Day number (days since 1970-01-01) of "YYYYMMDD"; "YYYY-MM-DD" of a day number.
std::int64_t day_number(const std::string& yyyymmdd);
std::string day_string(std::int64_t day);
// Local day number of an instant in `zone`.
std::int64_t local_day(const TimeZone& zone, std::int64_t epoch_ms);

// Accepts "YYYYMMDD" or "YYYY-MM-DD"; returns "YYYYMMDD". Throws ccu::Error(Usage).
std::string parse_filter_date(std::string_view text, std::string_view option_name);

}  // namespace ccu::report
