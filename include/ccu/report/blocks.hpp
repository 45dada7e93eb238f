#pragma once
// ccusage's 5-hour billing blocks ("blocks" report), built from the store's quarter-hour
// buckets. A block starts at the hour of its first record and takes every record until one
// comes more than the session length after the block's start or after the previous record;
// a pause longer than the session length between blocks is a gap block.
#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "ccu/report/aggregate.hpp"
#include "ccu/store/store.hpp"

namespace ccu::report {

struct BurnRate {
    double tokens_per_minute = 0;
    double tokens_per_minute_for_indicator = 0;  // input + output only (ccusage)
    double cost_per_hour = 0;
};

struct Projection {
    std::int64_t total_tokens = 0;
    double total_cost = 0;
    std::int64_t remaining_minutes = 0;
};

struct Block {
    std::int64_t start_ms = 0;
    std::int64_t end_ms = 0;                    // start + session length (gap: next record)
    std::optional<std::int64_t> actual_end_ms;  // last record (none for a gap)
    bool active = false;
    bool gap = false;
    Totals totals;
    std::vector<std::string> models;  // in order of first use
    std::vector<MachineBreakdown> machines;
    std::optional<BurnRate> burn_rate;     // active blocks only
    std::optional<Projection> projection;  // active blocks only
};

enum class BlockSelection { All, Recent, Active };

struct BlockOptions {
    std::int64_t session_ms = 5 * 3'600'000;  // a whole number of quarter hours
    std::int64_t now_ms = 0;
    BlockSelection selection = BlockSelection::All;
    DateFilter filter;  // on the block's start date in `zone`
    bool by_machine = false;
    SortOrder order = SortOrder::Ascending;
};

struct BlockReport {
    std::vector<Block> blocks;
    std::set<std::string> unknown_models;
    std::optional<std::int64_t> token_limit;  // resolved (a number, or the largest past block)
};

// `token_limit`: nullopt none, 0 "max" (the largest completed block), else that many tokens.
BlockReport build_blocks(const store::BucketSet& buckets, const TimeZone& zone, const BlockOptions& options,
                         std::optional<std::int64_t> token_limit = std::nullopt);

// ccusage's JSON: {"blocks": [{id, startTime, endTime, actualEndTime, isActive, isGap, entries,
// tokenCounts, totalTokens, costUSD, models, burnRate, projection[, tokenLimitStatus]}]}.
nlohmann::json blocks_json(const BlockReport& report, bool by_machine);
std::string render_blocks_table(const BlockReport& report, const TimeZone& zone, std::int64_t now_ms);

}  // namespace ccu::report
