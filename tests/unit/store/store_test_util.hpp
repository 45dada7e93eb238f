#pragma once
#include <cstdint>
#include <string>

#include <map>
#include <vector>

#include "ccu/common/file_cursor.hpp"
#include "ccu/common/record.hpp"
#include "ccu/store/store.hpp"

namespace ccu::test {

// A hand-made record: one billed response of `session` at 2025-01-02T03:04:05.<ms>Z.
inline UsageRecord make_record(const std::string& session, const std::string& uuid, std::int64_t output_tokens,
                               int ms = 0, const std::string& machine = "laptop") {
    UsageRecord r;
    r.session_id = session;
    r.message_uuid = uuid;
    char ts[40];
    std::snprintf(ts, sizeof ts, "2025-01-02T03:04:05.%03dZ", ms % 1000);
    r.timestamp = ts;
    r.model = "claude-sonnet-4-20250514";
    r.input_tokens = 10;
    r.output_tokens = output_tokens;
    r.cache_creation_tokens = 100;
    r.cache_read_tokens = 1000;
    r.folder = "project";
    r.git_branch = "main";
    r.version = "1.0.0";
    r.machine_name = machine;
    return r;
}

inline UsageRecord with_ids(UsageRecord r, const std::string& message_id, const std::string& request_id) {
    r.message_id = message_id;
    r.request_id = request_id;
    return r;
}

// A scan's output as the store takes it (the store does not know ingest's ScanResult).
struct ScanInput {
    std::vector<UsageRecord> records;
    std::vector<std::uint8_t> sidechain;
    std::vector<LineUuids> lines;
    std::map<std::string, FileCursor> cursors;
    std::vector<std::string> vanished;
    store::ScanWrite write() const { return store::ScanWrite{records, sidechain, lines, cursors, vanished}; }
};

}  // namespace ccu::test
