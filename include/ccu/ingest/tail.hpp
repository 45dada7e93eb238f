#pragma once
// The usage records in one JSONL file from a byte offset on (the statusline reads only what a
// scan has not stored yet). Read-only, complete lines only, collapsed like a scan.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "ccu/common/record.hpp"

namespace ccu::ingest {

struct TailRead {
    std::vector<UsageRecord> records;
    std::uint64_t end_offset = 0;  // after the last complete line read
    bool readable = false;
};

// `max_bytes` bounds the work (the newest bytes win when more are pending). Records get
// `machine_name`; session and folder fall back to the file stem and its parent directory.
TailRead read_tail(const std::filesystem::path& file, std::uint64_t offset, const std::string& machine_name,
                   std::uint64_t max_bytes = 64ULL << 20);

}  // namespace ccu::ingest
