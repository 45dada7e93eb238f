#pragma once
#include <optional>
#include <string>
#include <vector>

#include "ccu/report/aggregate.hpp"
#include "ccu/store/store.hpp"

namespace ccu::report {

// Which machines a report covers: some (the default is this machine) or all in the store.
struct MachineScope {
    std::vector<std::string> machines;  // empty: every machine
};

struct ReportRequest {
    ReportKind kind = ReportKind::Daily;
    DateFilter filter;
    MachineScope scope;
    GroupOptions group;
};

// The store's buckets a report over `filter` can need (a day of margin on each side, so every
// zone's local dates are covered).
// Model grain by default (no sessions, no projects: blocks, statusline).
store::BucketSet load_buckets(const store::Store& store, const DateFilter& filter, const MachineScope& scope,
                              store::BucketGrain grain = store::BucketGrain::Model);

// Loads the buckets the request needs from the store and builds the report.
Report query_report(const store::Store& store, const ReportRequest& request, const TimeZone& zone);

// Epoch ms of 00:00 UTC on a "YYYYMMDD" date.
std::int64_t utc_midnight_ms(const std::string& yyyymmdd);

}  // namespace ccu::report
