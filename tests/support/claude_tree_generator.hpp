#pragma once
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>

namespace ccu::test {

// Shape of a synthetic ~/.claude/projects tree. Same spec, same bytes: the generator is
// deterministic (its own PRNG, no std distributions).
struct ClaudeTreeSpec {
    std::uint64_t total_bytes = 4 * 1024 * 1024;  // approximate size of all files together
    int projects = 3;
    int sessions_per_project = 4;
    std::uint64_t seed = 1;
    std::int64_t start_epoch_ms = 1754006400000;  // 2025-08-01T00:00:00Z
    int days = 60;                                // timestamps spread over this many days
    // Largest ordinary tool_result (bytes; the 1/60 huge ones scale with it, assistant text is
    // capped by it below 2500). Smaller values give a denser tree: more responses per MB.
    std::int64_t tool_result_max = 24000;
};

// Token totals of the distinct API responses of one UTC day (what ccusage's daily report
// and ccu's scan must both find).
struct DayTotals {
    std::int64_t input_tokens = 0;
    std::int64_t output_tokens = 0;
    std::int64_t cache_creation_tokens = 0;
    std::int64_t cache_read_tokens = 0;
    std::int64_t records = 0;
    std::int64_t total() const { return input_tokens + output_tokens + cache_creation_tokens + cache_read_tokens; }
    friend bool operator==(const DayTotals&, const DayTotals&) = default;
};

struct ClaudeTreeTruth {
    std::map<std::string, DayTotals> per_day;  // "YYYY-MM-DD" (UTC) -> totals
    std::uint64_t bytes = 0;
    std::uint64_t files = 0;
    std::uint64_t lines = 0;
    std::uint64_t records = 0;          // distinct responses
    std::uint64_t malformed_lines = 0;  // garbage, string numbers: ignored by ccusage and ccu
    std::uint64_t synthetic_lines = 0;
    DayTotals sum() const;
};

// Writes a realistic Claude Code tree under `projects_dir` (created if needed): per session a
// JSONL file with user prompts, big tool_result lines, assistant responses streamed as several
// lines sharing message.id/requestId with growing output_tokens, cache_creation 5m/1h objects,
// `<synthetic>` lines, a few malformed lines; subagent files with sidechain responses and
// replays of main-session messages; resumed sessions that repeat earlier responses.
// Several real model ids; timestamps over `days` days. Returns the ground truth.
ClaudeTreeTruth generate_claude_tree(const std::filesystem::path& projects_dir, const ClaudeTreeSpec& spec);

// The same ground truth without writing anything.
ClaudeTreeTruth claude_tree_truth(const ClaudeTreeSpec& spec);

}  // namespace ccu::test
