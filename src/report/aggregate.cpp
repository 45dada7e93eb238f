#include "ccu/report/aggregate.hpp"

#include <algorithm>
#include <map>

#include "ccu/common/error.hpp"
#include "ccu/common/time.hpp"

namespace ccu::report {

void Totals::add(const UsageRecord& record, double record_cost) {
    input_tokens += record.input_tokens;
    output_tokens += record.output_tokens;
    cache_creation_tokens += record.cache_creation_tokens;
    cache_read_tokens += record.cache_read_tokens;
    cost += record_cost;
    records += 1;
}

void Totals::add(const Totals& other) {
    input_tokens += other.input_tokens;
    output_tokens += other.output_tokens;
    cache_creation_tokens += other.cache_creation_tokens;
    cache_read_tokens += other.cache_read_tokens;
    cost += other.cost;
    records += other.records;
}

bool DateFilter::accepts(const std::string& local_date_dashed) const {
    std::string compact;
    for (char c : local_date_dashed) {
        if (c != '-') compact.push_back(c);
    }
    if (since && compact < *since) return false;
    if (until && compact > *until) return false;
    return true;
}

std::string parse_filter_date(std::string_view text, std::string_view option_name) {
    if (auto parsed = timeutil::parse_date_arg(text)) return *parsed;
    throw Error(ErrorKind::Usage, std::string(option_name) + ": '" + std::string(text) + "' is not a date",
                "use YYYYMMDD or YYYY-MM-DD, e.g. 20250131");
}

namespace {

// Accumulates one row: totals, per-model sums and the order models were first seen.
struct RowBuilder {
    Row row;
    std::map<std::string, Totals> per_model;

    void add(const UsageRecord& record, double cost) {
        row.totals.add(record, cost);
        auto [it, inserted] = per_model.try_emplace(record.model);
        if (inserted) row.models_used.push_back(record.model);
        it->second.add(record, cost);
        if (row.first_activity.empty() || record.timestamp < row.first_activity) row.first_activity = record.timestamp;
        if (record.timestamp > row.last_activity) row.last_activity = record.timestamp;
        if (row.project.empty()) row.project = record.folder;
    }

    Row finish() && {
        for (auto& [model, totals] : per_model) row.model_breakdowns.push_back({model, totals});
        std::stable_sort(row.model_breakdowns.begin(), row.model_breakdowns.end(),
                         [](const ModelBreakdown& a, const ModelBreakdown& b) { return a.totals.cost > b.totals.cost; });
        return std::move(row);
    }
};

std::string group_key(ReportKind kind, const UsageRecord& record, const std::string& local_date) {
    switch (kind) {
        case ReportKind::Daily: return local_date;
        case ReportKind::Monthly: return local_date.substr(0, 7);
        case ReportKind::Session: return record.session_id;
        case ReportKind::Models: return record.model;
    }
    return local_date;
}

void sort_rows(ReportKind kind, std::vector<Row>& rows) {
    if (kind == ReportKind::Session) {
        std::stable_sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) {
            return a.last_activity < b.last_activity;
        });
    } else if (kind == ReportKind::Models) {
        std::stable_sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) { return a.totals.cost > b.totals.cost; });
    }
    // Daily and monthly rows come out of the std::map in key order already.
}

}  // namespace

Report build_report(ReportKind kind, const std::vector<UsageRecord>& records, const pricing::PriceTable& prices,
                    const TimeZone& zone, const DateFilter& filter) {
    Report report;
    report.kind = kind;
    pricing::UnknownModels unknown;
    std::map<std::string, RowBuilder> groups;
    std::vector<const UsageRecord*> sorted;
    sorted.reserve(records.size());
    for (const auto& record : records) sorted.push_back(&record);
    // Models are listed in order of first use, so walk the records in time order.
    std::stable_sort(sorted.begin(), sorted.end(),
                     [](const UsageRecord* a, const UsageRecord* b) { return a->timestamp < b->timestamp; });
    for (const UsageRecord* record : sorted) {
        auto epoch_ms = timeutil::parse_rfc3339_ms(record->timestamp);
        if (!epoch_ms) continue;
        std::string local_date = zone.local_date(*epoch_ms);
        if (!filter.accepts(local_date)) continue;
        unknown.note(prices, *record);
        double cost = prices.cost_of(*record);
        auto [it, inserted] = groups.try_emplace(group_key(kind, *record, local_date));
        if (inserted) it->second.row.key = it->first;
        it->second.add(*record, cost);
    }
    for (auto& [key, builder] : groups) {
        report.totals.add(builder.row.totals);
        report.rows.push_back(std::move(builder).finish());
    }
    sort_rows(kind, report.rows);
    report.unknown_models = unknown.names();
    return report;
}

}  // namespace ccu::report
