#pragma once
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "ccu/common/record.hpp"

namespace ccu::ingest {

// Bytes that must be readable after a line handed to LineParser::parse_padded (simdjson's
// SIMDJSON_PADDING). The scanner's read buffer always has them.
inline constexpr std::size_t kLinePadding = 64;

// What one JSONL line of Claude Code turned out to be (docs/format.md §4, ccusage 20.0.24 rules).
enum class LineKind {
    NotUsage,   // no `"usage":{`, or valid JSON that is not a usage line (user line, summary, ...)
    Usage,      // a usage line: `out` is filled
    Synthetic,  // message.model == "<synthetic>": no billed usage, skipped
    Rejected,   // a usage line ccusage ignores: wrong types, negative or string numbers, null in a
                // checked field, empty ids, bad version or timestamp; counted as malformed
    Malformed,  // not JSON / not an object (only detected for lines that reach the JSON parser
                // or fail the cheap `{...}` shape check)
};

// One parsed usage line. `record.message_uuid` is the line's `uuid` (fallbacks documented in
// docs/parts/ingest-design.md); without `sessionId` / `cwd` the session and folder come from
// the LineContext.
struct UsageLine {
    UsageRecord record;
    bool is_sidechain = false;
    LineUuids lines;  // further lines already collapsed into this one (per-file collapse)
};

// Context of the file a line comes from, for fields the line itself lacks.
struct LineContext {
    std::string_view session_fallback;  // file stem
    std::string_view folder_fallback;   // first directory under the projects dir
};

// Parses Claude Code JSONL lines. Holds a reusable JSON parser: one per thread.
class LineParser {
public:
    LineParser();
    ~LineParser();
    LineParser(const LineParser&) = delete;
    LineParser& operator=(const LineParser&) = delete;

    // `line` excludes the newline (a trailing '\r' is allowed); kLinePadding bytes after
    // line.data() + line.size() must be readable.
    LineKind parse_padded(std::string_view line, const LineContext& context, UsageLine& out);
    // Same, for any string (copies it into a padded buffer). For tests and small inputs.
    LineKind parse(std::string_view line, const LineContext& context, UsageLine& out);

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// The cheap checks done before any JSON parsing (exposed for tests and benchmarks).
bool has_usage_marker(std::string_view line);             // contains `"usage":{`
bool has_unsupported_null_field(std::string_view line);   // ccusage's `:null` rejection rule
bool looks_like_json_object(std::string_view line);       // first/last non-blank are { and }
bool is_semver_prefix(std::string_view version);          // "1.2.3..." (ccusage rule)
// RFC 3339 in the shapes ccusage accepts (19 chars + Z/±hh:mm, optional .mmm exactly),
// normalized to "...Z" with milliseconds; empty when rejected.
std::string normalize_claude_timestamp(std::string_view text);

}  // namespace ccu::ingest
