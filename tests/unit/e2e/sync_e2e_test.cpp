#include <catch2/catch.hpp>
#include <set>
#include <thread>

#include "ccu/common/environment.hpp"
#include "ccu/sync/lock.hpp"
#include "sync_e2e_fixture.hpp"

using namespace ccu;
using namespace ccu::test;
using nlohmann::json;

namespace {
// The tree generator's PRNG advances its state by a constant, so seeds s and s+k give the same
// stream shifted by k steps (overlapping records). Space seeds far apart.
std::uint64_t seed_for(std::uint64_t machine, int round) {
    return machine * 0x9E3779B97F4A7C1ULL + static_cast<std::uint64_t>(round) * 0x5851F42D4C957F2DULL;
}
}  // namespace

TEST_CASE("two machines push, a third pulls: its all-machines report is the sum", "[e2e][sync]") {
    E2eGist g;
    E2eMachine a(g.fake, g.gist_id, "laptop");
    E2eMachine b(g.fake, g.gist_id, "desktop");
    a.generate(seed_for(3, 0));
    b.generate(seed_for(4, 0));
    REQUIRE(a.ccu({"gist", "push"}).exit_code == 0);
    const ProcessResult pb = b.ccu({"gist", "push"});
    INFO(pb.out << pb.err);
    REQUIRE(pb.exit_code == 0);
    CHECK(pb.out.find("Pushing to Gist...") != std::string::npos);
    const auto day_a = daily_tokens(a.json_of({"report", "daily"}));
    const auto day_b = daily_tokens(b.json_of({"report", "daily"}));
    E2eMachine c(g.fake, g.gist_id, "server");
    const ProcessResult pc = c.ccu({"gist", "pull"});
    INFO(pc.err);
    REQUIRE(pc.exit_code == 0);
    std::map<std::string, std::int64_t> expected = day_a;
    for (const auto& [d, t] : day_b) expected[d] += t;
    CHECK(daily_tokens(c.json_of({"report", "daily", "--all-machines"})) == expected);
    const json status = c.json_of({"gist", "status"});
    CHECK(status["configured"] == true);
    CHECK(status["remote"]["machines"].size() == 2);
    CHECK(status["local"]["last_pull"].is_string());
}

TEST_CASE("a push that re-merged after a lost update prints Done once", "[e2e][sync]") {
    E2eGist g;
    E2eMachine a(g.fake, g.gist_id, "laptop");
    E2eMachine b(g.fake, g.gist_id, "desktop");
    a.generate(seed_for(1, 0), "once");
    b.generate(seed_for(2, 0), "once");
    g.fake.hold("patch", 1, g.gist_id);  // laptop's PATCH lands after desktop's push (as above)
    ProcessResult ra;
    std::thread ta([&] { ra = a.ccu({"gist", "push", "--transport", "rest"}); });
    const bool held = g.fake.wait_held(1, std::chrono::milliseconds(60000));
    ProcessResult rb;
    if (held) rb = b.ccu({"gist", "push", "--quiet", "--transport", "rest"});
    g.fake.release();
    ta.join();
    INFO(ra.out << ra.err << rb.err);
    REQUIRE(held);
    REQUIRE(ra.exit_code == 0);
    REQUIRE(ra.out.find("Auto-merging... (attempt 1/3)") != std::string::npos);
    std::size_t dones = 0;
    for (auto at = ra.out.find(" Done\n"); at != std::string::npos; at = ra.out.find(" Done\n", at + 1)) ++dones;
    CHECK(dones == 1);
    CHECK(ra.out.find("Conflicts auto-resolved via merge") != std::string::npos);
}

TEST_CASE("racing pushes from two processes over several rounds lose nothing", "[e2e][sync]") {
    E2eGist g;
    E2eMachine a(g.fake, g.gist_id, "laptop");
    E2eMachine b(g.fake, g.gist_id, "desktop");
    for (int round = 0; round < 3; ++round) {
        a.generate(seed_for(1, round), "round" + std::to_string(round));
        b.generate(seed_for(2, round), "round" + std::to_string(round));
        // The fake holds laptop's PATCH until desktop has read, written and exited: laptop's write
        // then lands on desktop's commit, and laptop must detect it, re-merge and land.
        g.fake.hold("patch", 1, g.gist_id);
        ProcessResult ra;
        // The barrier holds REST PATCHes: this race is the REST transport's (git's is in test_git).
        std::thread ta([&] { ra = a.ccu({"gist", "push", "--json", "--transport", "rest"}); });
        const bool held = g.fake.wait_held(1, std::chrono::milliseconds(60000));
        ProcessResult rb;
        if (held) rb = b.ccu({"gist", "push", "--quiet", "--transport", "rest"});
        g.fake.release();
        ta.join();
        INFO(ra.err << rb.err);
        REQUIRE(held);
        CHECK(rb.exit_code == 0);
        REQUIRE(ra.exit_code == 0);
        const json pushed = json::parse(ra.out);
        CHECK(pushed["uploaded"] == true);
        CHECK(pushed["conflicts_resolved"] == 1);
        CHECK(ra.err.find("Conflict detected: Gist has newer changes") != std::string::npos);
    }
    CHECK(a.ccu({"gist", "push"}).exit_code == 0);
    CHECK(b.ccu({"gist", "push"}).exit_code == 0);
    const auto day_a = daily_tokens(a.json_of({"report", "daily"}));
    const auto day_b = daily_tokens(b.json_of({"report", "daily"}));
    E2eMachine c(g.fake, g.gist_id, "server");
    REQUIRE(c.ccu({"gist", "pull"}).exit_code == 0);
    std::map<std::string, std::int64_t> expected = day_a;
    for (const auto& [d, t] : day_b) expected[d] += t;
    // Each machine's `gist status` sees both writers in the manifest; the pushers have nothing left.
    const json sa = a.json_of({"gist", "status"});
    const json sb = b.json_of({"gist", "status"});
    const json sc = c.json_of({"gist", "status"});
    for (const json* s : {&sa, &sb, &sc}) {
        CHECK((*s)["remote"]["error"].is_null());
        CHECK((*s)["remote"]["transport"] == "git");  // status uses the default transport (auto picks git)
        std::set<std::string> names;
        for (const auto& m : (*s)["remote"]["machines"]) names.insert(m["machine_name"].get<std::string>());
        CHECK(names == std::set<std::string>{"desktop", "laptop"});
    }
    CHECK(sa["local"]["unsynced_records"] == 0);
    CHECK(sb["local"]["unsynced_records"] == 0);
    CHECK(sc["local"]["last_pull"].is_string());
    std::string remote_counts;
    const json state = g.fake.state();  // a named value: items() only references it
    for (const auto& [name, content] : state["gists"][g.gist_id]["files"].items()) {
        const json f = json::parse(content.get<std::string>(), nullptr, false);
        if (f.is_object() && f.contains("records")) remote_counts += name + "=" + std::to_string(f["records"].size()) + " ";
    }
    INFO(remote_counts);

    CHECK(daily_tokens(c.json_of({"report", "daily", "--all-machines"})) == expected);
}

TEST_CASE("a second ccu sync on the same data dir exits 7 at once", "[e2e][sync]") {
    E2eGist g;
    E2eMachine a(g.fake, g.gist_id, "laptop");
    a.generate(5);
    sync::SyncLock held(a.sandbox.data_dir() / "ccu.lock");
    const ProcessResult r = a.ccu({"gist", "push"});
    CHECK(r.exit_code == 7);
    CHECK(r.err.find("another ccu sync is running") != std::string::npos);
    CHECK(g.count("PATCH") == 0);
}

TEST_CASE("push dry run sends no write, force pushes without reading commits", "[e2e][sync]") {
    E2eGist g;
    E2eMachine a(g.fake, g.gist_id, "laptop");
    a.generate(6);
    const ProcessResult dry = a.ccu({"gist", "push", "--dry-run"});
    INFO(dry.err);
    CHECK(dry.exit_code == 0);
    CHECK(dry.out.find("usage_data_laptop.json") != std::string::npos);
    CHECK(g.count("PATCH") == 0);
    // --force is REST's (no read-back after the PATCH); over git a push is always a compare-and-swap.
    CHECK(a.ccu({"gist", "push", "--force", "--transport", "rest"}).exit_code == 0);
    CHECK(g.count("PATCH") == 1);
    for (const auto& r : g.fake.requests()) CHECK(r["path"].get<std::string>().find("/commits") == std::string::npos);
}

TEST_CASE("invalid remote data: exit 6, the rest imported, local unchanged by it", "[e2e][sync]") {
    E2eGist g;
    E2eMachine a(g.fake, g.gist_id, "laptop");
    a.generate(seed_for(7, 0));
    REQUIRE(a.ccu({"gist", "push"}).exit_code == 0);
    // A broken file of another machine, in a valid name (docs/format.md §2) (found through the listing).
    E2eMachine b(g.fake, g.gist_id, "desktop");
    b.generate(seed_for(8, 0));
    REQUIRE(b.ccu({"gist", "push"}).exit_code == 0);
    E2eMachine c(g.fake, g.gist_id, "server");
    REQUIRE(c.ccu({"gist", "pull"}).exit_code == 0);
    const json before = c.json_of({"report", "daily", "--all-machines"});
    // Corrupt desktop's file through the API, as another tool might.
    const std::string body = json{{"files", {{"usage_data_desktop.json", {{"content", "{\"records\": 5}"}}}}}}.dump();
    const ProcessResult patch = run_process(
        {"/usr/bin/curl", "-s", "-X", "PATCH", "-H", "Authorization: Bearer " + kE2eToken, "-d", body,
         g.fake.api_url() + "/gists/" + g.gist_id},
        c.sandbox.vars());
    REQUIRE(patch.exit_code == 0);
    const ProcessResult pulled = c.ccu({"gist", "pull"});
    CHECK(pulled.exit_code == 6);
    CHECK(pulled.err.find("usage_data_desktop.json") != std::string::npos);
    CHECK(c.json_of({"report", "daily", "--all-machines"}) == before);
    const json status = c.json_of({"gist", "status"});
    CHECK(status["local"]["last_error"]["kind"].is_string());
}

TEST_CASE("a machine name used by another machine_id stops with the fix", "[e2e][sync]") {
    E2eGist g;
    E2eMachine a(g.fake, g.gist_id, "laptop");
    E2eMachine twin(g.fake, g.gist_id, "laptop");
    a.generate(seed_for(5, 0));
    twin.generate(seed_for(6, 0));
    REQUIRE(a.ccu({"gist", "push"}).exit_code == 0);
    const ProcessResult r = twin.ccu({"gist", "push"});
    CHECK(r.exit_code == 5);
    CHECK(r.err.find("ccu gist setup --machine-name laptop-2") != std::string::npos);
}

TEST_CASE("backup create, list --json, restore --to, repair through the CLI", "[e2e][sync]") {
    E2eGist g;
    E2eMachine a(g.fake, g.gist_id, "laptop");
    a.generate(12);
    REQUIRE(a.ccu({"gist", "push"}).exit_code == 0);
    REQUIRE(a.ccu({"gist", "backup", "create"}).exit_code == 0);
    const json list = a.json_of({"gist", "backup", "list"});
    REQUIRE(list["backups"].size() == 1);
    const std::string date = list["backups"][0]["date"];
    const auto dir = a.sandbox.root() / "restored";
    CHECK(a.ccu({"gist", "backup", "restore", date, "--to", dir.string()}).exit_code == 0);
    CHECK(a.ccu({"gist", "backup", "restore", date, "--to", dir.string()}).exit_code == 2);
    CHECK(a.ccu({"gist", "backup", "restore", date, "--to", dir.string(), "--force"}).exit_code == 0);
    const ProcessResult repaired = a.ccu({"gist", "repair"});
    INFO(repaired.err);
    CHECK(repaired.exit_code == 0);
    const json status = a.json_of({"gist", "status"});
    CHECK(status["local"]["unsynced_records"] == 0);
}
