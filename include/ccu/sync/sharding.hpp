#pragma once
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "ccu/sync/data_file.hpp"

// Keeping every data file <= max_file_bytes (docs/format.md §5): pure, deterministic.
namespace ccu::sync {

struct ShardRequest {
    // The machine's current file as it is in the gist (records may be empty). Its metadata
    // (machine_name, machine_id, tool, export_date, extra) is used for every output file, so set
    // export_date to "now" before calling.
    DataFile current;
    // New or updated records; a record with the identity (session_id, message_uuid) of one in
    // `current` replaces it.
    std::vector<ccu::UsageRecord> new_records;
    std::size_t max_file_bytes = 4 * 1024 * 1024;
    int next_part = 1;  // first unused part number (1 + highest existing part)
};

struct ShardedFile {
    std::string file_name;  // current_file_name / part_file_name
    DataFile file;
    std::string content;    // serialize_data_file(file, cost); content.size() <= max_file_bytes
};

struct ShardPlan {
    ShardedFile current;                   // always present (may hold no records)
    std::vector<ShardedFile> sealed_parts; // new immutable parts, ascending part numbers, oldest data first
};

namespace detail {
struct RenderedRecords;
}

// The same sealing, fed one record at a time in file order (record_file_order, each identity once):
// parts are handed to `on_part` as soon as they are full, so only the records that can still go
// into the next file are held, whatever the number of records (a first push of a 1M-record store).
// plan_shards is this sealer fed with the merged records; both give the same files.
class PartSealer {
public:
    using PartFn = std::function<void(ShardedFile&&)>;
    struct Limits {
        std::size_t current_bytes;  // the current file (ShardRequest::max_file_bytes)
        std::size_t part_bytes;     // each sealed part, at least current_bytes (larger: a big push, §5)
    };
    // `meta`: the metadata of every file, as ShardRequest::current (its records are ignored).
    // Throws ccu::Error(Usage) when current_bytes cannot hold an empty file.
    PartSealer(DataFile meta, Limits limits, int next_part, RecordCostFn cost, PartFn on_part);
    ~PartSealer();
    PartSealer(const PartSealer&) = delete;
    PartSealer& operator=(const PartSealer&) = delete;

    // Throws ccu::Error(Usage) when max_file_bytes cannot hold a file with this one record.
    void add(ccu::UsageRecord record);
    // Seals until the rest fits in one file and returns it as the current file.
    ShardedFile finish();

private:
    void seal_one();

    DataFile meta_;
    std::size_t max_bytes_;
    std::size_t part_bytes_;
    int next_part_;
    RecordCostFn cost_;
    PartFn on_part_;
    std::unique_ptr<detail::RenderedRecords> window_;  // the records not sealed yet
    std::size_t window_body_ = 0;  // their lines, each with its indent and separator
};

// When current + new would exceed max_file_bytes, the oldest records are sealed into full parts
// (each as large as fits) until the remainder fits in the current file. Throws
// ccu::Error(Usage) if max_file_bytes cannot hold a file with a single record.
ShardPlan plan_shards(const ShardRequest& request, const RecordCostFn& cost);

// One of a machine's sealed parts in the gist.
struct PartInfo {
    int number = 0;
    std::string file_name;
    std::size_t bytes = 0;
};

// Near the file budget (docs/format.md §6), runs of consecutive parts (by number) are folded into
// the first part of each run: oldest first, each run's combined size within `merge_limit`, at least
// `min_parts` (>= 2) parts a run, until `files_to_save` files are saved (or no run is left). Pure.
// A run of min_parts = merge_limit / seal size parts is a full fold: each byte rewritten once.
std::vector<std::vector<PartInfo>> plan_part_merges(std::vector<PartInfo> parts, std::size_t merge_limit,
                                                    std::size_t files_to_save, std::size_t min_parts = 2);

}  // namespace ccu::sync
