#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "jsonl_fixture.hpp"
#include "legacy_fixture.hpp"
#include "support/process.hpp"
#include "support/sandbox.hpp"

namespace fs = std::filesystem;

namespace {

nlohmann::json run_scan_json(const ccu::test::Sandbox& box) {
    const auto result = ccu::test::run_process({ccu::test::ccu_binary(), "scan", "--json"}, box.vars());
    INFO("stderr: " << result.err);
    REQUIRE(result.exit_code == 0);
    return nlohmann::json::parse(result.out);
}

}  // namespace

TEST_CASE("ccu scan --json twice counts records then reads nothing new and leaves sources untouched", "[cli][e2e]") {
    ccu::test::Sandbox box;
    ccu::test::write_small_tree(box.projects_dir());
    ccu::test::write_origin_db(box.claude_dir() / "usage" / "usage_history_box.db");
    const auto before = ccu::test::tree_fingerprint(box.claude_dir());

    const auto first = run_scan_json(box);
    CHECK(first["ok"] == true);
    CHECK(first["scan"]["files_seen"] == 1);
    CHECK(first["scan"]["files_read"] == 1);
    CHECK(first["scan"]["malformed_lines"] == 1);
    CHECK(first["scan"]["bytes_read"].get<std::uint64_t>() > 0);
    CHECK(first["records"]["new"] == 2);
    CHECK(first["records"]["total"] == 6);
    CHECK(first["legacy"]["imported"] == 4);
    CHECK(first["legacy"]["files"][0]["skipped"]["user prompt (no usage)"] == 1);
    CHECK(fs::exists(box.data_dir() / "ccu.db"));

    const auto second = run_scan_json(box);
    CHECK(second["scan"]["files_seen"] == 1);
    CHECK(second["scan"]["files_read"] == 0);
    CHECK(second["scan"]["bytes_read"] == 0);
    CHECK(second["records"]["new"] == 0);
    CHECK(second["records"]["updated"] == 0);
    CHECK(second["records"]["total"] == 6);
    CHECK(second["legacy"]["imported"] == 0);
    CHECK(second["legacy"]["files"][0]["unchanged"] == true);

    // Byte- and mtime-identical source tree (JSONL and the origin DB), nothing added to it.
    CHECK(ccu::test::tree_fingerprint(box.claude_dir()) == before);
}

TEST_CASE("ccu scan warns about malformed lines on stderr and still succeeds", "[cli][e2e]") {
    ccu::test::Sandbox box;
    ccu::test::write_small_tree(box.projects_dir());
    const auto result = ccu::test::run_process({ccu::test::ccu_binary(), "scan"}, box.vars());
    CHECK(result.exit_code == 0);
    CHECK(result.err.find("malformed") != std::string::npos);
    CHECK(result.out.find("2 new") != std::string::npos);
}
