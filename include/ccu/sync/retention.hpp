#pragma once
#include <cstddef>
#include <set>
#include <string>
#include <string_view>
#include <vector>

// Backup retention and the gist file budget (docs/format.md §6, §7). Pure: dates are passed in.
namespace ccu::sync {

// This machine's backups (names classified with classify_for_machine) dated strictly before
// today - retention_days, ascending. Never today's backup, never another machine's file, never
// a name whose date cannot be read. retention_days <= 0 means "this machine makes no backups":
// nothing is deleted (existing backups are left for the user to remove).
// `today` is "YYYYMMDD" (UTC).
std::vector<std::string> expired_backups(const std::vector<std::string>& backups,
                                         std::string_view machine, std::string_view today,
                                         int retention_days);

// Near the file budget, before any part is folded (docs/format.md §6 step 0): this machine's
// backups with a readable date that are neither expired (expired_backups: they go anyway) nor
// among its newest `keep_newest`, oldest first. Deleting one frees a file at no transfer cost,
// where a fold rewrites parts that every other machine fetches and indexes again.
std::vector<std::string> backups_beyond_newest(const std::vector<std::string>& names, std::string_view machine,
                                               std::string_view today, int retention_days,
                                               std::size_t keep_newest);

struct RetentionRequest {
    std::string machine;
    std::set<std::string> gist_files;  // the gist's listing before this push
    std::string today;                 // "YYYYMMDD" (UTC)
    int retention_days = 30;
    std::size_t new_files = 0;         // files this push adds besides a backup (new parts, first current)
    std::size_t soft_file_limit = 250; // stop creating backups at this many files
    std::size_t hard_file_limit = 300; // the API lists at most this many files
};

struct RetentionPlan {
    bool create_backup = false;              // today's backup should be created now
    std::string backup_name;                 // backup_file_name(machine, today)
    std::vector<std::string> delete_backups; // this machine's backups to delete, ascending
    std::size_t files_after = 0;             // projected file count after this plan and new_files
    std::string warning;                     // non-empty: tell the user (with the numbers)
};

// Expired backups go; today's backup is created when retention_days > 0, it does not exist yet,
// and the gist stays under soft_file_limit; when the gist is at/over the soft limit no backup is
// created and this machine's oldest backups are deleted (today's last) until it is under it.
// Data files and other machines' files are never deleted.
RetentionPlan plan_retention(const RetentionRequest& request);

}  // namespace ccu::sync
