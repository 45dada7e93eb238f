#pragma once
// Internals shared by data_file.cpp and sharding.cpp: rendering from precomputed record lines,
// so the sharder can size candidate files exactly without re-serializing every record.
#include <cstddef>
#include <string>
#include <vector>

#include "ccu/sync/data_file.hpp"

namespace ccu::sync::detail {

// Records sorted in file order with their compact JSON lines and costs.
struct RenderedRecords {
    std::vector<ccu::UsageRecord> records;
    std::vector<std::string> lines;
    std::vector<double> costs;
};
// One record's compact JSON line (keys sorted), with its cost.
std::string render_line(const ccu::UsageRecord& record, double cost);
RenderedRecords render_records(std::vector<ccu::UsageRecord> records, const RecordCostFn& cost);

// Everything before the first record line, for the records [begin, end).
std::string render_head(const DataFile& meta, const RenderedRecords& r, std::size_t begin, std::size_t end);
// The full text of a file with `meta`'s metadata and the records [begin, end).
std::string render_file(const DataFile& meta, const RenderedRecords& r, std::size_t begin, std::size_t end);

// Bytes the record lines [begin, end) add after the head (indent, separators, closing).
inline constexpr std::size_t kRecordIndent = 4;   // "    "
inline constexpr std::size_t kRecordSeparator = 2; // ",\n"
inline constexpr std::string_view kEmptyTail = "[]\n}\n";
inline constexpr std::string_view kListOpen = "[\n";
inline constexpr std::string_view kListClose = "\n  ]\n}\n";

}  // namespace ccu::sync::detail
