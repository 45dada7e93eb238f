// End-to-end on a realistic generated tree (tests/support/claude_tree_generator.hpp).
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "ccu/common/time.hpp"
#include "ccu/store/store.hpp"
#include "jsonl_fixture.hpp"
#include "support/claude_tree_generator.hpp"
#include "support/process.hpp"
#include "support/sandbox.hpp"
#include "support/costs.hpp"

TEST_CASE("ccu scan of a generated tree stores exactly the ground truth and reads nothing twice", "[cli][e2e]") {
    ccu::test::Sandbox box;
    ccu::test::ClaudeTreeSpec spec;
    spec.total_bytes = 512 * 1024;
    spec.seed = 7;
    const auto truth = ccu::test::generate_claude_tree(box.projects_dir(), spec);
    const auto before = ccu::test::tree_fingerprint(box.claude_dir());

    const auto first = ccu::test::run_process({ccu::test::ccu_binary(), "scan", "--json"}, box.vars());
    INFO(first.err);
    REQUIRE(first.exit_code == 0);
    const auto doc = nlohmann::json::parse(first.out);
    CHECK(doc["scan"]["files_seen"] == truth.files);
    CHECK(doc["scan"]["bytes_read"] == truth.bytes);
    CHECK(doc["scan"]["malformed_lines"] == truth.malformed_lines);
    CHECK(doc["records"]["total"] == truth.records);

    // Per UTC day, the store holds the generator's token totals.
    std::map<std::string, ccu::test::DayTotals> stored;
    ccu::store::Store store(box.data_dir() / "ccu.db", ccu::store::OpenMode::ReadOnly, ccu::test::embedded_costs());
    for (const auto& r : store.query({})) {
        auto& day = stored[ccu::timeutil::utc_date(*ccu::timeutil::parse_rfc3339_ms(r.timestamp))];
        day.input_tokens += r.input_tokens;
        day.output_tokens += r.output_tokens;
        day.cache_creation_tokens += r.cache_creation_tokens;
        day.cache_read_tokens += r.cache_read_tokens;
        ++day.records;
    }
    CHECK(stored == truth.per_day);

    const auto second = ccu::test::run_process({ccu::test::ccu_binary(), "scan", "--json"}, box.vars());
    REQUIRE(second.exit_code == 0);
    const auto again = nlohmann::json::parse(second.out);
    CHECK(again["scan"]["files_read"] == 0);
    CHECK(again["scan"]["bytes_read"] == 0);
    CHECK(again["records"]["new"] == 0);
    CHECK(again["records"]["updated"] == 0);
    CHECK(again["records"]["total"] == truth.records);
    CHECK(ccu::test::tree_fingerprint(box.claude_dir()) == before);
}
