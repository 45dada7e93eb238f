// Buckets grouped into report rows by integer keys: a bucket finds its row by its (project,
// group) ids, never by strings (a year of sessions looked every bucket up in a map keyed by the
// session's and project's strings); the strings are compared only to put the rows in order.
#include "report/row_groups.hpp"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <memory_resource>
#include <numeric>
#include <string_view>
#include <unordered_map>

namespace ccu::report::detail {
namespace {

// std::stable_sort's order for a row's few models, in place (std::stable_sort takes a buffer
// from the heap on every call: one per row).
template <typename It, typename Less>
void stable_sort_small(It begin, It end, Less less) {
    for (It i = begin; i != end; ++i) {
        for (It j = i; j != begin && less(*j, *(j - 1)); --j) std::iter_swap(j, j - 1);
    }
}

// Accumulates one row from buckets: totals, per-model and per-machine sums, first use. A row
// has a few models and machines: flat vectors searched from the end (the newest entry is the
// likeliest), ordered by id when the row is finished as the maps they replace were.
struct RowBuilder {
    explicit RowBuilder(std::pmr::memory_resource* arena) : per_model(arena), per_machine(arena) {}

    Totals totals;
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
        totals.add(b);
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

    // `first_use` is scratch space shared by the rows; the row's lists come from `storage`.
    Row finish(const std::vector<std::string>& names, bool by_machine,
               std::vector<std::pair<std::int64_t, std::uint32_t>>& first_use, std::pmr::memory_resource* storage) && {
        Row row(storage);
        row.totals = totals;
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
        stable_sort_small(row.model_breakdowns.begin(), row.model_breakdowns.end(),
                          [](const ModelBreakdown& a, const ModelBreakdown& b) { return a.totals.cost > b.totals.cost; });
        if (by_machine) {
            row.machine_breakdowns.reserve(per_machine.size());
            for (const auto& [machine, sums] : per_machine) row.machine_breakdowns.push_back({names[machine], sums});
            std::sort(row.machine_breakdowns.begin(), row.machine_breakdowns.end(),
                      [](const MachineBreakdown& a, const MachineBreakdown& b) { return a.machine < b.machine; });
        }
        row.project_path = names[project_path].empty() ? names[folder] : names[project_path];
        row.project = names[folder];
        row.first_ms = first_ms;
        row.last_ms = last_ms;
        return row;
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

// A row's key: a name, or a date's text kept in `storage`.
std::string_view key_text(ReportKind kind, std::int64_t group, const std::vector<std::string>& names,
                          std::pmr::memory_resource& storage) {
    std::string text;
    switch (kind) {
        case ReportKind::Daily:
        case ReportKind::Weekly: text = day_string(group); break;
        case ReportKind::Monthly: text = month_string(group); break;
        case ReportKind::Session:
        case ReportKind::Models: return names[static_cast<std::size_t>(group)];
    }
    auto* kept = static_cast<char*>(storage.allocate(text.size() + 1, 1));
    std::memcpy(kept, text.c_str(), text.size() + 1);
    return {kept, text.size()};
}

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

// A row's identity: its project's name id (0 without GroupOptions::by_project) and its group.
struct GroupKey {
    std::uint32_t instance = 0;
    std::int64_t group = 0;
    bool operator==(const GroupKey&) const = default;
};

struct GroupKeyHash {
    std::size_t operator()(const GroupKey& k) const {
        return std::hash<std::int64_t>()(k.group * 1'000'003 + k.instance);
    }
};

constexpr std::uint32_t kNoGroup = UINT32_MAX;

bool named_groups(ReportKind kind) {
    return kind == ReportKind::Session || kind == ReportKind::Models;
}

// Name ids mapped to the first id of the same name. The store's `bucket_names` and bucketize
// number each name once, but a BucketSet's unused slots are "" too (store/bucket_query.cpp), so
// two ids can name one row; rows are keyed by their strings, as ccusage's are.
using CanonicalIds = std::vector<std::uint32_t>;

CanonicalIds canonical_ids(const std::vector<std::string>& names) {
    std::unordered_map<std::string_view, std::uint32_t> first;
    CanonicalIds canon(names.size());
    for (std::uint32_t id = 0; id < names.size(); ++id) canon[id] = first.try_emplace(names[id], id).first->second;
    return canon;
}

struct Pass {
    ReportKind kind;
    const std::vector<store::UsageBucket>& buckets;
    const std::vector<std::string>& names;
    const TimeZone& zone;
    const DateFilter& filter;
    const GroupOptions& options;
};

// The row builders of one pass over the buckets, in order of first appearance.
struct Groups {
    explicit Groups(std::pmr::memory_resource* arena) : builders(arena), keys(arena) {}
    std::pmr::vector<RowBuilder> builders;
    std::pmr::vector<GroupKey> keys;  // builders[i]'s
};

Groups group_buckets(const Pass& pass, const CanonicalIds* canon, std::set<std::string>& unknown,
                     std::pmr::memory_resource* arena) {
    const std::vector<std::string>& names = pass.names;
    const GroupOptions& options = pass.options;
    const auto id = [canon](std::uint32_t i) { return canon != nullptr ? (*canon)[i] : i; };
    const DayRange range = day_range(pass.filter);
    LocalDays local_days(pass.zone);
    Groups groups(arena);
    // Sessions and models without projects: a slot per name id; other keys through a hash.
    const bool slots = named_groups(pass.kind) && !options.by_project;
    std::pmr::vector<std::uint32_t> slot(slots ? names.size() : 0, kNoGroup, arena);
    std::pmr::unordered_map<GroupKey, std::uint32_t, GroupKeyHash> index(arena);
    // The project's name is read only when rows or the filter need it (a string per bucket).
    const bool projects = options.by_project || options.project.has_value();
    std::uint32_t last = kNoGroup;
    GroupKey last_key;
    for (const store::UsageBucket& b : pass.buckets) {
        const std::int64_t day = local_days(b.quarter);
        if (day < range.first || day > range.last) continue;
        const std::uint32_t project = projects && names[b.project].empty() ? b.folder : b.project;
        if (options.project && names[project] != *options.project && names[b.folder] != *options.project) continue;
        if (b.unpriced > 0) unknown.insert(names[b.model]);
        std::int64_t group = group_of(pass.kind, b, day, options.start_of_week);
        if (named_groups(pass.kind)) group = id(static_cast<std::uint32_t>(group));
        const GroupKey key{options.by_project ? id(project) : 0, group};
        // Buckets of one group mostly come together (a session's models, a day's quarters).
        if (last == kNoGroup || !(key == last_key)) {
            std::uint32_t& at =
                slots ? slot[static_cast<std::size_t>(group)] : index.try_emplace(key, kNoGroup).first->second;
            if (at == kNoGroup) {
                at = static_cast<std::uint32_t>(groups.builders.size());
                groups.builders.emplace_back(arena);
                groups.keys.push_back(key);
            }
            last = at;
            last_key = key;
        }
        groups.builders[last].add(b);
    }
    return groups;
}

std::string_view instance_of(const Pass& pass, const GroupKey& key) {
    return pass.options.by_project ? std::string_view(pass.names[key.instance]) : std::string_view();
}

// The rows in key order: project name, then the key (names as strings; days, weeks and months
// as their numbers, which order as their "YYYY-MM-DD" strings do).
int compare_keys(const Pass& pass, const GroupKey& a, const GroupKey& b) {
    if (const int c = instance_of(pass, a).compare(instance_of(pass, b)); c != 0) return c;
    if (named_groups(pass.kind)) {
        return std::string_view(pass.names[static_cast<std::size_t>(a.group)])
            .compare(pass.names[static_cast<std::size_t>(b.group)]);
    }
    return a.group < b.group ? -1 : (a.group > b.group ? 1 : 0);
}

std::vector<std::uint32_t> key_order(const Pass& pass, const Groups& groups) {
    std::vector<std::uint32_t> order(groups.builders.size());
    std::iota(order.begin(), order.end(), 0U);
    const auto less = [&](std::uint32_t a, std::uint32_t b) {
        return compare_keys(pass, groups.keys[a], groups.keys[b]) < 0;
    };
    // Rows often come in key order already (days in time order; a store's sessions as their
    // ids run, which a bulk load numbers in name order): then one comparison a row.
    if (!std::is_sorted(order.begin(), order.end(), less)) std::sort(order.begin(), order.end(), less);
    return order;
}

bool has_equal_keys(const Pass& pass, const Groups& groups, const std::vector<std::uint32_t>& order) {
    return std::adjacent_find(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
               return compare_keys(pass, groups.keys[a], groups.keys[b]) == 0;
           }) != order.end();
}

// From key order to the report's: sessions and models by cost, highest first (ccusage, whatever
// --order says); periods by project, then by key as --order says.
void report_order(const Pass& pass, const Groups& groups, std::vector<std::uint32_t>& order) {
    if (named_groups(pass.kind)) {
        std::stable_sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
            return groups.builders[a].totals.cost > groups.builders[b].totals.cost;
        });
    } else if (pass.options.order == SortOrder::Descending) {
        std::stable_sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
            const GroupKey& ka = groups.keys[a];
            const GroupKey& kb = groups.keys[b];
            if (const int c = instance_of(pass, ka).compare(instance_of(pass, kb)); c != 0) return c < 0;
            return ka.group > kb.group;
        });
    }
}

}  // namespace

Report build_rows(ReportKind kind, const std::vector<store::UsageBucket>& buckets,
                  std::shared_ptr<const std::vector<std::string>> names, const TimeZone& zone, const DateFilter& filter,
                  const GroupOptions& options) {
    Report report;
    report.kind = kind;
    report.names = std::move(names);
    const Pass pass{kind, buckets, *report.names, zone, filter, options};
    // The builders live only as long as this call: one arena, freed at once (a year of sessions
    // made ~10 small allocations per row).
    std::pmr::monotonic_buffer_resource arena;
    Groups groups = group_buckets(pass, nullptr, report.unknown_models, &arena);
    std::vector<std::uint32_t> order = key_order(pass, groups);
    if (has_equal_keys(pass, groups, order)) {
        const CanonicalIds canon = canonical_ids(pass.names);
        groups = group_buckets(pass, &canon, report.unknown_models, &arena);
        order = key_order(pass, groups);
    }
    for (const std::uint32_t i : order) report.totals.add(groups.builders[i].totals);
    report_order(pass, groups, order);
    auto storage = std::make_shared<std::pmr::monotonic_buffer_resource>();
    report.storage = storage;
    report.rows.reserve(order.size());
    std::vector<std::pair<std::int64_t, std::uint32_t>> first_use;
    for (const std::uint32_t i : order) {
        Row row = std::move(groups.builders[i]).finish(pass.names, options.by_machine, first_use, storage.get());
        row.key = key_text(kind, groups.keys[i].group, pass.names, *storage);
        row.instance = instance_of(pass, groups.keys[i]);
        report.rows.push_back(std::move(row));
    }
    return report;
}

}  // namespace ccu::report::detail
