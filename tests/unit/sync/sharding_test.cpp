#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <algorithm>
#include <cstdint>
#include <random>

#include "ccu/common/error.hpp"
#include "ccu/common/time.hpp"
#include "ccu/sync/exporter.hpp"
#include "ccu/sync/file_names.hpp"
#include "ccu/sync/sharding.hpp"

using namespace ccu::sync;
using nlohmann::json;

namespace {

ccu::UsageRecord record(int i, std::int64_t tokens = 100) {
    ccu::UsageRecord r;
    r.session_id = "session-" + std::to_string(i / 7);
    r.message_uuid = "uuid-" + std::to_string(i);
    r.timestamp = ccu::timeutil::format_rfc3339_ms(1735689600000 + std::int64_t{i} * 60000);
    r.model = "claude-sonnet-4-5";
    r.input_tokens = tokens;
    r.output_tokens = i % 13;
    r.folder = "proj";
    r.machine_name = "laptop";
    return r;
}

double cost(const ccu::UsageRecord& r) { return static_cast<double>(r.total_tokens()) * 3e-6; }

DataFile meta() {
    DataFile f;
    f.machine_name = "laptop";
    f.export_date = "2025-06-01T00:00:00.000Z";
    f.machine_id = "id-1";
    f.tool = "ccu 0.1.0";
    return f;
}

std::vector<ccu::UsageRecord> records(int from, int to) {
    std::vector<ccu::UsageRecord> out;
    for (int i = from; i < to; ++i) out.push_back(record(i));
    return out;
}

void check_plan(const ShardPlan& plan, std::size_t max_bytes, int first_part) {
    CHECK(plan.current.file_name == current_file_name("laptop"));
    CHECK(plan.current.file.part == 0);
    CHECK(plan.current.content.size() <= max_bytes);
    CHECK(plan.current.content == serialize_data_file(plan.current.file, cost));
    int expected_part = first_part;
    std::string last_ts;
    for (const ShardedFile& p : plan.sealed_parts) {
        CHECK(p.file.part == expected_part);
        CHECK(p.file_name == part_file_name("laptop", expected_part));
        ++expected_part;
        CHECK(p.content.size() <= max_bytes);
        CHECK(p.content == serialize_data_file(p.file, cost));
        CHECK(json::parse(p.content)["part"] == p.file.part);
        REQUIRE_FALSE(p.file.records.empty());
        CHECK(p.file.records.front().timestamp >= last_ts);  // oldest records sealed first
        last_ts = p.file.records.back().timestamp;
    }
    if (!plan.current.file.records.empty()) CHECK(plan.current.file.records.front().timestamp >= last_ts);
}

}  // namespace

TEST_CASE("sharding: everything fits, no part is sealed", "[sharding]") {
    ShardRequest req{meta(), records(0, 5), 1 << 20, 1};
    req.current.records = records(5, 10);
    const ShardPlan plan = plan_shards(req, cost);
    CHECK(plan.sealed_parts.empty());
    CHECK(plan.current.file.records.size() == 10);
    check_plan(plan, req.max_file_bytes, 1);
}

TEST_CASE("sharding: the oldest records are sealed into full parts", "[sharding]") {
    const std::size_t one_record_file = serialize_data_file(DataFile{meta().machine_name, meta().export_date,
                                                                     meta().machine_id, 1, meta().tool,
                                                                     records(0, 1), json::object()},
                                                            cost).size();
    const std::size_t max_bytes = one_record_file * 6;  // a handful of records per file
    ShardRequest req{meta(), records(0, 40), max_bytes, 3};
    const ShardPlan plan = plan_shards(req, cost);
    REQUIRE(plan.sealed_parts.size() >= 2);
    check_plan(plan, max_bytes, 3);
    std::size_t total = plan.current.file.records.size();
    for (const auto& p : plan.sealed_parts) {
        total += p.file.records.size();
        // Full: the next record would not have fit.
        DataFile bigger = p.file;
        bigger.records.push_back(record(1000));
        CHECK(serialize_data_file(bigger, cost).size() > max_bytes);
    }
    CHECK(total == 40);
}

TEST_CASE("sharding: a push seals only what is new and sealed parts are never rewritten", "[sharding]") {
    const std::size_t max_bytes = 4000;
    ShardRequest first{meta(), records(0, 30), max_bytes, 1};
    const ShardPlan p1 = plan_shards(first, cost);
    check_plan(p1, max_bytes, 1);
    REQUIRE_FALSE(p1.sealed_parts.empty());

    // Next push: the gist's current file plus a few new records and one updated record.
    ShardRequest second{p1.current.file, records(30, 33), max_bytes, 1 + static_cast<int>(p1.sealed_parts.size())};
    second.current.export_date = "2025-06-02T00:00:00.000Z";
    auto updated = p1.current.file.records.back();
    updated.output_tokens += 1000;
    second.new_records.push_back(updated);
    // A larger copy of a record that p1 sealed into part 1.
    auto sealed_bigger = p1.sealed_parts.front().file.records.front();
    sealed_bigger.output_tokens += 5000;
    second.new_records.push_back(sealed_bigger);
    const ShardPlan p2 = plan_shards(second, cost);
    check_plan(p2, max_bytes, second.next_part);
    // No sealed part of p1 is rewritten: p2 writes only its current file and parts numbered after them.
    for (const auto& p : p2.sealed_parts) {
        CHECK(p.file.part >= second.next_part);
        for (const auto& old : p1.sealed_parts) CHECK(p.file_name != old.file_name);
    }
    std::size_t seen = p2.current.file.records.size();
    for (const auto& p : p2.sealed_parts) seen += p.file.records.size();
    // The update replaced its copy; the sealed record's larger copy is one new record in the new files.
    CHECK(seen == p1.current.file.records.size() + 3 + 1);
    int found_update = 0;
    int found_sealed_copy = 0;
    auto look = [&](const DataFile& f) {
        for (const auto& r : f.records) {
            found_update += r == updated ? 1 : 0;
            found_sealed_copy += r == sealed_bigger ? 1 : 0;
        }
    };
    look(p2.current.file);
    for (const auto& p : p2.sealed_parts) look(p.file);
    CHECK(found_update == 1);
    CHECK(found_sealed_copy == 1);
}

TEST_CASE("part merges fold runs of consecutive parts oldest first within the limit", "[sharding]") {
    std::vector<PartInfo> parts;
    for (int n = 1; n <= 6; ++n) parts.push_back(PartInfo{n, "p" + std::to_string(n), 300});
    parts.push_back(PartInfo{7, "p7", 900});
    std::reverse(parts.begin(), parts.end());  // any order in, number order out
    const auto two = plan_part_merges(parts, 1000, 2);
    REQUIRE(two.size() == 1);
    REQUIRE(two[0].size() == 3);  // 3 x 300 fit in 1000: saves 2 files
    CHECK(two[0][0].number == 1);
    CHECK(two[0][2].number == 3);
    const auto all = plan_part_merges(parts, 1000, 100);
    REQUIRE(all.size() == 2);  // {1,2,3}, {4,5,6}; 7 alone is no run
    CHECK(all[1][0].number == 4);
    CHECK(all[1].size() == 3);
    CHECK(plan_part_merges(parts, 1000, 0).empty());
    CHECK(plan_part_merges(parts, 500, 100).empty());  // no two parts fit together
}

TEST_CASE("part merges with a minimum run length take only runs that long (full folds)", "[sharding]") {
    std::vector<PartInfo> parts;
    for (int n = 1; n <= 3; ++n) parts.push_back(PartInfo{n, "p" + std::to_string(n), 300});
    parts.push_back(PartInfo{4, "p4", 900});  // an earlier fold: breaks the run
    for (int n = 5; n <= 8; ++n) parts.push_back(PartInfo{n, "p" + std::to_string(n), 250});
    const auto full = plan_part_merges(parts, 1000, 100, 4);
    REQUIRE(full.size() == 1);  // {5..8}; {1,2,3} is shorter than 4
    CHECK(full[0].front().number == 5);
    CHECK(full[0].size() == 4);
    CHECK(plan_part_merges(parts, 1000, 100, 5).empty());
    auto firsts = [](const std::vector<std::vector<PartInfo>>& runs) {
        std::vector<std::pair<int, std::size_t>> out;
        for (const auto& run : runs) out.emplace_back(run.front().number, run.size());
        return out;
    };
    // Below 2 is 2: {1,2,3} and {5..8}, as without a minimum.
    CHECK(firsts(plan_part_merges(parts, 1000, 100, 0)) == std::vector<std::pair<int, std::size_t>>{{1, 3}, {5, 4}});
    CHECK(firsts(plan_part_merges(parts, 1000, 100)) == firsts(plan_part_merges(parts, 1000, 100, 0)));
}

TEST_CASE("sharding: deterministic and complete for random inputs", "[sharding][property]") {
    for (std::uint32_t seed = 1; seed <= 40; ++seed) {
        std::mt19937 rng(seed);
        const int n = std::uniform_int_distribution<int>(0, 60)(rng);
        std::vector<ccu::UsageRecord> all;
        for (int i = 0; i < n; ++i) all.push_back(record(i, std::uniform_int_distribution<int>(0, 2000000)(rng)));
        std::shuffle(all.begin(), all.end(), rng);
        const std::size_t max_bytes = std::uniform_int_distribution<std::size_t>(1500, 9000)(rng);
        ShardRequest req{meta(), {}, max_bytes, 1};
        const auto split = static_cast<std::size_t>(std::uniform_int_distribution<int>(0, n)(rng));
        req.current.records.assign(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(split));
        req.new_records.assign(all.begin() + static_cast<std::ptrdiff_t>(split), all.end());
        INFO("seed " << seed << " n " << n << " max " << max_bytes);
        const ShardPlan plan = plan_shards(req, cost);
        check_plan(plan, max_bytes, 1);
        const ShardPlan again = plan_shards(req, cost);
        CHECK(again.current.content == plan.current.content);
        REQUIRE(again.sealed_parts.size() == plan.sealed_parts.size());
        std::size_t total = plan.current.file.records.size();
        for (const auto& p : plan.sealed_parts) total += p.file.records.size();
        CHECK(total == static_cast<std::size_t>(n));
    }
}

TEST_CASE("sharding: a limit below one record is a usage error", "[sharding]") {
    ShardRequest req{meta(), records(0, 3), 300, 1};
    try {
        plan_shards(req, cost);
        FAIL("no error");
    } catch (const ccu::Error& e) {
        CHECK(e.kind() == ccu::ErrorKind::Usage);
        CHECK_THAT(e.what(), Catch::Contains("max_file_bytes"));
    }
}

TEST_CASE("sharding: parts are sized up only when the seal size would take the gist past its file budget",
          "[sharding]") {
    // 100 KB of records, 128 KiB seal: one file at most, whatever the room.
    CHECK(sealed_part_bytes(131072, 4 << 20, 100000, 10) == 131072);
    CHECK(sealed_part_bytes(131072, 4 << 20, 100000, SIZE_MAX) == 131072);
    // 300 MB into 240 parts: ~1.25 MB each (plus slack), above the seal, below the cap.
    const std::size_t big = sealed_part_bytes(131072, 4 << 20, 300000000, 240);
    CHECK(big >= 300000000 / 240);
    CHECK(big <= 300000000 / 240 + 300000000 / 240 / 16 + (16 << 10));
    // Never above sync.max_file_bytes, even when that leaves the gist over its budget.
    CHECK(sealed_part_bytes(131072, 4 << 20, 3000000000, 240) == std::size_t{4} << 20);
    // No room left: as few parts as the cap allows.
    CHECK(sealed_part_bytes(131072, 4 << 20, 1000000, 0) == sealed_part_bytes(131072, 4 << 20, 1000000, 1));
}

TEST_CASE("sharding: a sealer with larger parts fills them to their limit and keeps the current file within its own",
          "[sharding]") {
    std::vector<ShardedFile> parts;
    PartSealer sealer(meta(), {3000, 9000}, 4, cost, [&](ShardedFile&& p) { parts.push_back(std::move(p)); });
    for (int i = 0; i < 120; ++i) sealer.add(record(i));
    const ShardedFile current = sealer.finish();
    REQUIRE(parts.size() >= 2);
    std::size_t total = current.file.records.size();
    for (std::size_t i = 0; i < parts.size(); ++i) {
        CHECK(parts[i].file.part == 4 + static_cast<int>(i));
        CHECK(parts[i].content.size() <= 9000);
        CHECK(parts[i].content == serialize_data_file(parts[i].file, cost));
        total += parts[i].file.records.size();
        if (i + 1 < parts.size()) {  // full: the next record would not have fit
            DataFile bigger = parts[i].file;
            bigger.records.push_back(parts[i + 1].file.records.front());
            CHECK(serialize_data_file(bigger, cost).size() > 9000);
        }
    }
    CHECK(current.content.size() <= 3000);
    CHECK(current.file.part == 0);
    CHECK(total == 120);
}
