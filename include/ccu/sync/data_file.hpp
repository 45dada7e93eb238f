#pragma once
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "ccu/common/record.hpp"

namespace ccu::pricing {
class PriceTable;
}

// usage_data_{machine}[_part_NNNN].json (docs/format.md §4): serialize and parse/validate. Pure.
namespace ccu::sync {

struct DataFile {
    std::string machine_name;
    std::string export_date;                // RFC 3339
    std::optional<std::string> machine_id;  // additive
    int part = 0;                           // 0 = current file
    std::string tool;                       // additive, "ccu X.Y.Z"; empty = not written
    std::vector<ccu::UsageRecord> records;
    nlohmann::json extra = nlohmann::json::object();  // unknown top-level keys (origin: period, chunk)
    // Additive: the machine's generation this file belongs to (docs/format.md §4.1); 0 = not
    // written. A manifest entry of a higher generation supersedes files of a lower one.
    std::int64_t generation = 0;
    friend bool operator==(const DataFile&, const DataFile&) = default;
};

// Cost of one record on the wire (pricing::PriceTable::cost_of).
using RecordCostFn = std::function<double(const ccu::UsageRecord&)>;
RecordCostFn cost_function(const pricing::PriceTable& prices);  // refers to `prices`; keep it alive

// Deterministic text: pretty top level (2 spaces), one compact record per line, records sorted
// by (timestamp, session_id, message_uuid), data_range and statistics computed from the records.
std::string serialize_data_file(const DataFile& file, const RecordCostFn& cost);
std::string serialize_data_file(const DataFile& file, const pricing::PriceTable& prices);

struct DataFileStatistics {
    std::size_t total_records = 0;
    std::size_t total_sessions = 0;
    std::int64_t total_tokens = 0;
    double total_cost = 0;
};
DataFileStatistics compute_statistics(const std::vector<ccu::UsageRecord>& records,
                                      const RecordCostFn& cost);

// Sort order of records in a file: (timestamp, session_id, message_uuid).
bool record_file_order(const ccu::UsageRecord& a, const ccu::UsageRecord& b);

struct ParsedDataFile {
    std::optional<DataFile> file;            // set unless fatal_error is set; holds the valid records
    std::vector<std::string> record_errors;  // "record 12: <reason>" — those records are skipped
    std::vector<std::string> warnings;       // non-fatal oddities (statistics mismatch, ...)
    std::size_t prompt_rows = 0;             // records with no model and no tokens: not records
    std::string fatal_error;                 // bad JSON, not an object, no records[] ...: skip the file
};
// Validates (types, required fields, sane values) and accepts origin-tool variants (`stats`
// instead of `statistics`, `date` in records, `+00:00` timestamps, null data_range dates, extra
// `period`/`chunk` keys). Records get machine_name from the file. `file_name` is for messages.
// Fastest: simdjson, handing anything it does not accept whole (bad JSON, any bad record) to
// nlohmann, so that every message is nlohmann's. The other two are for tests
// (tests/unit/sync/data_file_parser_property_test.cpp): NlohmannOnly is the reference;
// SimdjsonOnly gives the fatal error kSimdjsonDeclined where Fastest would fall back.
enum class DataFileParser { Fastest, SimdjsonOnly, NlohmannOnly };
inline constexpr std::string_view kSimdjsonDeclined = "the simdjson path declined the file";
ParsedDataFile parse_data_file(std::string_view text, std::string_view file_name,
                               DataFileParser parser = DataFileParser::Fastest);

// True when the file was written by the origin tool (no `tool` naming ccu): its records are one
// row per streamed line and need ccu::collapse_origin_rows (common/origin_rows.hpp).
bool written_by_origin_tool(const DataFile& file);

}  // namespace ccu::sync
