#pragma once
#include <optional>
#include <string>

#include "ccu/report/aggregate.hpp"
#include "ccu/store/store.hpp"

namespace ccu::report {

// Which machines a report covers: one (the default is this machine) or all in the store.
struct MachineScope {
    std::optional<std::string> machine;  // nullopt: every machine
};

struct ReportRequest {
    ReportKind kind = ReportKind::Daily;
    DateFilter filter;
    MachineScope scope;
};

// Loads the records the request can need from the store (a day of margin around the filter
// so every zone's local dates are covered) and builds the report.
Report query_report(const store::Store& store, const ReportRequest& request,
                    const pricing::PriceTable& prices, const TimeZone& zone);

// Epoch ms of 00:00 UTC on a "YYYYMMDD" date.
std::int64_t utc_midnight_ms(const std::string& yyyymmdd);

}  // namespace ccu::report
