// Making room under the file budget (src/sync/fold_plan.cpp, docs/format.md §6 step 0): this
// machine's backups beyond its newest three first, then full folds, then any fold.
#include <catch2/catch.hpp>

#include <map>

#include "ccu/sync/file_names.hpp"
#include "sync/fold_plan.hpp"
#include "sync_fixture.hpp"

using namespace ccu;
using namespace ccu::sync;

namespace {

// A head held in memory: names and bytes.
class MemorySnapshot final : public RemoteSnapshot {
public:
    explicit MemorySnapshot(std::map<std::string, std::string> files) : files_(std::move(files)) {}
    const std::string& version() const override { return version_; }
    const std::string& committed_at() const override { return version_; }
    std::vector<std::string> file_names() const override {
        std::vector<std::string> out;
        for (const auto& [name, content] : files_) out.push_back(name);
        return out;
    }
    bool has(const std::string& name) const override { return files_.count(name) > 0; }
    std::int64_t size(const std::string& name) const override {
        return static_cast<std::int64_t>(files_.at(name).size());
    }
    std::string content_id(const std::string& name) const override { return name; }
    const std::string& content(const std::string& name) override { return files_.at(name); }
    // The map is the snapshot itself, not a copy fetched from a remote: nothing to drop.
    void forget_content(const std::string& /*name*/) override {}

private:
    std::map<std::string, std::string> files_;
    std::string version_;
};

const RecordCostFn kNoCost = [](const UsageRecord&) { return 0.0; };

// The laptop's parts 1..parts (one record each), its backups of the days 20260101 + i for
// i < backups, and other machines' files up to `total` files.
std::map<std::string, std::string> gist_files(int parts, int backups, std::size_t total) {
    std::map<std::string, std::string> files;
    for (int n = 1; n <= parts; ++n) {
        DataFile f;
        f.machine_name = "laptop";
        f.export_date = "2026-01-01T00:00:00Z";
        f.part = n;
        f.records.push_back(test::make_record("laptop", n));
        files[part_file_name("laptop", n)] = serialize_data_file(f, kNoCost);
    }
    for (int i = 0; i < backups; ++i) files[backup_file_name("laptop", "202601" + std::to_string(10 + i))] = "{}";
    for (int i = 0; files.size() < total; ++i) files[part_file_name("desktop", i + 1)] = "{}";
    return files;
}

RoomRequest request(std::size_t soft_limit) {
    RoomRequest r;
    r.machine = "laptop";
    r.today = "20260130";
    r.now = "2026-01-30T00:00:00Z";
    r.retention_days = 30;
    r.seal_bytes = 1000;    // a part is at most this
    r.merge_limit = 8000;   // so a full fold takes 8 parts
    r.soft_file_limit = soft_limit;
    return r;
}

std::set<std::string> names_of(const std::map<std::string, std::string>& files) {
    std::set<std::string> out;
    for (const auto& [name, content] : files) out.insert(name);
    return out;
}

std::size_t deleted(const RoomPlan& plan) {
    std::size_t n = 0;
    for (const auto& [name, content] : plan.changes) n += content ? 0 : 1;
    return n;
}

}  // namespace

TEST_CASE("file budget: backups beyond the newest 3 go before any part is folded", "[sync][budget]") {
    MemorySnapshot head(gist_files(9, 10, 60));
    std::set<std::string> listing = names_of(gist_files(9, 10, 60));
    const RoomPlan plan = make_room(head, listing, request(60), kNoCost);  // 60 + 2 >= 60: 3 files to free
    CHECK(plan.backups_deleted == std::vector<std::string>{backup_file_name("laptop", "20260110"),
                                                           backup_file_name("laptop", "20260111"),
                                                           backup_file_name("laptop", "20260112")});
    CHECK(plan.changes.size() == 3);  // no part rewritten
    CHECK(listing.size() == 57);
}

TEST_CASE("file budget: with only the newest 3 backups left, a full fold comes before a short one",
          "[sync][budget]") {
    MemorySnapshot head(gist_files(9, 3, 60));
    std::set<std::string> listing = names_of(gist_files(9, 3, 60));
    const RoomPlan plan = make_room(head, listing, request(60), kNoCost);  // 3 files to free, no backup to trim
    CHECK(plan.backups_deleted.empty());
    REQUIRE(plan.changes.count(part_file_name("laptop", 1)));
    REQUIRE(plan.changes.at(part_file_name("laptop", 1)));
    const auto folded = parse_data_file(*plan.changes.at(part_file_name("laptop", 1)), part_file_name("laptop", 1));
    REQUIRE(folded.file);
    CHECK(folded.file->records.size() == 9);  // all nine fit in 8000 bytes: one file instead of nine
    CHECK(deleted(plan) == 8);
    CHECK(listing.size() == 52);  // a full run of 8, not the 3 files that were needed
}

TEST_CASE("file budget: only as many backups beyond the newest 3 go as the budget needs, oldest first",
          "[sync][budget]") {
    MemorySnapshot head(gist_files(3, 10, 60));
    std::set<std::string> listing = names_of(gist_files(3, 10, 60));
    const RoomPlan plan = make_room(head, listing, request(61), kNoCost);  // 2 files to free
    CHECK(plan.backups_deleted ==
          std::vector<std::string>{backup_file_name("laptop", "20260110"), backup_file_name("laptop", "20260111")});
    CHECK(plan.changes.size() == 2);  // no part rewritten
    CHECK(listing.size() == 58);
}

TEST_CASE("file budget: with only the newest 3 backups left, parts are folded however few", "[sync][budget]") {
    MemorySnapshot head(gist_files(3, 5, 60));
    std::set<std::string> listing = names_of(gist_files(3, 5, 60));
    const RoomPlan plan = make_room(head, listing, request(58), kNoCost);  // 5 files to free, 4 can be
    // The two backups beyond the newest 3, then a fold of the three parts (saves 2).
    CHECK(plan.backups_deleted.size() == 2);
    REQUIRE(plan.changes.count(part_file_name("laptop", 1)));
    CHECK(plan.changes.at(part_file_name("laptop", 1)).has_value());
    CHECK_FALSE(plan.changes.at(part_file_name("laptop", 3)).has_value());
    CHECK(listing.size() == 56);
}

TEST_CASE("file budget: expired backups count as freed, so they cause no fold and no trim", "[sync][budget]") {
    // Backups of 20260110..20260113; today 20260215 with 30 days: all four expired.
    MemorySnapshot head(gist_files(9, 4, 60));
    std::set<std::string> listing = names_of(gist_files(9, 4, 60));
    RoomRequest r = request(59);  // 60 + 2 - 4 = 58 < 59: nothing to free
    r.today = "20260215";
    const RoomPlan plan = make_room(head, listing, r, kNoCost);
    CHECK(plan.changes.empty());
    CHECK(listing.size() == 60);
}
