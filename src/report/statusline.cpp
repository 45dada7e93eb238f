#include "ccu/report/statusline.hpp"

#include "ccu/report/aggregate.hpp"
#include "ccu/report/blocks.hpp"
#include "ccu/report/render.hpp"

namespace ccu::report {

std::string status_line(const StatusInputs& in, const TimeZone& zone) {
    double session_cost = 0;
    for (const auto& b : in.session.buckets) session_cost += b.cost;
    const std::int64_t today = local_day(zone, in.now_ms);
    double today_cost = 0;
    for (const auto& b : in.recent.buckets) {
        if (local_day(zone, b.quarter * 900'000) == today) today_cost += b.cost;
    }
    BlockOptions options;
    options.now_ms = in.now_ms;
    options.session_ms = in.block_ms;
    options.selection = BlockSelection::Active;
    const BlockReport blocks = build_blocks(in.recent, zone, options);

    std::string line = "🤖 " + (in.model.empty() ? std::string("Claude") : in.model) + " | 💰 " +
                       format_cost(session_cost) + " session / " + format_cost(today_cost) + " today / ";
    if (blocks.blocks.empty()) {
        line += "no active block";
    } else {
        const Block& b = blocks.blocks.front();
        const std::int64_t left = std::max<std::int64_t>(0, (b.end_ms - in.now_ms) / 60000);
        line += format_cost(b.totals.cost) + " block (" + std::to_string(left / 60) + "h " + std::to_string(left % 60) +
                "m left)";
        if (b.burn_rate) line += " | 🔥 " + format_cost(b.burn_rate->cost_per_hour) + "/hr";
    }
    return line;
}

std::string status_fallback(const std::string& reason) {
    return "ccu: no usage to show (" + reason + ")";
}

}  // namespace ccu::report
