#pragma once
// An emulation of the origin Python tool (wangtae/claude-code-usage-analytics) for tests: what it
// stores in ~/.claude/usage/usage_history_<machine>.db from a Claude tree, and what it exports
// to its gist. Written from the behaviour described in issue 12 and docs/format.md §12 (no code
// of the origin tool): one row per streamed JSONL line (user prompts too, with model NULL and no
// tokens), the flat cache_creation_input_tokens only — dropped on some lines, so lines of one
// response disagree —, Python isoformat timestamps (`+00:00`, microseconds), chunked exports.
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace ccu::test {

struct OriginDbStats {
    std::int64_t rows = 0;
    std::int64_t prompt_rows = 0;
    std::int64_t total_tokens = 0;  // SUM(total_tokens): the origin tool's own total
};

// Reads every projects/**/*.jsonl under `projects_dir` and writes the origin's DB `db_file`
// (its usage_records schema; INSERT OR IGNORE on (session_id, message_uuid)). One line in
// `drop_cache_every` has its cache-creation count dropped (deterministic, by line uuid).
OriginDbStats write_origin_db_from_tree(const std::filesystem::path& projects_dir, const std::filesystem::path& db_file,
                                        const std::string& machine, int drop_cache_every = 3);

enum class OriginChunking { Single, Monthly };

struct OriginGist {
    std::map<std::string, std::string> files;  // name -> content (data files only)
    nlohmann::json entry;                      // the machine's manifest entry, as the origin writes it
};

// The origin's export of `db_file` for `machine`: `usage_data_<m>.json`, or monthly chunks
// `usage_data_<m>_<YYYY>_<MM>.json` split into `_p<N>` above `chunk_records` rows (extra
// top-level `period`/`chunk`), every row including prompts, `stats`-less `statistics`.
OriginGist export_origin_gist(const std::filesystem::path& db_file, const std::string& machine, OriginChunking chunking,
                              std::size_t chunk_records = 100000);

// A manifest.json as the origin writes it, with `entries` as its machines.
std::string origin_manifest(const std::vector<nlohmann::json>& entries);

}  // namespace ccu::test
