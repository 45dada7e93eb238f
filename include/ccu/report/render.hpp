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
// With `instances` rows are grouped as ccusage's --instances ({"projects": {...}}); with
// `by_machine` every row has "machineBreakdowns" (ccu only).
struct JsonOptions {
    bool instances = false;
    bool by_machine = false;
};
// The document as text, exactly what nlohmann's dump(2) prints for it (keys in byte order, its
// layout and double formatting), handed to `sink` in pieces of ~1 MB as the rows are written: a
// year of sessions (tens of MB of JSON) never sits in memory as one document or as JSON values.
using TextSink = std::function<void(std::string_view)>;
void write_json(const Report& report, const JsonOptions& options, const TextSink& sink);
// The same document parsed (tests, callers that want values).
nlohmann::json to_json(const Report& report, const JsonOptions& options = {});

// Styling hook for the human table (the CLI passes Ui::bold; tests pass nothing).
using Emphasis = std::function<std::string(std::string_view)>;

enum class TableLayout { Auto, Full, Compact };

struct TableOptions {
    bool breakdown = false;   // a row per model under each row (ccusage --breakdown)
    bool by_machine = false;  // a row per machine under each row (ccu --by-machine)
    // Auto: Full unless it is wider than `width` (0: unknown, always Full). Compact, as
    // ccusage's: Input, Output and Cost only (ccusage --compact).
    TableLayout layout = TableLayout::Full;
    std::size_t width = 0;
    const TimeZone* zone = nullptr;  // the session table's Last Activity (nullptr: UTC)
};

// Aligned columns, thousands separators, a totals row. Plain text unless `emphasis` is set.
std::string render_table(const Report& report, const TableOptions& options, const Emphasis& emphasis = {});
std::string render_table(const Report& report, const Emphasis& emphasis = {});

// "1234567" -> "1,234,567"; "$1,234.57" for costs.
std::string with_thousands(std::int64_t value);
std::string format_cost(double usd);
// "YYYY-MM-DD HH:MM" of an instant in `zone` (UTC for nullptr).
std::string local_minute(std::int64_t epoch_ms, const TimeZone* zone);
// Display width in terminal columns (UTF-8 lead bytes).
std::size_t display_width(std::string_view text);
// "claude-sonnet-4-20250514" -> "sonnet-4" (the table's Models column).
std::string short_model_name(std::string_view model);

}  // namespace ccu::report
