#include "ccu/report/blocks.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>

#include "ccu/common/time.hpp"
#include "ccu/report/render.hpp"

namespace ccu::report {
namespace {

constexpr std::int64_t kHourMs = 3'600'000;
constexpr std::int64_t kRecentMs = 3 * 24 * kHourMs;  // ccusage --recent: the last 3 days

// A block being filled: sums, per-model first use, per-machine sums.
struct OpenBlock {
    Block block;
    std::int64_t first_ms = 0;
    std::map<std::uint32_t, std::int64_t> model_first;
    std::map<std::uint32_t, Totals> machines;
};

BurnRate burn_rate_of(const Block& b, std::int64_t first_ms) {
    const double minutes = static_cast<double>(*b.actual_end_ms - first_ms) / 60000.0;
    BurnRate rate;
    rate.tokens_per_minute = static_cast<double>(b.totals.total_tokens()) / minutes;
    rate.tokens_per_minute_for_indicator = static_cast<double>(b.totals.input_tokens + b.totals.output_tokens) / minutes;
    rate.cost_per_hour = b.totals.cost / minutes * 60.0;
    return rate;
}

Block close(OpenBlock&& open, const store::BucketSet& set, const BlockOptions& options) {
    Block b = std::move(open.block);
    std::vector<std::pair<std::int64_t, std::uint32_t>> order;
    for (const auto& [model, ms] : open.model_first) order.emplace_back(ms, model);
    std::sort(order.begin(), order.end());
    for (const auto& [ms, model] : order) b.models.push_back(set.names[model]);
    for (const auto& [machine, totals] : open.machines) b.machines.push_back({set.names[machine], totals});
    std::sort(b.machines.begin(), b.machines.end(),
              [](const MachineBreakdown& x, const MachineBreakdown& y) { return x.machine < y.machine; });
    b.active = options.now_ms - *b.actual_end_ms < options.session_ms && options.now_ms < b.end_ms;
    if (b.active && *b.actual_end_ms > open.first_ms) {
        b.burn_rate = burn_rate_of(b, open.first_ms);
        const double remaining = std::max(0.0, static_cast<double>(b.end_ms - options.now_ms) / 60000.0);
        Projection p;
        p.total_tokens = std::llround(static_cast<double>(b.totals.total_tokens()) + b.burn_rate->tokens_per_minute * remaining);
        p.total_cost = std::round((b.totals.cost + b.burn_rate->cost_per_hour / 60.0 * remaining) * 100.0) / 100.0;
        p.remaining_minutes = std::llround(remaining);
        b.projection = p;
    }
    return b;
}

Block gap_between(std::int64_t last_ms, std::int64_t next_ms, std::int64_t session_ms) {
    Block gap;
    gap.gap = true;
    gap.start_ms = last_ms + session_ms;
    gap.end_ms = next_ms;
    return gap;
}

void add_to(OpenBlock& open, const store::UsageBucket& b) {
    open.block.totals.add(b);
    open.block.actual_end_ms = std::max(*open.block.actual_end_ms, b.last_ms);
    auto [it, inserted] = open.model_first.try_emplace(b.model, b.first_ms);
    if (!inserted) it->second = std::min(it->second, b.first_ms);
    open.machines[b.machine].add(b);
}

// Every block, gaps included, in time order (ccusage's identifySessionBlocks).
std::vector<Block> identify(const store::BucketSet& set, const BlockOptions& options) {
    std::vector<Block> blocks;
    std::optional<OpenBlock> open;
    const auto& buckets = set.buckets;
    for (std::size_t i = 0; i < buckets.size();) {
        // One quarter hour at a time, decided by its first record: a block's end (start +
        // session length) is on a quarter hour, and no gap fits inside one.
        std::size_t end = i;
        std::int64_t first = INT64_MAX;
        while (end < buckets.size() && buckets[end].quarter == buckets[i].quarter) first = std::min(first, buckets[end++].first_ms);
        if (open) {
            const std::int64_t since_start = first - open->block.start_ms;
            const std::int64_t since_last = first - *open->block.actual_end_ms;
            if (since_start > options.session_ms || since_last > options.session_ms) {
                const std::int64_t last = *open->block.actual_end_ms;
                blocks.push_back(close(std::move(*open), set, options));
                open.reset();
                if (since_last > options.session_ms) blocks.push_back(gap_between(last, first, options.session_ms));
            }
        }
        if (!open) {
            open.emplace();
            open->block.start_ms = first - first % kHourMs;
            open->block.end_ms = open->block.start_ms + options.session_ms;
            open->block.actual_end_ms = first;
            open->first_ms = first;
        }
        for (; i < end; ++i) add_to(*open, buckets[i]);
    }
    if (open) blocks.push_back(close(std::move(*open), set, options));
    return blocks;
}

bool selected(const Block& b, const TimeZone& zone, const BlockOptions& options) {
    const std::int64_t day = local_day(zone, b.start_ms);
    if (options.filter.since && day < day_number(*options.filter.since)) return false;
    if (options.filter.until && day > day_number(*options.filter.until)) return false;
    switch (options.selection) {
        case BlockSelection::All: return true;
        case BlockSelection::Recent: return b.active || b.start_ms >= options.now_ms - kRecentMs;
        case BlockSelection::Active: return b.active;
    }
    return true;
}

}  // namespace

BlockReport build_blocks(const store::BucketSet& set, const TimeZone& zone, const BlockOptions& options,
                         std::optional<std::int64_t> token_limit) {
    BlockReport report;
    for (const auto& b : set.buckets) {
        if (b.unpriced > 0) report.unknown_models.insert(set.names[b.model]);
    }
    std::vector<Block> all = identify(set, options);
    if (token_limit && *token_limit == 0) {
        std::int64_t max = 0;
        for (const auto& b : all) {
            if (!b.gap && !b.active) max = std::max(max, b.totals.total_tokens());
        }
        token_limit = max > 0 ? std::optional<std::int64_t>(max) : std::nullopt;
    }
    report.token_limit = token_limit;
    for (auto& b : all) {
        if (selected(b, zone, options)) report.blocks.push_back(std::move(b));
    }
    if (options.order == SortOrder::Descending) std::reverse(report.blocks.begin(), report.blocks.end());
    return report;
}

nlohmann::json blocks_json(const BlockReport& report, bool by_machine) {
    nlohmann::json list = nlohmann::json::array();
    for (const Block& b : report.blocks) {
        nlohmann::json j = nlohmann::json::object();
        const std::string start = timeutil::format_rfc3339_ms(b.start_ms);
        j["id"] = b.gap ? "gap-" + start : start;
        j["startTime"] = start;
        j["endTime"] = timeutil::format_rfc3339_ms(b.end_ms);
        j["actualEndTime"] = b.actual_end_ms ? nlohmann::json(timeutil::format_rfc3339_ms(*b.actual_end_ms)) : nullptr;
        j["isActive"] = b.active;
        j["isGap"] = b.gap;
        j["entries"] = b.totals.records;
        j["tokenCounts"] = {{"inputTokens", b.totals.input_tokens},
                            {"outputTokens", b.totals.output_tokens},
                            {"cacheCreationInputTokens", b.totals.cache_creation_tokens},
                            {"cacheReadInputTokens", b.totals.cache_read_tokens}};
        j["totalTokens"] = b.totals.total_tokens();
        j["costUSD"] = b.totals.cost;
        j["models"] = b.models;
        j["burnRate"] = nullptr;
        if (b.burn_rate) {
            j["burnRate"] = {{"tokensPerMinute", b.burn_rate->tokens_per_minute},
                             {"tokensPerMinuteForIndicator", b.burn_rate->tokens_per_minute_for_indicator},
                             {"costPerHour", b.burn_rate->cost_per_hour}};
        }
        j["projection"] = nullptr;
        if (b.projection) {
            j["projection"] = {{"totalTokens", b.projection->total_tokens},
                               {"totalCost", b.projection->total_cost},
                               {"remainingMinutes", b.projection->remaining_minutes}};
        }
        if (b.active && b.projection && report.token_limit) {
            const double percent =
                static_cast<double>(b.projection->total_tokens) / static_cast<double>(*report.token_limit) * 100.0;
            j["tokenLimitStatus"] = {{"limit", *report.token_limit},
                                     {"projectedUsage", b.projection->total_tokens},
                                     {"percentUsed", percent},
                                     {"status", percent > 100 ? "exceeds" : percent > 80 ? "warning" : "ok"}};
        }
        if (by_machine) {
            nlohmann::json machines = nlohmann::json::array();
            for (const auto& m : b.machines) {
                machines.push_back({{"machineName", m.machine},
                                    {"inputTokens", m.totals.input_tokens},
                                    {"outputTokens", m.totals.output_tokens},
                                    {"cacheCreationTokens", m.totals.cache_creation_tokens},
                                    {"cacheReadTokens", m.totals.cache_read_tokens},
                                    {"totalTokens", m.totals.total_tokens()},
                                    {"cost", m.totals.cost}});
            }
            j["machineBreakdowns"] = std::move(machines);
        }
        list.push_back(std::move(j));
    }
    return {{"blocks", std::move(list)}};
}

}  // namespace ccu::report
