#pragma once
// Machine generations (docs/format.md §4.1): a machine whose files were re-written from scratch
// (adopting an origin-tool entry) bumps its generation; files of a lower generation are
// superseded, and pull replaces what it imported from them. Private to the sync module.
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "ccu/store/store.hpp"
#include "ccu/sync/data_file.hpp"
#include "ccu/sync/events.hpp"
#include "ccu/sync/manifest.hpp"
#include "ccu/sync/remote_store.hpp"
#include "ccu/sync/sync_manager.hpp"
#include "ccu/sync/sync_state.hpp"

namespace ccu::sync {

// The entry's additive `generation` (0 when absent or not a non-negative integer).
std::int64_t entry_generation(const MachineEntry& entry);
void set_entry_generation(MachineEntry& entry, std::int64_t generation);

// Generation of `machine`'s files this store last imported from `gist_id` (0: none known).
std::int64_t pulled_generation(const store::Store& store, const std::string& gist_id, const std::string& machine);
void set_pulled_generation(store::Store& store, const std::string& gist_id, const std::string& machine,
                           std::int64_t generation);

// The records of a parsed file ready for the store: an origin-written file's rows are made one
// record per response (ccu::collapse_origin_rows, common/origin_rows.hpp) with their line
// uuids; ccu's are as read.
struct ImportBatch {
    std::vector<UsageRecord> records;
    std::vector<store::LineUuids> lines;  // empty for ccu-written files
};
ImportBatch import_batch(DataFile&& file);

// The current and data files of `entry` that exist in `listing`.
std::vector<std::string> files_of(const MachineEntry& entry, const std::set<std::string>& listing);

// Pull of a machine whose entry has a newer generation than this store imported: reads every
// file of the entry, keeps those of the entry's generation and replaces the machine's records
// with theirs in one transaction. Any unreadable or invalid file: nothing replaced (reported).
struct ReplaceOutcome {
    bool replaced = false;
    std::size_t files_fetched = 0;
    store::UpsertStats stats;
    std::vector<InvalidFile> invalid_files;
    std::map<std::string, SeenFile> seen;  // files read (to remember when replaced)
};
ReplaceOutcome replace_machine(RemoteSnapshot& remote, const MachineEntry& entry, const std::set<std::string>& listing,
                               store::Store& store);

}  // namespace ccu::sync
