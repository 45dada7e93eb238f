#pragma once
#include <cstddef>
#include <vector>

#include "ccu/ingest/line_parser.hpp"
#include "ccu/ingest/scanner.hpp"
#include "ingest/file_walk.hpp"

namespace ccu::ingest::detail {

inline constexpr std::size_t kFingerprintBytes = 4096;
inline constexpr std::size_t kReadChunk = 1 << 20;

// What a re-scan must do with one file, from the walk's stat and the previous cursor.
enum class Resume { Unchanged, FromOffset, FromStart };

// Decision from metadata only (no open): Unchanged when device, inode, size and mtime all
// match; FromStart for a different inode/device, a shrunk file or a same-size rewrite
// (mtime changed); otherwise FromOffset, still subject to the head fingerprint check.
Resume resume_from_metadata(const FoundFile& file, const FileCursor* previous);

struct FileScan {
    FileCursor cursor;
    std::vector<UsageLine> entries;  // collapsed within the file, first-seen order
    ScanStats stats;
    bool unreadable = false;         // could not be opened: cursor left as it was
};

// Per-thread state: a JSON parser and a padded read buffer reused across files.
struct ReaderState {
    LineParser parser;
    std::vector<char> buffer;
};

// Reads what is new in `file` since `previous` (nullptr: never seen) and parses it.
FileScan scan_file(const FoundFile& file, const FileCursor* previous, ReaderState& state);

}  // namespace ccu::ingest::detail
