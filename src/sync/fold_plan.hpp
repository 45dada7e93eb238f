#pragma once
// Making room under the gist's file budget before a push writes (docs/format.md §6 step 0).
#include <cstddef>
#include <set>
#include <string>
#include <vector>

#include "ccu/sync/data_file.hpp"
#include "ccu/sync/remote_store.hpp"
#include "ccu/sync/sync_manager.hpp"

namespace ccu::sync {

struct RoomRequest {
    std::string machine;
    std::string today;            // "YYYYMMDD" (UTC)
    std::string now;              // the export_date of folded parts
    int retention_days = 30;
    std::size_t seal_bytes = 0;   // effective_seal_bytes: the size of a part as sealed
    std::size_t merge_limit = 0;  // merge_limit_bytes: the largest folded part
    std::size_t soft_file_limit = 250;
    std::size_t kept_backups = 3;  // this machine's newest backups kept before a fold
};

struct RoomPlan {
    ChangeSet changes;                     // folded parts written, the parts folded into them and trimmed backups deleted
    std::vector<PlannedFile> files;        // the same, as the push reports them
    std::vector<std::string> backups_deleted;
};

// When the listing (+ a new part and today's backup, − expired backups) reaches the soft limit,
// in this order until it is below: (1) this machine's backups beyond its newest `kept_backups`,
// oldest first (deleting one sends nothing), (2) full folds of this machine's parts (runs of
// merge_limit / seal_bytes parts: each byte rewritten once), (3) any fold of at least two parts.
// `listing` becomes the listing after the plan. Throws InvalidRemote when a part to fold does not parse.
RoomPlan make_room(RemoteSnapshot& head, std::set<std::string>& listing, const RoomRequest& request,
                   const RecordCostFn& cost);

}  // namespace ccu::sync
