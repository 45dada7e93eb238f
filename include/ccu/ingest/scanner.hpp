#pragma once
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "ccu/common/file_cursor.hpp"
#include "ccu/common/progress.hpp"
#include "ccu/common/record.hpp"
#include "ccu/ingest/line_parser.hpp"

namespace ccu::ingest {

using FileCursor = ccu::FileCursor;  // common/file_cursor.hpp: the store keeps them without ingest

struct ScanStats {
    std::uint64_t files_seen = 0;
    std::uint64_t files_read = 0;      // files with new bytes
    std::uint64_t files_reset = 0;     // truncated / replaced / rotated: re-read from 0
    std::uint64_t bytes_read = 0;
    std::uint64_t lines = 0;
    std::uint64_t usage_lines = 0;     // lines carrying message.usage
    std::uint64_t malformed_lines = 0; // not JSON, or fields of the wrong type
    std::uint64_t records = 0;         // after collapsing (message.id, requestId)
    std::uint64_t unknown_models = 0;  // records whose model ScanOptions::is_known_model rejects
    std::uint64_t synthetic_lines = 0; // `<synthetic>` model lines (no billed usage, skipped)
    std::uint64_t files_unreadable = 0; // could not be opened (cursor kept as it was)
};

struct ScanOptions {
    std::string machine_name;  // stamped on every record
    unsigned threads = 0;      // 0: hardware concurrency
    // Optional: when set, records whose model it rejects are counted in stats.unknown_models.
    std::function<bool(const std::string& model)> is_known_model;
    // Optional: told after each file with new bytes is read ("Scanning", files and bytes of the
    // files with new data), and finish() at the end.
    ProgressSink* progress = nullptr;
};

struct ScanResult {
    std::vector<UsageRecord> records;            // collapsed within this scan
    std::map<std::string, FileCursor> cursors;   // every file seen, by path
    std::vector<std::string> vanished;           // paths in `previous` that no longer exist
    ScanStats stats;
    // Parallel to `records`: 1 when the kept line was a sidechain line (isSidechain). A later
    // scan's sidechain replay of the same message.id with another requestId is the same
    // response (ccusage rule); a store that merges across scans can use this.
    std::vector<std::uint8_t> sidechain;
    // Parallel to `records`: the uuids of the response's other lines (streamed content blocks,
    // sidechain replays, resumed copies), so a copy keyed by any of them is known (the origin
    // tool stored one row per line).
    std::vector<LineUuids> lines;
};

// Finds every *.jsonl under each projects dir (recursively), reads what is new since
// `previous` and parses it (docs/format.md §4). Opens files read-only (O_RDONLY|O_NOATIME where
// permitted), never writes or locks them. Pure apart from reading the files.
ScanResult scan(const std::vector<std::filesystem::path>& projects_dirs,
                const std::map<std::string, FileCursor>& previous, const ScanOptions& options);

}  // namespace ccu::ingest
