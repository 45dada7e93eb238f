#include "ccu/sync/retention.hpp"

#include <algorithm>
#include <chrono>
#include <optional>
#include <tuple>

#include "ccu/common/time.hpp"
#include "ccu/sync/file_names.hpp"

namespace ccu::sync {
namespace {

// "YYYYMMDD" -> days since 1970-01-01; nullopt when it is not a real date.
std::optional<long> day_number(std::string_view yyyymmdd) {
    const auto valid = timeutil::parse_date_arg(yyyymmdd);
    if (!valid || valid->size() != 8) return std::nullopt;
    const std::string& s = *valid;
    const int y = std::stoi(s.substr(0, 4));
    const auto m = static_cast<unsigned>(std::stoi(s.substr(4, 2)));
    const auto d = static_cast<unsigned>(std::stoi(s.substr(6, 2)));
    const std::chrono::year_month_day ymd{std::chrono::year{y}, std::chrono::month{m}, std::chrono::day{d}};
    if (!ymd.ok()) return std::nullopt;
    return static_cast<long>(std::chrono::sys_days{ymd}.time_since_epoch().count());
}

struct DatedBackup {
    std::string date;  // YYYYMMDD
    std::string name;
    bool operator<(const DatedBackup& o) const { return std::tie(date, name) < std::tie(o.date, o.name); }
};

// This machine's backups with a readable date, oldest first.
std::vector<DatedBackup> own_backups(const std::vector<std::string>& names, std::string_view machine) {
    std::vector<DatedBackup> out;
    for (const std::string& name : names) {
        const FileNameInfo info = classify_for_machine(name, machine);
        if (info.role == FileRole::Backup && day_number(info.backup_date)) {
            out.push_back({info.backup_date, name});
        }
    }
    std::sort(out.begin(), out.end());
    return out;
}

std::vector<std::string> names_of(std::vector<DatedBackup> backups) {
    std::vector<std::string> out;
    for (auto& b : backups) out.push_back(std::move(b.name));
    std::sort(out.begin(), out.end());
    return out;
}

}  // namespace

std::vector<std::string> expired_backups(const std::vector<std::string>& backups, std::string_view machine,
                                         std::string_view today, int retention_days) {
    const auto today_n = day_number(today);
    if (retention_days <= 0 || !today_n) return {};
    std::vector<DatedBackup> expired;
    for (const DatedBackup& b : own_backups(backups, machine)) {
        if (b.date != today && *day_number(b.date) < *today_n - retention_days) expired.push_back(b);
    }
    return names_of(std::move(expired));
}

std::vector<std::string> backups_beyond_newest(const std::vector<std::string>& names, std::string_view machine,
                                               std::string_view today, int retention_days,
                                               std::size_t keep_newest) {
    const std::vector<std::string> expired = expired_backups(names, machine, today, retention_days);
    std::vector<DatedBackup> kept;
    for (DatedBackup& b : own_backups(names, machine)) {
        if (!std::binary_search(expired.begin(), expired.end(), b.name)) kept.push_back(std::move(b));
    }
    std::vector<std::string> out;
    for (std::size_t i = 0; i + keep_newest < kept.size(); ++i) out.push_back(kept[i].name);
    return out;  // oldest first
}

RetentionPlan plan_retention(const RetentionRequest& req) {
    RetentionPlan plan;
    plan.backup_name = backup_file_name(req.machine, req.today);
    const std::vector<std::string> listing(req.gist_files.begin(), req.gist_files.end());
    std::vector<std::string> to_delete = expired_backups(listing, req.machine, req.today, req.retention_days);
    std::size_t files = req.gist_files.size() - to_delete.size() + req.new_files;

    const bool wanted = req.retention_days > 0 && !req.gist_files.count(plan.backup_name);
    plan.create_backup = wanted && files + 1 < req.soft_file_limit;
    if (plan.create_backup) ++files;

    std::size_t budget_deleted = 0;
    if (files >= req.soft_file_limit) {
        // Over the budget: this machine's remaining backups go, oldest first (today's last).
        std::vector<DatedBackup> remaining;
        for (DatedBackup& b : own_backups(listing, req.machine)) {
            if (std::find(to_delete.begin(), to_delete.end(), b.name) == to_delete.end()) {
                remaining.push_back(std::move(b));
            }
        }
        for (const DatedBackup& b : remaining) {
            if (files < req.soft_file_limit) break;
            to_delete.push_back(b.name);
            --files;
            ++budget_deleted;
        }
    }
    std::sort(to_delete.begin(), to_delete.end());
    plan.delete_backups = std::move(to_delete);
    plan.files_after = files;

    if (wanted && !plan.create_backup) {
        plan.warning = "The gist holds " + std::to_string(req.gist_files.size()) + " files (" +
                       std::to_string(files) + " after this push; the API lists at most " +
                       std::to_string(req.hard_file_limit) + "): no backup is created at " +
                       std::to_string(req.soft_file_limit) + " files or more";
        if (budget_deleted > 0) {
            plan.warning += ", and " + std::to_string(budget_deleted) + " of this machine's oldest backups are deleted";
        }
        plan.warning += ". Data files are never deleted.";
    } else if (budget_deleted > 0) {
        plan.warning = "The gist holds " + std::to_string(req.gist_files.size()) + " files: " +
                       std::to_string(budget_deleted) + " of this machine's oldest backups are deleted to stay under " +
                       std::to_string(req.soft_file_limit) + " files. Data files are never deleted.";
    }
    if (files >= req.hard_file_limit) {
        if (!plan.warning.empty()) plan.warning += " ";
        plan.warning += "Warning: " + std::to_string(files) + " files exceed the " +
                        std::to_string(req.hard_file_limit) +
                        " files the GitHub API lists; raise sync.max_file_bytes or move old data to a new gist.";
    }
    return plan;
}

}  // namespace ccu::sync
