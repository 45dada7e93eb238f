#include "ccu/report/aggregate.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <unordered_map>

#include "ccu/common/error.hpp"
#include "ccu/common/time.hpp"
#include "report/row_groups.hpp"

namespace ccu::report {

void Totals::add(const UsageRecord& record, double record_cost) {
    input_tokens += record.input_tokens;
    output_tokens += record.output_tokens;
    cache_creation_tokens += record.cache_creation_tokens;
    cache_read_tokens += record.cache_read_tokens;
    cost += record_cost;
    records += 1;
}

void Totals::add(const store::UsageBucket& b) {
    input_tokens += b.input_tokens;
    output_tokens += b.output_tokens;
    cache_creation_tokens += b.cache_creation_tokens;
    cache_read_tokens += b.cache_read_tokens;
    cost += b.cost;
    records += b.records;
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

std::int64_t day_number(const std::string& yyyymmdd) {
    using namespace std::chrono;
    const int y = std::stoi(yyyymmdd.substr(0, 4));
    const auto m = static_cast<unsigned>(std::stoi(yyyymmdd.substr(4, 2)));
    const auto d = static_cast<unsigned>(std::stoi(yyyymmdd.substr(6, 2)));
    return sys_days{year{y} / month{m} / d}.time_since_epoch().count();
}

std::string day_string(std::int64_t day) {
    using namespace std::chrono;
    const year_month_day ymd{sys_days{days{day}}};
    char text[16];
    std::snprintf(text, sizeof text, "%04d-%02u-%02u", static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                  static_cast<unsigned>(ymd.day()));
    return text;
}

std::int64_t local_day(const TimeZone& zone, std::int64_t epoch_ms) {
    const std::int64_t seconds = (epoch_ms >= 0 ? epoch_ms : epoch_ms - 999) / 1000;
    const std::int64_t local = seconds + zone.offset_seconds(seconds);
    return (local >= 0 ? local : local - 86399) / 86400;
}

Report build_report(ReportKind kind, const store::BucketSet& set, const TimeZone& zone, const DateFilter& filter,
                    const GroupOptions& options) {
    return detail::build_rows(kind, set.buckets, std::make_shared<const std::vector<std::string>>(set.names), zone,
                              filter, options);
}

Report build_report(ReportKind kind, store::BucketSet&& set, const TimeZone& zone, const DateFilter& filter,
                    const GroupOptions& options) {
    // The names move into the report (a year of sessions names ~15k of them: a copy each).
    auto names = std::make_shared<const std::vector<std::string>>(std::move(set.names));
    return detail::build_rows(kind, set.buckets, std::move(names), zone, filter, options);
}

void add_records(store::BucketSet& set, const std::vector<UsageRecord>& records, const pricing::PriceTable& prices) {
    std::unordered_map<std::string, std::uint32_t> ids;
    for (std::size_t i = 0; i < set.names.size(); ++i) ids.emplace(set.names[i], static_cast<std::uint32_t>(i));
    const auto id = [&](const std::string& name) {
        auto [it, inserted] = ids.try_emplace(name, static_cast<std::uint32_t>(set.names.size()));
        if (inserted) set.names.push_back(name);
        return it->second;
    };
    std::map<std::tuple<std::int64_t, std::uint32_t, std::uint32_t, std::uint32_t>, store::UsageBucket> buckets;
    for (const auto& b : set.buckets) buckets[{b.quarter, b.machine, b.session, b.model}] = b;
    for (const UsageRecord& r : records) {
        const auto ms = timeutil::parse_rfc3339_ms(r.timestamp);
        if (!ms) continue;
        const std::int64_t quarter = *ms / 900'000;
        store::UsageBucket& b = buckets[{quarter, id(r.machine_name), id(r.session_id), id(r.model)}];
        if (b.records == 0) {
            b.quarter = quarter;
            b.machine = id(r.machine_name);
            b.session = id(r.session_id);
            b.model = id(r.model);
            b.project = id(r.project);
            b.folder = id(r.folder);
            b.first_ms = *ms;
            b.last_ms = *ms;
        }
        b.input_tokens += r.input_tokens;
        b.output_tokens += r.output_tokens;
        b.cache_creation_tokens += r.cache_creation_tokens;
        b.cache_read_tokens += r.cache_read_tokens;
        b.cost += prices.cost_of(r);
        b.records += 1;
        if (pricing::is_unpriced(prices, r)) b.unpriced += 1;
        b.first_ms = std::min(b.first_ms, *ms);
        b.last_ms = std::max(b.last_ms, *ms);
    }
    set.buckets.clear();
    for (auto& [key, b] : buckets) set.buckets.push_back(b);
}

store::BucketSet bucketize(const std::vector<UsageRecord>& records, const pricing::PriceTable& prices) {
    store::BucketSet set;
    set.names.emplace_back();  // id 0: ""
    add_records(set, records, prices);
    return set;
}

Report build_report(ReportKind kind, const std::vector<UsageRecord>& records, const pricing::PriceTable& prices,
                    const TimeZone& zone, const DateFilter& filter, const GroupOptions& options) {
    return build_report(kind, bucketize(records, prices), zone, filter, options);
}

}  // namespace ccu::report
