#pragma once
#include <cstdint>
#include <cstddef>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "ccu/common/config.hpp"
#include "ccu/common/record.hpp"
#include "ccu/sync/remote_store.hpp"
#include "ccu/sync/sharding.hpp"

namespace ccu::store {
class Store;
}

namespace ccu::sync {

// This machine's records not yet in the gist: tracked by store sequence, never by dates (a
// UTC-vs-local date cut-off silently loses records west of UTC). Counted here; export_files reads
// them one at a time (Store::for_each_changed_since), so a push of any size holds few of them.
struct Unpushed {
    std::int64_t count = 0;
    std::int64_t after_sequence = 0;    // they are the records stamped after this sequence
    std::int64_t through_sequence = 0;  // store sequence to remember once they are in the gist
};
Unpushed unpushed_records(const store::Store& store, const std::string& machine, std::int64_t pushed_sequence);

// Calls `visit` with each record to push, in file order (record_file_order), each identity once.
using RecordSource = std::function<void(const std::function<void(ccu::UsageRecord&&)>& visit)>;

struct ExportInput {
    std::string machine_name;
    std::optional<std::string> machine_id;
    std::string now_rfc3339;
    std::vector<ccu::UsageRecord> remote_current;  // records of the current file in the gist
    RecordSource unpushed;                         // read twice: sized first, then sealed
    std::size_t max_file_bytes = 4 * 1024 * 1024;  // the current file's limit (effective_seal_bytes)
    std::size_t max_part_bytes = 4 * 1024 * 1024;  // sync.max_file_bytes: the largest part a big push seals
    std::size_t part_room = SIZE_MAX;              // parts the gist takes before its soft file limit
    int next_part = 1;
    std::int64_t generation = 0;  // written into every file (docs/format.md §4.1); 0 = omitted
};

// The size of the parts a push seals (docs/format.md §5, "Large pushes"): the seal limit, unless
// `body_bytes` of record lines would need more than the `part_room` parts the file budget leaves;
// then parts of about body_bytes / part_room (with some slack), at most `max_part_bytes`. Pure.
std::size_t sealed_part_bytes(std::size_t seal_bytes, std::size_t max_part_bytes, std::size_t body_bytes,
                              std::size_t part_room);

// The new current file (remote records merged with the unpushed ones; a record with the same
// identity keeps the larger token total; the store's copy on a tie); every part sealed because it
// grew too large is handed to `on_part` as soon as it is full, oldest first.
ShardedFile export_files(const ExportInput& input, const RecordCostFn& cost, const PartSealer::PartFn& on_part);

// GitHub cuts a file's inline content at 1 MiB: no data file ccu writes is larger.
inline constexpr std::size_t kMaxDataFileBytes = 1024 * 1024;
// sync.seal_bytes when unset, by the transport a push writes over (docs/format.md §5). REST sends
// the current file whole at every push, so it stays small there. Over git a push sends deltas,
// and parts of 512 KiB hold a 10-machine month under the file budget without a fold.
inline constexpr std::size_t kGitSealBytes = 512 * 1024;
inline constexpr std::size_t kRestSealBytes = 128 * 1024;
// The size at which the current file is sealed into a part: sync.seal_bytes (default by
// `transport`), never above sync.max_file_bytes or 1 MiB, never below 1024.
std::size_t effective_seal_bytes(const Config& config, Transport transport);

// The largest part a budget merge may make: sync.max_file_bytes, never above 1 MiB.
std::size_t merge_limit_bytes(const Config& config);

// The largest part a large push seals (docs/format.md §5): sync.max_file_bytes, never below 1024.
std::size_t max_part_bytes(const Config& config);

// 1 + the highest part number of `machine` in the listing.
int next_part_number(const std::set<std::string>& gist_files, const std::string& machine);

}  // namespace ccu::sync
