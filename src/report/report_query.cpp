#include "ccu/report/report_query.hpp"

#include <chrono>

#include "ccu/common/error.hpp"

namespace ccu::report {

namespace {
constexpr std::int64_t kDayMs = 86'400'000;
// Zones reach UTC-12..UTC+14: one day on each side covers every local date.
constexpr std::int64_t kMarginMs = kDayMs;
}  // namespace

std::int64_t utc_midnight_ms(const std::string& yyyymmdd) {
    using namespace std::chrono;
    const int y = std::stoi(yyyymmdd.substr(0, 4));
    const auto m = static_cast<unsigned>(std::stoi(yyyymmdd.substr(4, 2)));
    const auto d = static_cast<unsigned>(std::stoi(yyyymmdd.substr(6, 2)));
    const sys_days day{year{y} / month{m} / d};
    return duration_cast<milliseconds>(day.time_since_epoch()).count();
}

Report query_report(const store::Store& store, const ReportRequest& request, const pricing::PriceTable& prices,
                    const TimeZone& zone) {
    if (request.filter.since && request.filter.until && *request.filter.since > *request.filter.until) {
        throw Error(ErrorKind::Usage,
                    "--since " + *request.filter.since + " is after --until " + *request.filter.until +
                        ": no day can match",
                    "swap the two dates");
    }
    store::RecordQuery query;
    query.machine = request.scope.machine;
    if (request.filter.since) query.since_ms = utc_midnight_ms(*request.filter.since) - kMarginMs;
    if (request.filter.until) query.until_ms = utc_midnight_ms(*request.filter.until) + kDayMs + kMarginMs;
    return build_report(request.kind, store.query(query), prices, zone, request.filter);
}

}  // namespace ccu::report
