#pragma once
#include <cstdint>
#include <string>

namespace ccu {

// Where a previous scan stopped in one JSONL file. A re-scan reads only bytes after `offset`
// when the file is the same one (device, inode, a fingerprint of its head) and has not shrunk;
// otherwise it re-reads the file from the start. A plain value: ingest makes it, store keeps it.
struct FileCursor {
    std::string path;
    std::uint64_t device = 0;
    std::uint64_t inode = 0;
    std::uint64_t size = 0;
    std::int64_t mtime_ns = 0;
    std::uint64_t offset = 0;            // just after the last complete line consumed
    std::uint64_t head_fingerprint = 0;  // hash of the first bytes, to detect replacement
    friend bool operator==(const FileCursor&, const FileCursor&) = default;
};

}  // namespace ccu
