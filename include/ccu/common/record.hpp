#pragma once
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace ccu {

// One billed API response of Claude Code (docs/format.md §4). Identity: (session_id, message_uuid).
struct UsageRecord {
    std::string session_id;
    std::string message_uuid;
    std::string timestamp;  // RFC 3339 UTC, "...Z", milliseconds (timeutil::format_rfc3339_ms)
    std::string model;
    std::int64_t input_tokens = 0;
    std::int64_t output_tokens = 0;
    std::int64_t cache_creation_tokens = 0;
    std::int64_t cache_read_tokens = 0;
    // The part of cache_creation_tokens written to the 1-hour cache (billed at 2x input, the
    // 5-minute cache at 1.25x). Additive wire field `cache_creation_1h_tokens`; 0 when unknown.
    std::int64_t cache_creation_1h_tokens = 0;
    std::string folder;
    std::optional<std::string> git_branch;
    std::optional<std::string> version;
    std::optional<std::string> message_id;
    std::optional<std::string> request_id;
    // Cost Claude Code itself reported (line `costUSD`); when absent the price table decides.
    std::optional<double> cost_usd;
    // Machine the record was first seen on. Not a wire field of a record: it comes from the
    // data file's `machine_name`.
    std::string machine_name;
    // The projects sub-directory the record's JSONL file lives in ("-home-u-proj": ccusage's
    // projectPath and --instances key). Not a wire field: empty for records from elsewhere.
    std::string project;

    std::int64_t total_tokens() const {
        return input_tokens + output_tokens + cache_creation_tokens + cache_read_tokens;
    }
    friend bool operator==(const UsageRecord&, const UsageRecord&) = default;
};

// Limits every record obeys, from the logs and from the wire alike (so whatever one machine
// pushes another can pull): sums of many records stay far from int64 overflow, and a crafted
// file cannot put megabytes into a field. A real response has at most a few million tokens.
inline constexpr std::int64_t kMaxRecordTotalTokens = 1'000'000'000'000;
inline constexpr std::size_t kMaxRecordTextBytes = 4096;
// Why `record` breaks a limit above ("token counts add up to more than ...", "field 'folder'
// is longer than ..."), or empty when it is within them. Counts must already be >= 0.
std::string record_limit_violation(const UsageRecord& record);

// One JSONL line of a response: its session (a resumed session repeats a response under its
// own id) and its uuid.
struct LineRef {
    std::string session_id;
    std::string uuid;
    friend bool operator==(const LineRef&, const LineRef&) = default;
};
// Further lines of one response (besides the record's own session_id/message_uuid).
using LineUuids = std::vector<LineRef>;

// Wire codec (docs/format.md §4). `cost_usd` on the wire is the value to write: callers fill it from
// the price table when the record has none. to_wire_json writes total_tokens.
nlohmann::json to_wire_json(const UsageRecord& record, std::optional<double> cost_usd);

// Validates types and sane values (non-negative integers, parseable timestamp, non-empty ids).
// Accepts the origin Python tool's variants (`+00:00` timestamps, an extra `date` key, integral
// numbers written as floats). Returns the record with a normalized timestamp, or an error text.
struct WireParseResult {
    std::optional<UsageRecord> record;
    std::string error;  // set when record is empty
};
WireParseResult from_wire_json(const nlohmann::json& value, const std::string& machine_name);

// One field of a wire record as any JSON parser saw it: the one shape from_wire_fields reads,
// so that nlohmann (from_wire_json) and simdjson (the sync module's data files) share every
// check and every error text.
struct WireField {
    enum class Kind { Missing, Null, String, Integer, Float, Other };
    Kind kind = Kind::Missing;
    std::string_view text;      // Kind::String; valid while the parsed document lives
    std::int64_t integer = 0;   // Kind::Integer, as nlohmann's get<std::int64_t>() (unsigned wraps)
    double number = 0;          // Kind::Integer and Kind::Float, as get<double>()
};
// The fields of a record, in the order of kWireRecordKeys. A key given twice: the last wins.
inline constexpr const char* kWireRecordKeys[] = {
    "session_id",   "message_uuid",          "timestamp",         "model",
    "folder",       "git_branch",            "version",           "message_id",
    "request_id",   "input_tokens",          "output_tokens",     "cache_creation_tokens",
    "cache_read_tokens", "cache_creation_1h_tokens", "cost_usd"};
inline constexpr std::size_t kWireRecordKeyCount = std::size(kWireRecordKeys);
using WireFields = std::array<WireField, kWireRecordKeyCount>;
// Index of `key` in kWireRecordKeys, or kWireRecordKeyCount for a key records do not use.
std::size_t wire_record_key_index(std::string_view key);
// from_wire_json's checks on fields read by any parser; `is_object` false gives its error.
WireParseResult from_wire_fields(bool is_object, const WireFields& fields, const std::string& machine_name);

// A count on the wire (token counts, a manifest's total_records and retention days): a
// non-negative whole number; integral floats (3.0) up to 9e15 are accepted, as the origin Python
// tool may write them. The one reader of counts: records and the manifest word their own errors.
enum class CountError { None, NotNumber, NotWhole, Negative };
struct WireCount {
    std::int64_t value = 0;
    CountError error = CountError::None;
};
WireCount read_wire_count(const nlohmann::json& value);
WireCount read_wire_count(const WireField& value);

}  // namespace ccu
