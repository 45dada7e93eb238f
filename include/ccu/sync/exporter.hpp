#pragma once
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "ccu/common/config.hpp"
#include "ccu/common/record.hpp"
#include "ccu/sync/sharding.hpp"

namespace ccu::store {
class Store;
}

namespace ccu::sync {

// This machine's records not yet in the gist: tracked by store sequence, never by dates (a
// UTC-vs-local date cut-off silently loses records west of UTC).
struct Unpushed {
    std::vector<ccu::UsageRecord> records;
    std::int64_t through_sequence = 0;  // store sequence to remember once they are in the gist
};
Unpushed unpushed_records(const store::Store& store, const std::string& machine, std::int64_t pushed_sequence);

struct ExportInput {
    std::string machine_name;
    std::optional<std::string> machine_id;
    std::string now_rfc3339;
    std::vector<ccu::UsageRecord> remote_current;  // records of the current file in the gist
    std::vector<ccu::UsageRecord> unpushed;
    std::size_t max_file_bytes = 4 * 1024 * 1024;
    int next_part = 1;
    std::int64_t generation = 0;  // written into every file (docs/format.md §4.1); 0 = omitted
};

// The new current file (remote records merged with the unpushed ones; a record with the same
// identity keeps the larger token total) plus any parts sealed because it grew too large.
ShardPlan build_export(const ExportInput& input, const RecordCostFn& cost);

// GitHub cuts a file's inline content at 1 MiB: no data file ccu writes is larger.
inline constexpr std::size_t kMaxDataFileBytes = 1024 * 1024;
// The size at which the current file is sealed into a part: sync.seal_bytes (default 128 KiB: git
// sends a changed file whole, so a small current file keeps a push's upload near the size of its new
// records, docs/format.md §5), never above sync.max_file_bytes or 1 MiB, never below 1024.
std::size_t effective_seal_bytes(const Config& config);

// The largest part a budget merge may make: sync.max_file_bytes, never above 1 MiB.
std::size_t merge_limit_bytes(const Config& config);

// 1 + the highest part number of `machine` in the listing.
int next_part_number(const std::set<std::string>& gist_files, const std::string& machine);

}  // namespace ccu::sync
