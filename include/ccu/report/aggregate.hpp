#pragma once
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "ccu/common/record.hpp"
#include "ccu/pricing/price_table.hpp"
#include "ccu/report/timezone.hpp"

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
    void add(const Totals& other);
};

struct ModelBreakdown {
    std::string model;
    Totals totals;
};

// One row of a daily/monthly/session/models report. `key` is the date ("YYYY-MM-DD"),
// month ("YYYY-MM"), session id or model name.
struct Row {
    std::string key;
    Totals totals;
    std::vector<std::string> models_used;         // in order of first use
    std::vector<ModelBreakdown> model_breakdowns;  // by cost, highest first (ccusage order)
    // Session rows only:
    std::string project;         // the record's folder
    std::string first_activity;  // RFC 3339 timestamps of the first and last record
    std::string last_activity;
};

enum class ReportKind { Daily, Monthly, Session, Models };

// Date filter in the report's zone, both ends inclusive, "YYYYMMDD" (ccusage --since/--until).
struct DateFilter {
    std::optional<std::string> since;
    std::optional<std::string> until;
    bool accepts(const std::string& local_date_dashed) const;
};

struct Report {
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
                    const pricing::PriceTable& prices, const TimeZone& zone, const DateFilter& filter);

// Accepts "YYYYMMDD" or "YYYY-MM-DD"; returns "YYYYMMDD". Throws ccu::Error(Usage).
std::string parse_filter_date(std::string_view text, std::string_view option_name);

}  // namespace ccu::report
