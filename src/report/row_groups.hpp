// Buckets grouped into report rows (used by report/aggregate.cpp's build_report).
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "ccu/report/aggregate.hpp"

namespace ccu::report::detail {

// The report of `buckets` (names are ids into `names`, which become Report::names): rows grouped
// by kind (and project with GroupOptions::by_project), sorted as build_report documents, totals
// summed in key order.
Report build_rows(ReportKind kind, const std::vector<store::UsageBucket>& buckets,
                  std::shared_ptr<const std::vector<std::string>> names, const TimeZone& zone, const DateFilter& filter,
                  const GroupOptions& options);

}  // namespace ccu::report::detail
