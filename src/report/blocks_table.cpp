// The human table of the blocks report.
#include <algorithm>
#include <cmath>

#include "ccu/report/blocks.hpp"
#include "ccu/report/render.hpp"

namespace ccu::report {
namespace {

std::string hours_minutes(std::int64_t ms) {
    const std::int64_t minutes = std::max<std::int64_t>(0, ms / 60000);
    return std::to_string(minutes / 60) + "h " + std::to_string(minutes % 60) + "m";
}

std::string models_of(const Block& b) {
    std::string out;
    for (const auto& m : b.models) out += (out.empty() ? "" : ", ") + short_model_name(m);
    return out;
}

std::vector<std::string> block_cells(const Block& b, const TimeZone& zone, std::int64_t now_ms,
                                     const std::optional<std::int64_t>& limit) {
    std::string status;
    if (b.gap) {
        status = "(gap " + hours_minutes(b.end_ms - b.start_ms) + ")";
    } else if (b.active) {
        status = "ACTIVE, " + hours_minutes(b.end_ms - now_ms) + " left";
    } else {
        status = hours_minutes(*b.actual_end_ms - b.start_ms);
    }
    std::string percent;
    if (limit && !b.gap) {
        percent = std::to_string(std::llround(static_cast<double>(b.totals.total_tokens()) * 100.0 /
                                              static_cast<double>(*limit))) + "%";
    }
    std::vector<std::string> cells{local_minute(b.start_ms, &zone), status, models_of(b),
                                   b.gap ? "-" : with_thousands(b.totals.total_tokens())};
    if (limit) cells.push_back(percent);
    cells.push_back(b.gap ? "-" : format_cost(b.totals.cost));
    return cells;
}

}  // namespace

std::string render_blocks_table(const BlockReport& report, const TimeZone& zone, std::int64_t now_ms) {
    std::vector<std::vector<std::string>> rows;
    rows.push_back({"Block Start", "Duration/Status", "Models", "Tokens"});
    if (report.token_limit) rows.back().push_back("% of " + with_thousands(*report.token_limit));
    rows.back().push_back("Cost (USD)");
    for (const Block& b : report.blocks) rows.push_back(block_cells(b, zone, now_ms, report.token_limit));
    std::vector<std::size_t> widths(rows.front().size(), 0);
    for (const auto& r : rows) {
        for (std::size_t i = 0; i < r.size(); ++i) widths[i] = std::max(widths[i], display_width(r[i]));
    }
    std::string out;
    for (std::size_t n = 0; n < rows.size(); ++n) {
        std::string line;
        for (std::size_t i = 0; i < rows[n].size(); ++i) {
            const std::string pad(widths[i] - display_width(rows[n][i]), ' ');
            if (i > 0) line += "  ";
            line += i < 3 ? rows[n][i] + pad : pad + rows[n][i];
        }
        while (!line.empty() && line.back() == ' ') line.pop_back();
        out += line + "\n";
        if (n == 0) out += std::string(line.size(), '-') + "\n";
    }
    for (const Block& b : report.blocks) {
        if (!b.active || !b.burn_rate || !b.projection) continue;
        out += "\nActive block: burn rate " + with_thousands(std::llround(b.burn_rate->tokens_per_minute)) +
               " tokens/min, " + format_cost(b.burn_rate->cost_per_hour) + "/hour; projected by its end: " +
               with_thousands(b.projection->total_tokens) + " tokens, " + format_cost(b.projection->total_cost) +
               " (" + std::to_string(b.projection->remaining_minutes) + " min left)\n";
    }
    return out;
}

}  // namespace ccu::report
