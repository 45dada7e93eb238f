#pragma once
#include <algorithm>
#include <cstdint>
#include <cstdio>
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

// Every usage bucket of both grains, names resolved and costs to 10 digits: comparable across
// two stores filled in different ways.
inline std::vector<std::string> bucket_rows(const store::Store& s) {
    std::vector<std::string> out;
    for (const auto grain : {store::BucketGrain::Session, store::BucketGrain::Project}) {
        store::BucketQuery query;
        query.grain = grain;
        const store::BucketSet set = s.buckets(query);
        for (const store::UsageBucket& b : set.buckets) {
            char cost[32];
            std::snprintf(cost, sizeof cost, "%.10g", b.cost);
            out.push_back(std::to_string(static_cast<int>(grain)) + " " + std::to_string(b.quarter) + " " +
                          set.names[b.machine] + " " + set.names[b.session] + " " + set.names[b.model] + " " +
                          set.names[b.project] + " " + set.names[b.folder] + " " + std::to_string(b.input_tokens) +
                          " " + std::to_string(b.output_tokens) + " " + std::to_string(b.cache_creation_tokens) + " " +
                          std::to_string(b.cache_read_tokens) + " " + cost + " " + std::to_string(b.records) + " " +
                          std::to_string(b.unpriced) + " " + std::to_string(b.first_ms) + " " +
                          std::to_string(b.last_ms));
        }
    }
    std::sort(out.begin(), out.end());
    return out;
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
