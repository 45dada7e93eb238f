#pragma once
#include <functional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "ccu/report/aggregate.hpp"

namespace ccu::report {

// ccusage's --json shape: {"daily"|"monthly"|"sessions": [...], "totals": {...}} with
// camelCase fields (inputTokens, outputTokens, cacheCreationTokens, cacheReadTokens,
// totalTokens, totalCost, modelsUsed, modelBreakdowns[{modelName, ..., cost}]).
// "models" (ccu only) lists {modelName, ..., totalTokens, totalCost, records}.
nlohmann::json to_json(const Report& report);

// Styling hook for the human table (the CLI passes Ui::bold; tests pass nothing).
using Emphasis = std::function<std::string(std::string_view)>;

// Aligned columns, thousands separators, a totals row. Plain text unless `emphasis` is set.
std::string render_table(const Report& report, const Emphasis& emphasis = {});

// "1234567" -> "1,234,567"; "$1,234.57" for costs.
std::string with_thousands(std::int64_t value);
std::string format_cost(double usd);
// "claude-sonnet-4-20250514" -> "sonnet-4" (the table's Models column).
std::string short_model_name(std::string_view model);

}  // namespace ccu::report
