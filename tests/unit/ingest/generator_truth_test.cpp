#include <catch2/catch.hpp>

#include <algorithm>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "ccu/common/time.hpp"
#include "ccu/ingest/scanner.hpp"
#include "support/claude_tree_generator.hpp"
#include "support/sandbox.hpp"

namespace fs = std::filesystem;
using ccu::test::ClaudeTreeSpec;
using ccu::test::DayTotals;

namespace {

std::map<std::string, DayTotals> per_day(const std::vector<ccu::UsageRecord>& records) {
    std::map<std::string, DayTotals> days;
    for (const auto& r : records) {
        DayTotals& d = days[r.timestamp.substr(0, 10)];
        d.input_tokens += r.input_tokens;
        d.output_tokens += r.output_tokens;
        d.cache_creation_tokens += r.cache_creation_tokens;
        d.cache_read_tokens += r.cache_read_tokens;
        ++d.records;
    }
    return days;
}

std::string tree_bytes(const fs::path& root) {
    std::map<std::string, std::string> files;
    for (const auto& entry : fs::recursive_directory_iterator(root)) {
        if (!entry.is_regular_file()) continue;
        std::ifstream in(entry.path(), std::ios::binary);
        std::ostringstream content;
        content << in.rdbuf();
        files[fs::relative(entry.path(), root).string()] = content.str();
    }
    std::string all;
    for (const auto& [name, content] : files) all += name + "\n" + content;
    return all;
}

}  // namespace

TEST_CASE("a scan of a generated tree finds exactly the generator's per-day totals", "[ingest][generator]") {
    ccu::test::Sandbox sandbox;
    ClaudeTreeSpec spec;
    spec.total_bytes = 3 * 1024 * 1024;
    spec.seed = 7;
    const auto truth = ccu::test::generate_claude_tree(sandbox.projects_dir(), spec);
    REQUIRE(truth.records > 100);
    REQUIRE(truth.per_day.size() > 5);

    const auto result = ccu::ingest::scan({sandbox.projects_dir()}, {}, {"m", 2, {}});
    CHECK(result.stats.files_seen == truth.files);
    CHECK(result.stats.lines == truth.lines);
    CHECK(result.stats.bytes_read == truth.bytes);
    CHECK(result.stats.malformed_lines == truth.malformed_lines);
    CHECK(result.stats.synthetic_lines == truth.synthetic_lines);
    CHECK(result.records.size() == truth.records);
    const auto found = per_day(result.records);
    CHECK(found == truth.per_day);
}

TEST_CASE("incremental scans of a growing generated tree add up to one full scan", "[ingest][generator]") {
    ccu::test::Sandbox sandbox;
    ClaudeTreeSpec spec;
    spec.total_bytes = 1024 * 1024;
    spec.seed = 11;
    const auto truth = ccu::test::generate_claude_tree(sandbox.projects_dir(), spec);
    // Copy the tree in growing prefixes (cut anywhere, mid-line too) and scan after each step.
    const fs::path live = sandbox.root() / "live" / "projects";
    std::map<std::string, ccu::ingest::FileCursor> cursors;
    std::map<std::string, ccu::UsageRecord> merged;  // by (message_id, request_id), else uuid
    std::map<std::string, std::string> first_key;    // message_id -> key of its first response
    std::set<std::string> replay;                    // keys currently held by a sidechain line
    std::map<std::string, std::string> alias;        // main response key -> key it merged into
    for (int step = 1; step <= 4; ++step) {
        for (const auto& entry : fs::recursive_directory_iterator(sandbox.projects_dir())) {
            if (!entry.is_regular_file()) continue;
            const fs::path target = live / fs::relative(entry.path(), sandbox.projects_dir());
            fs::create_directories(target.parent_path());
            std::ifstream in(entry.path(), std::ios::binary);
            std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
            const std::size_t keep = step == 4 ? content.size() : content.size() * static_cast<std::size_t>(step) / 4 + 13;
            std::ofstream out(target, std::ios::binary | std::ios::trunc);
            out << content.substr(0, std::min(keep, content.size()));
        }
        const auto result = ccu::ingest::scan({live}, cursors, {"m", 2, {}});
        cursors = result.cursors;
        // What the store does across scans: same (message_id, request_id) or a sidechain
        // replay of a known message id is the same response; the larger total wins.
        for (std::size_t i = 0; i < result.records.size(); ++i) {
            const auto& r = result.records[i];
            const bool sidechain = result.sidechain[i] != 0;
            std::string key = r.message_id ? *r.message_id + "/" + r.request_id.value_or("") : r.message_uuid;
            if (const auto a = alias.find(key); a != alias.end()) key = a->second;
            const std::string own_key = key;
            if (r.message_id && !merged.count(key)) {
                const auto known = first_key.find(*r.message_id);
                if (known != first_key.end() && (sidechain || replay.count(known->second))) key = known->second;
            }
            auto [it, inserted] = merged.emplace(key, r);
            if (inserted) {
                if (r.message_id) first_key.emplace(*r.message_id, key);
                if (sidechain) replay.insert(key);
            } else if (replay.count(key) && !sidechain) {
                it->second = r;
                replay.erase(key);
                alias.emplace(own_key, key);  // later lines of this main response land here too
            } else if (replay.count(key) == (sidechain ? 1U : 0U) && r.total_tokens() > it->second.total_tokens()) {
                it->second = r;
            }
        }
    }
    std::vector<ccu::UsageRecord> records;
    for (auto& [key, r] : merged) records.push_back(r);
    CHECK(records.size() == truth.records);
    CHECK(per_day(records) == truth.per_day);
}

TEST_CASE("the generator is deterministic and its truth needs no files", "[ingest][generator]") {
    ccu::test::Sandbox a;
    ccu::test::Sandbox b;
    ClaudeTreeSpec spec;
    spec.total_bytes = 256 * 1024;
    spec.seed = 3;
    const auto truth_a = ccu::test::generate_claude_tree(a.projects_dir(), spec);
    const auto truth_b = ccu::test::generate_claude_tree(b.projects_dir(), spec);
    CHECK(tree_bytes(a.projects_dir()) == tree_bytes(b.projects_dir()));
    CHECK(truth_a.per_day == truth_b.per_day);
    CHECK(ccu::test::claude_tree_truth(spec).per_day == truth_a.per_day);
    spec.seed = 4;
    CHECK(ccu::test::claude_tree_truth(spec).per_day != truth_a.per_day);
}

TEST_CASE("nearby seeds generate unrelated trees (no shared sessions)", "[ingest][generator]") {
    ccu::test::Sandbox a;
    ccu::test::Sandbox b;
    ClaudeTreeSpec spec;
    spec.total_bytes = 128 * 1024;
    spec.seed = 1;
    (void)ccu::test::generate_claude_tree(a.projects_dir(), spec);
    spec.seed = 2;
    (void)ccu::test::generate_claude_tree(b.projects_dir(), spec);
    const auto sessions = [](const ccu::test::Sandbox& box) {
        const auto result = ccu::ingest::scan({box.projects_dir()}, {}, {});
        std::set<std::string> ids;
        for (const auto& r : result.records) ids.insert(r.session_id);
        return ids;
    };
    const auto in_a = sessions(a);
    const auto in_b = sessions(b);
    REQUIRE_FALSE(in_a.empty());
    std::vector<std::string> shared;
    std::set_intersection(in_a.begin(), in_a.end(), in_b.begin(), in_b.end(), std::back_inserter(shared));
    CHECK(shared.empty());
}
