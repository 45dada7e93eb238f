#include "ccu/report/aggregate.hpp"

#include <algorithm>
#include <map>
#include <memory_resource>
#include <numeric>
#include <unordered_map>

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

namespace {

// Accumulates one row from buckets: totals, per-model and per-machine sums, first use. A row
// has a few models and machines: flat vectors searched from the end (the newest entry is the
// likeliest), ordered by id when the row is finished as the maps they replace were.
struct RowBuilder {
    explicit RowBuilder(std::pmr::memory_resource* arena) : per_model(arena), per_machine(arena) {}

    Row row;
    struct ModelSums {
        std::uint32_t model = 0;
        Totals totals;
        std::int64_t first_ms = INT64_MAX;
    };
    std::pmr::vector<ModelSums> per_model;
    std::pmr::vector<std::pair<std::uint32_t, Totals>> per_machine;
    std::int64_t first_ms = INT64_MAX;
    std::int64_t last_ms = INT64_MIN;
    std::uint32_t project_path = 0;
    std::uint32_t folder = 0;

    template <typename T, typename Id>
    static T& entry(std::pmr::vector<T>& list, std::uint32_t id, Id id_of) {
        for (auto it = list.rbegin(); it != list.rend(); ++it) {
            if (id_of(*it) == id) return *it;
        }
        list.emplace_back();
        id_of(list.back()) = id;
        return list.back();
    }

    void add(const store::UsageBucket& b) {
        row.totals.add(b);
        ModelSums& m = entry(per_model, b.model, [](ModelSums& s) -> std::uint32_t& { return s.model; });
        m.totals.add(b);
        m.first_ms = std::min(m.first_ms, b.first_ms);
        entry(per_machine, b.machine, [](std::pair<std::uint32_t, Totals>& p) -> std::uint32_t& { return p.first; })
            .second.add(b);
        if (b.first_ms < first_ms) {
            first_ms = b.first_ms;
            project_path = b.project;
            folder = b.folder;
        }
        last_ms = std::max(last_ms, b.last_ms);
    }

    // `first_use` is scratch space shared by the rows.
    Row finish(const std::vector<std::string>& names, bool by_machine,
               std::vector<std::pair<std::int64_t, std::uint32_t>>& first_use) && {
        std::sort(per_model.begin(), per_model.end(),
                  [](const ModelSums& a, const ModelSums& b) { return a.model < b.model; });
        first_use.clear();
        row.model_breakdowns.reserve(per_model.size());
        for (const ModelSums& sums : per_model) {
            row.model_breakdowns.push_back({names[sums.model], sums.totals});
            first_use.emplace_back(sums.first_ms, sums.model);
        }
        std::sort(first_use.begin(), first_use.end());
        row.models_used.reserve(first_use.size());
        for (const auto& [ms, model] : first_use) row.models_used.push_back(names[model]);
        std::stable_sort(row.model_breakdowns.begin(), row.model_breakdowns.end(),
                         [](const ModelBreakdown& a, const ModelBreakdown& b) { return a.totals.cost > b.totals.cost; });
        if (by_machine) {
            for (const auto& [machine, totals] : per_machine) row.machine_breakdowns.push_back({names[machine], totals});
            std::sort(row.machine_breakdowns.begin(), row.machine_breakdowns.end(),
                      [](const MachineBreakdown& a, const MachineBreakdown& b) { return a.machine < b.machine; });
        }
        row.project_path = names[project_path].empty() ? names[folder] : names[project_path];
        row.project = names[folder];
        row.first_ms = first_ms;
        row.last_ms = last_ms;
        return std::move(row);
    }
};

std::string month_string(std::int64_t day) {
    return day_string(day).substr(0, 7);
}

// The group a bucket falls in, as an integer: a day number (daily, weekly: the week's first
// day), a month's first day, or a name id (session, models).
std::int64_t group_of(ReportKind kind, const store::UsageBucket& b, std::int64_t day, int start_of_week) {
    switch (kind) {
        case ReportKind::Daily: return day;
        case ReportKind::Weekly: {
            const std::int64_t weekday = ((day % 7) + 7 + 4) % 7;  // 1970-01-01 was a Thursday (4)
            return day - (weekday - start_of_week + 7) % 7;
        }
        case ReportKind::Monthly: {
            using namespace std::chrono;
            const year_month_day ymd{sys_days{days{day}}};
            return sys_days{ymd.year() / ymd.month() / 1}.time_since_epoch().count();
        }
        case ReportKind::Session: return b.session;
        case ReportKind::Models: return b.model;
    }
    return day;
}

std::string key_string(ReportKind kind, std::int64_t group, const std::vector<std::string>& names) {
    switch (kind) {
        case ReportKind::Daily:
        case ReportKind::Weekly: return day_string(group);
        case ReportKind::Monthly: return month_string(group);
        case ReportKind::Session:
        case ReportKind::Models: return names[static_cast<std::size_t>(group)];
    }
    return {};
}

// Sorts positions, then moves each row once (a Row is a dozen strings and vectors: a year of
// sessions moved through a merge sort's buffer cost more than the sort).
void sort_rows(ReportKind kind, SortOrder order, std::vector<Row>& rows) {
    std::vector<std::size_t> at(rows.size());
    std::iota(at.begin(), at.end(), std::size_t{0});
    if (kind == ReportKind::Session || kind == ReportKind::Models) {
        // ccusage sorts sessions by cost, highest first (whatever --order says).
        std::stable_sort(at.begin(), at.end(), [&](std::size_t a, std::size_t b) { return rows[a].totals.cost > rows[b].totals.cost; });
    } else {
        std::stable_sort(at.begin(), at.end(), [&](std::size_t ia, std::size_t ib) {
            const Row& a = rows[ia];
            const Row& b = rows[ib];
            if (a.instance != b.instance) return a.instance < b.instance;
            return order == SortOrder::Ascending ? a.key < b.key : a.key > b.key;
        });
    }
    // rows[k] becomes the old rows[at[k]]: follow each cycle of the permutation with swaps.
    for (std::size_t start = 0; start < at.size(); ++start) {
        std::size_t k = start;
        while (at[k] != start) {  // rows[k] holds the old rows[start], which travels on
            const std::size_t from = at[k];
            std::swap(rows[k], rows[from]);
            at[k] = k;
            k = from;
        }
        at[k] = k;
    }
}

struct GroupHash {
    std::size_t operator()(const std::pair<std::uint32_t, std::int64_t>& k) const {
        return std::hash<std::int64_t>()(k.second * 1'000'003 + k.first);
    }
};

// Day bounds of the filter (inclusive), as day numbers.
struct DayRange {
    std::int64_t first = INT64_MIN;
    std::int64_t last = INT64_MAX;
};

DayRange day_range(const DateFilter& filter) {
    DayRange range;
    if (filter.since) range.first = day_number(*filter.since);
    if (filter.until) range.last = day_number(*filter.until);
    return range;
}

// The zone's offset at an instant, cached per quarter hour run (buckets come in time order).
class LocalDays {
public:
    explicit LocalDays(const TimeZone& zone) : zone_(zone) {}
    std::int64_t operator()(std::int64_t quarter) {
        if (quarter != quarter_) {
            quarter_ = quarter;
            day_ = local_day(zone_, quarter * 900'000);
        }
        return day_;
    }

private:
    const TimeZone& zone_;
    std::int64_t quarter_ = INT64_MIN;
    std::int64_t day_ = 0;
};

}  // namespace

Report build_report(ReportKind kind, const store::BucketSet& set, const TimeZone& zone, const DateFilter& filter,
                    const GroupOptions& options) {
    Report report;
    report.kind = kind;
    report.names = std::make_shared<const std::vector<std::string>>(set.names);
    const std::vector<std::string>& names = *report.names;
    const DayRange range = day_range(filter);
    LocalDays local_days(zone);
    // The builders live only as long as this call: one arena, freed at once (a year of sessions
    // made ~10 small allocations per row).
    std::pmr::monotonic_buffer_resource arena;
    std::pmr::map<std::pair<std::string, std::string>, RowBuilder> groups(&arena);
    // Each (instance, group) pair is turned into its key strings once.
    std::pmr::unordered_map<std::pair<std::uint32_t, std::int64_t>, RowBuilder*, GroupHash> fast(&arena);
    RowBuilder* last = nullptr;
    std::pair<std::uint32_t, std::int64_t> last_where{0, 0};
    for (const store::UsageBucket& b : set.buckets) {
        const std::int64_t day = local_days(b.quarter);
        if (day < range.first || day > range.last) continue;
        const std::string& project = set.names[b.project].empty() ? set.names[b.folder] : set.names[b.project];
        if (options.project && project != *options.project && set.names[b.folder] != *options.project) continue;
        if (b.unpriced > 0) report.unknown_models.insert(set.names[b.model]);
        const std::int64_t group = group_of(kind, b, day, options.start_of_week);
        const std::uint32_t instance = options.by_project ? (set.names[b.project].empty() ? b.folder : b.project) : 0;
        // Buckets of one group mostly come together (a session's models, a day's quarters).
        const std::pair<std::uint32_t, std::int64_t> where{instance, group};
        if (last != nullptr && last_where == where) {
            last->add(b);
            continue;
        }
        RowBuilder*& builder = fast[where];
        if (builder == nullptr) {
            std::string key = key_string(kind, group, set.names);
            std::string inst = options.by_project ? project : std::string();
            auto [it, inserted] = groups.try_emplace({inst, key}, &arena);
            if (inserted) {
                it->second.row.key = key;
                it->second.row.instance = inst;
            }
            builder = &it->second;
        }
        builder->add(b);
        last = builder;
        last_where = where;
    }
    report.rows.reserve(groups.size());
    std::vector<std::pair<std::int64_t, std::uint32_t>> first_use;
    for (auto& [key, builder] : groups) {
        report.totals.add(builder.row.totals);
        report.rows.push_back(std::move(builder).finish(names, options.by_machine, first_use));
    }
    sort_rows(kind, options.order, report.rows);
    return report;
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
