#include <catch2/catch.hpp>

#include "ccu/sync/file_names.hpp"
#include "ccu/sync/retention.hpp"

using namespace ccu::sync;

namespace {

std::vector<std::string> backups(const std::string& machine, std::initializer_list<const char*> dates) {
    std::vector<std::string> out;
    for (const char* d : dates) out.push_back(backup_file_name(machine, d));
    return out;
}

std::set<std::string> filler(std::size_t count) {
    std::set<std::string> out;
    for (std::size_t i = 0; i < count; ++i) out.insert(part_file_name("other", static_cast<int>(i + 1)));
    return out;
}

}  // namespace

TEST_CASE("retention: backups older than the retention window", "[retention]") {
    auto names = backups("pc", {"20250101", "20250102", "20250131", "20241231", "20250301"});
    names.push_back(backup_file_name("other", "20200101"));          // another machine's: never
    names.push_back("usage_data_pc_backup_2020.json");               // unreadable date: never
    names.push_back(current_file_name("pc"));                        // a data file: never
    // today 2025-01-31, 30 days: cutoff 2025-01-01 is kept, older goes.
    CHECK(expired_backups(names, "pc", "20250131", 30) == backups("pc", {"20241231"}));
    CHECK(expired_backups(names, "pc", "20250131", 29) == backups("pc", {"20241231", "20250101"}));
    CHECK(expired_backups(names, "pc", "20250131", 1) == backups("pc", {"20241231", "20250101", "20250102"}));
    // Across a leap day.
    CHECK(expired_backups(backups("pc", {"20240228", "20240229"}), "pc", "20240301", 1) ==
          backups("pc", {"20240228"}));
    // 0 = this machine makes no backups: nothing is deleted; a bad today deletes nothing.
    CHECK(expired_backups(names, "pc", "20250131", 0).empty());
    CHECK(expired_backups(names, "pc", "2025-01-31x", 30).empty());
    // Never today's backup, even with a date in the future relative to the window.
    CHECK(expired_backups(backups("pc", {"20250131"}), "pc", "20250131", 1).empty());
    // Origin machine names with '_' and chunk backups.
    CHECK(expired_backups({"usage_data_my_pc_2024_backup_20240101.json"}, "my_pc", "20250101", 30) ==
          std::vector<std::string>{"usage_data_my_pc_2024_backup_20240101.json"});
}

TEST_CASE("retention plan: daily backup and expiry", "[retention]") {
    RetentionRequest req;
    req.machine = "pc";
    req.today = "20250131";
    req.retention_days = 30;
    req.gist_files = {"manifest.json", current_file_name("pc")};
    for (const auto& b : backups("pc", {"20241201", "20250130"})) req.gist_files.insert(b);
    RetentionPlan plan = plan_retention(req);
    CHECK(plan.create_backup);
    CHECK(plan.backup_name == backup_file_name("pc", "20250131"));
    CHECK(plan.delete_backups == backups("pc", {"20241201"}));
    CHECK(plan.files_after == 4);
    CHECK(plan.warning.empty());

    req.gist_files.insert(plan.backup_name);  // second push of the day
    plan = plan_retention(req);
    CHECK_FALSE(plan.create_backup);
    CHECK(plan.warning.empty());

    req.retention_days = 0;  // the origin tool's default: no backups, nothing deleted
    req.gist_files.erase(backup_file_name("pc", "20250131"));
    plan = plan_retention(req);
    CHECK_FALSE(plan.create_backup);
    CHECK(plan.delete_backups.empty());
}

TEST_CASE("retention plan: file budget stops backups and trims this machine's oldest", "[retention]") {
    RetentionRequest req;
    req.machine = "pc";
    req.today = "20250131";
    req.retention_days = 365;
    req.gist_files = filler(245);
    const auto own = backups("pc", {"20250110", "20250120", "20250125", "20250130"});
    req.gist_files.insert(own.begin(), own.end());
    req.gist_files.insert(backup_file_name("other", "20250101"));
    req.new_files = 1;
    // 250 files + 1 new: no backup, oldest own backups go until under 250.
    const RetentionPlan plan = plan_retention(req);
    CHECK_FALSE(plan.create_backup);
    CHECK(plan.delete_backups == backups("pc", {"20250110", "20250120"}));
    CHECK(plan.files_after == 249);
    CHECK_THAT(plan.warning, Catch::Contains("250"));
    CHECK_THAT(plan.warning, Catch::Contains("250 files ("));
    CHECK_THAT(plan.warning, Catch::Contains("300"));
    CHECK_THAT(plan.warning, Catch::Contains("2 of this machine's oldest backups"));

    // Just under the budget: the backup is made.
    RetentionRequest small = req;
    small.gist_files = filler(200);
    CHECK(plan_retention(small).create_backup);
    CHECK(plan_retention(small).warning.empty());

    // Data files alone beyond the API listing limit: warn, delete every own backup, never data.
    RetentionRequest huge = req;
    huge.gist_files = filler(310);
    huge.gist_files.insert(own.begin(), own.end());
    const RetentionPlan h = plan_retention(huge);
    CHECK(h.delete_backups == own);
    CHECK(h.files_after == 311);
    CHECK_THAT(h.warning, Catch::Contains("exceed"));
}

TEST_CASE("retention: the backups beyond this machine's newest N, oldest first, expired and others' left out",
          "[retention]") {
    std::vector<std::string> names = backups("laptop", {"20250101", "20250110", "20250111", "20250112", "20250113"});
    names.push_back(backup_file_name("desktop", "20250105"));
    names.push_back(backup_file_name("laptop", "2025XX01"));  // no readable date: never deleted
    // today 20250205, 30 days: 20250101 is expired (deleted by plan_retention anyway).
    CHECK(backups_beyond_newest(names, "laptop", "20250205", 30, 2) ==
          std::vector<std::string>{backup_file_name("laptop", "20250110"), backup_file_name("laptop", "20250111")});
    CHECK(backups_beyond_newest(names, "laptop", "20250205", 30, 4).empty());
}
