#include "ccu/report/report_query.hpp"

#include "ccu/common/error.hpp"

namespace ccu::report {

namespace {
constexpr std::int64_t kDayMs = 86'400'000;
// Zones reach UTC-12..UTC+14: one day on each side covers every local date.
constexpr std::int64_t kMarginMs = kDayMs;
// The fewest rows that still answer the request (store/buckets.hpp): projects only for
// --instances / --project, sessions over time only when a date range cuts sessions.
store::BucketGrain grain_for(const ReportRequest& request) {
    if (request.kind == ReportKind::Session) {
        const bool dated = request.filter.since || request.filter.until;
        return dated ? store::BucketGrain::Session : store::BucketGrain::WholeSession;
    }
    const bool projects = request.group.by_project || request.group.project;
    return projects ? store::BucketGrain::Project : store::BucketGrain::Model;
}

}  // namespace

std::int64_t utc_midnight_ms(const std::string& yyyymmdd) {
    return day_number(yyyymmdd) * kDayMs;
}

store::BucketSet load_buckets(const store::Store& store, const DateFilter& filter, const MachineScope& scope,
                              store::BucketGrain grain) {
    store::BucketQuery query;
    query.grain = grain;
    query.machines = scope.machines;
    if (filter.since) query.since_ms = utc_midnight_ms(*filter.since) - kMarginMs;
    if (filter.until) query.until_ms = utc_midnight_ms(*filter.until) + kDayMs + kMarginMs;
    return store.buckets(query);
}

Report query_report(const store::Store& store, const ReportRequest& request, const TimeZone& zone) {
    if (request.filter.since && request.filter.until && *request.filter.since > *request.filter.until) {
        throw Error(ErrorKind::Usage,
                    "--since " + *request.filter.since + " is after --until " + *request.filter.until +
                        ": no day can match",
                    "swap the two dates");
    }
    const auto grain = grain_for(request);
    return build_report(request.kind, load_buckets(store, request.filter, request.scope, grain), zone, request.filter,
                        request.group);
}

}  // namespace ccu::report
