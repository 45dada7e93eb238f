// Crafted gists against real ccu processes: hostile file names, manifests and data files never
// become local paths, never crash ccu, are named in a clear error and import nothing bad.
// REST transport; the fixture (E2eGist/E2eMachine) is the seam where a git transport plugs in.
#include <catch2/catch.hpp>

#include <utility>

#include "hostile_fixture.hpp"

using namespace ccu;
using namespace ccu::test;
using nlohmann::json;

namespace {

// A gist of alice's with the crafted `files` beside desktop's valid current file of one record
// (session "s-d-1"): what must still be imported whatever the crafted files hold.
std::string seed_beside_desktop(E2eGist& g, json files) {
    files["usage_data_desktop.json"] = data_file_text("desktop", {wire_record("d-1")});
    return g.fake.seed_gist({{"owner", "alice"}, {"files", std::move(files)}});
}

}  // namespace

TEST_CASE("gist file names shaped like paths never become local files and import nothing", "[e2e][hostile]") {
    E2eGist g;
    json files = {{"usage_data_desktop.json", data_file_text("desktop", {wire_record("ok-1"), wire_record("ok-2")})}};
    const std::string evil = data_file_text("evil", {wire_record("evil-1")});
    for (const std::string& name : std::vector<std::string>{"../x", "/etc/passwd", "a/b", "usage_data_../x.json",
                                                            "usage_data_a\\b.json", "..", "usage_data_.json",
                                                            "usage_data_" + std::string(300, 'a') + ".json"}) {
        files[name] = evil;
    }
    const std::string id = g.fake.seed_gist({{"owner", "alice"}, {"files", files}});
    WatchedMachine c(g.fake, id, "server");
    const fs::path cwd = c.sandbox.root() / "cwd";
    fs::create_directories(cwd / "a");
    const auto passwd = snapshot_tree("/etc/passwd");
    const ProcessResult r = c.ccu_in(cwd, {"gist", "pull"});
    INFO(r.out << r.err);
    CHECK(r.exit_code == 0);
    CHECK(snapshot_tree("/etc/passwd") == passwd);
    CHECK_FALSE(fs::exists(cwd / "x"));
    CHECK_FALSE(fs::exists(cwd / "a" / "b"));
    CHECK_FALSE(fs::exists(c.sandbox.root() / "x"));
    CHECK(c.changes_outside_data_dir().empty());
    CHECK(c.sessions() == std::set<std::string>{"s-ok-1", "s-ok-2"});
}

TEST_CASE("a gist file name that is not UTF-8 gives a clear error and changes nothing", "[e2e][hostile]") {
    E2eGist g;
    WatchedMachine c(g.fake, g.gist_id, "server");
    // A lone surrogate escape is the only way JSON can carry a name that is not UTF-8. The fake's
    // git store cannot hold such a name, so the gist document itself is served by a fault (the
    // body posted raw: nlohmann::json cannot write a lone surrogate).
    const std::string body = R"({"faults":[{"method":"GET","path_regex":"^/gists/[^/]+$","action":"status",)"
                             R"("status":200,"times":10,"body":{"id":")" + g.gist_id +
                             R"(","files":{"bad\udcff.json":{"filename":"bad\udcff.json","content":"x","size":1}}}}]})";
    const ProcessResult queued = run_process({"/usr/bin/curl", "-s", "-X", "POST", "--data-binary", body,
                                              g.fake.api_url() + "/_fake/faults"},
                                             c.sandbox.vars());
    REQUIRE(queued.exit_code == 0);
    REQUIRE(queued.out.find("\"queued\": 1") != std::string::npos);
    const ProcessResult r = c.ccu({"gist", "pull"});
    INFO(r.out << r.err);
    // The whole gist document is then unreadable JSON: a server fault (exit 4), nothing imported.
    CHECK(r.exit_code == 4);
    CHECK(r.err.find("ccu: error: GitHub sent a gist response that is not JSON") != std::string::npos);
    CHECK(c.sessions().empty());
    CHECK(c.changes_outside_data_dir().empty());
}

TEST_CASE("a manifest naming files that do not exist imports what exists and the next push drops the names",
          "[e2e][hostile]") {
    E2eGist g;
    json manifest = json::parse(R"({"version":"1.0","last_updated":"2026-01-01T00:00:00.000Z","machines":[
      {"machine_name":"ghost","last_sync":"2026-01-01T00:00:00.000Z","last_record_date":"2025-12-31",
       "total_records":500,"current_file":"usage_data_ghost.json",
       "data_files":["usage_data_ghost.json","usage_data_ghost_part_0001.json"],
       "backups":["usage_data_ghost_backup_20251231.json"]}]})");
    const std::string id = seed_beside_desktop(g, {{"manifest.json", manifest.dump()}});
    WatchedMachine c(g.fake, id, "server");
    const ProcessResult r = c.ccu({"gist", "pull"});
    INFO(r.out << r.err);
    CHECK(r.exit_code == 0);
    CHECK(c.sessions() == std::set<std::string>{"s-d-1"});
    c.generate(3);
    const ProcessResult push = c.ccu({"gist", "push"});
    INFO(push.err);
    REQUIRE(push.exit_code == 0);
    const json after = json::parse(g.fake.state()["gists"][id]["files"]["manifest.json"].get<std::string>());
    for (const auto& m : after["machines"]) {
        if (m["machine_name"] != "ghost") continue;
        CHECK(m["data_files"].empty());
        CHECK(m["backups"].empty());
    }
    CHECK(after["machines"].size() == 3);  // desktop (found by name), ghost, server
}

TEST_CASE("a manifest with a path as file name is invalid: exit 6 and the files are still found by name",
          "[e2e][hostile]") {
    E2eGist g;
    json manifest = json::parse(R"({"version":"1.0","last_updated":"2026-01-01T00:00:00.000Z","machines":[
      {"machine_name":"evil","last_sync":"2026-01-01T00:00:00.000Z","last_record_date":null,
       "total_records":1,"current_file":"../../.bashrc","backups":["/etc/passwd"]}]})");
    const std::string id = seed_beside_desktop(g, {{"manifest.json", manifest.dump()}});
    WatchedMachine c(g.fake, id, "server");
    const ProcessResult r = c.ccu({"gist", "pull"});
    INFO(r.out << r.err);
    CHECK(r.exit_code == 6);
    CHECK(r.err.find("manifest.json is invalid: machine 'evil': current_file is not a gist file name") !=
          std::string::npos);
    CHECK(c.sessions() == std::set<std::string>{"s-d-1"});
    CHECK(c.changes_outside_data_dir().empty());
}

TEST_CASE("deeply nested JSON in a manifest or data file is refused without a crash", "[e2e][hostile]") {
    E2eGist g;
    const std::string deep = std::string(100000, '[') + std::string(100000, ']');
    std::string deep_manifest = R"({"version":"1.0","last_updated":"2026-01-01T00:00:00.000Z","machines":[],"x":)";
    deep_manifest += deep + "}";
    std::string deep_file = data_file_text("deep", {wire_record("deep-1")});
    deep_file.insert(1, "\"nest\":" + deep + ",");
    const std::string id =
        seed_beside_desktop(g, {{"manifest.json", deep_manifest}, {"usage_data_deep.json", deep_file}});
    WatchedMachine c(g.fake, id, "server");
    const ProcessResult r = c.ccu({"gist", "pull"});
    INFO(r.out << r.err);
    CHECK(r.exit_code == 6);
    CHECK(r.err.find("manifest.json is invalid: JSON nested deeper than") != std::string::npos);
    CHECK(r.err.find("usage_data_deep.json: JSON nested deeper than") != std::string::npos);
    CHECK(c.sessions() == std::set<std::string>{"s-d-1"});
}

TEST_CASE("huge numbers, duplicate keys and 10 MB strings import only the sane records and files", "[e2e][hostile]") {
    E2eGist g;
    json overflow = wire_record("big-1");
    overflow["input_tokens"] = INT64_MAX;
    overflow["output_tokens"] = INT64_MAX;  // each fits, the sum does not
    json too_big = wire_record("big-2");
    too_big["cache_read_tokens"] = 1e300;
    json giant_folder = wire_record("big-3");
    giant_folder["folder"] = std::string(10'000'000, 'f');
    std::string numbers = data_file_text("numbers", {wire_record("n-ok"), overflow, too_big});
    numbers.insert(numbers.rfind(']'), R"(,{"session_id":"s-n-2","message_uuid":"u","timestamp":"2025-09-01T00:00:00Z",)"
                                       R"("input_tokens":123456789012345678901234567890})");
    // A number beyond double range: nlohmann throws out_of_range, which once ended the pull.
    std::string overflowing = data_file_text("overflow", {wire_record("of-1")});
    overflowing.insert(1, R"("x":1e99999,)");
    // Duplicate keys: the JSON parser keeps the last one; the record is stored once.
    std::string dup = data_file_text("dups", {wire_record("dup-1"), wire_record("dup-1")});
    dup.insert(1, R"("machine_name":"first",)");
    const std::string id = g.fake.seed_gist(
        {{"owner", "alice"},
         {"files", {{"usage_data_numbers.json", numbers}, {"usage_data_dups.json", dup},
                    {"usage_data_overflow.json", overflowing},
                    {"usage_data_strings.json", data_file_text("strings", {wire_record("str-ok"), giant_folder})}}}});
    WatchedMachine c(g.fake, id, "server");
    const ProcessResult r = c.ccu({"gist", "pull"});
    INFO(r.out << r.err.substr(0, 4000));
    CHECK(r.exit_code == 6);  // the overflowing file is invalid; invalid records are skipped and counted
    CHECK(r.err.find("skipped invalid file usage_data_overflow.json: not valid JSON") !=
          std::string::npos);
    CHECK(r.out.find("Invalid records:   4") != std::string::npos);
    CHECK(r.err.find("usage_data_numbers.json: record 1: token counts add up to more than") != std::string::npos);
    CHECK(r.err.find("usage_data_numbers.json: record 2: field 'cache_read_tokens' is not a whole number") !=
          std::string::npos);
    CHECK(r.err.find("usage_data_strings.json: record 1: field 'folder' is longer than") != std::string::npos);
    CHECK(r.err.size() < 100000);  // the 10 MB value is not echoed
    CHECK(c.sessions() == std::set<std::string>{"s-n-ok", "s-dup-1", "s-str-ok"});
    CHECK(c.count_records("dups") == 1);
    const json daily = c.json_of({"report", "daily", "--all-machines"});
    CHECK(daily["totals"]["totalTokens"].get<std::int64_t>() == 3 * wire_total());
}
