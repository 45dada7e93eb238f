// End-to-end over the git transport: real ccu processes, the fake's git host, its barrier.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <thread>

#include "sync_e2e_fixture.hpp"

using namespace ccu;
using namespace ccu::test;
using nlohmann::json;

namespace {

std::size_t on_port(FakeGistServer& fake, int port, const std::string& method = "") {
    std::size_t n = 0;
    for (const auto& r : fake.requests()) {
        n += r["port"] == port && (method.empty() || r["method"] == method) ? 1 : 0;
    }
    return n;
}

}  // namespace

TEST_CASE("two ccu processes racing through git: the loser is refused, re-merges and lands", "[e2e][sync][git]") {
    E2eGist g;
    E2eMachine a(g.fake, g.gist_id, "laptop");
    E2eMachine b(g.fake, g.gist_id, "desktop");
    a.generate(0x1111);
    b.generate(0x9999999);
    g.fake.control("DELETE", "/_fake/requests");
    g.fake.hold("receive-pack", 1, g.gist_id);
    ProcessResult ra;
    std::thread ta([&] { ra = a.ccu({"gist", "push", "--transport", "git", "--json"}); });
    const bool held = g.fake.wait_held(1, std::chrono::milliseconds(60000));
    const ProcessResult rb = b.ccu({"gist", "push", "--transport", "git"});  // lands while A waits
    g.fake.release();
    ta.join();
    REQUIRE(held);
    INFO(ra.out << ra.err << rb.err);
    REQUIRE(rb.exit_code == 0);
    REQUIRE(ra.exit_code == 0);
    CHECK(json::parse(ra.out)["conflicts_resolved"] == 1);
    CHECK(on_port(g.fake, g.fake.api_port(), "PATCH") == 0);  // every write went over git
    E2eMachine c(g.fake, g.gist_id, "server");
    REQUIRE(c.ccu({"gist", "pull", "--transport", "git"}).exit_code == 0);
    std::map<std::string, std::int64_t> expected = daily_tokens(a.json_of({"report", "daily"}));
    for (const auto& [d, t] : daily_tokens(b.json_of({"report", "daily"}))) expected[d] += t;
    CHECK(daily_tokens(c.json_of({"report", "daily", "--all-machines"})) == expected);
}

TEST_CASE("auto picks git against the fake: writes go over git, status names the transport", "[e2e][sync][git]") {
    E2eGist g;
    E2eMachine a(g.fake, g.gist_id, "laptop");
    a.generate(0x2222);
    g.fake.control("DELETE", "/_fake/requests");
    const ProcessResult pushed = a.ccu({"gist", "push"});
    INFO(pushed.err);
    REQUIRE(pushed.exit_code == 0);
    CHECK(pushed.err.find("REST") == std::string::npos);  // no fallback warning
    CHECK(on_port(g.fake, g.fake.api_port(), "PATCH") == 0);
    CHECK(on_port(g.fake, g.fake.git_port(), "POST") >= 1);
    const json status = a.json_of({"gist", "status"});
    CHECK(status["remote"]["transport"] == "git");
    CHECK(status["remote"]["machines"].size() == 1);
    const json rest_status = a.json_of({"gist", "status", "--transport", "rest"});
    CHECK(rest_status["remote"]["transport"] == "rest");
    CHECK(rest_status["remote"]["version"] == status["remote"]["version"]);
    SECTION("the token is in no file of the data dir, mirror included") {
        int files = 0;
        for (const auto& f : std::filesystem::recursive_directory_iterator(a.sandbox.data_dir())) {
            if (!f.is_regular_file()) continue;
            std::ifstream in(f.path(), std::ios::binary);
            const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
            INFO(f.path());
            CHECK(bytes.find(kE2eToken) == std::string::npos);
            ++files;
        }
        CHECK(std::filesystem::exists(a.sandbox.data_dir() / "mirror" / (g.gist_id + ".git") / "HEAD"));
        CHECK(files > 3);
    }
}

TEST_CASE("auto falls back to REST with one warning when the git host refuses the token", "[e2e][sync][git]") {
    E2eGist g;
    E2eMachine a(g.fake, g.gist_id, "laptop");
    a.generate(0x3333);
    g.fake.add_fault({{"method", "*"}, {"path_regex", "info/refs"}, {"times", 100}, {"action", "status"},
                      {"status", 401}, {"headers", {{"WWW-Authenticate", "Basic realm=\"GitHub\""}}}, {"port", "git"}});
    const ProcessResult pushed = a.ccu({"gist", "push"});
    INFO(pushed.err);
    REQUIRE(pushed.exit_code == 0);
    CHECK(pushed.err.find("git endpoint refused the token") != std::string::npos);
    CHECK(on_port(g.fake, g.fake.api_port(), "PATCH") >= 1);
    SECTION("with --transport git the same refusal is exit 3") {
        const ProcessResult git_only = a.ccu({"gist", "push", "--transport", "git"});
        CHECK(git_only.exit_code == 3);
        CHECK(git_only.err.find("ccu gist set-token") != std::string::npos);
    }
}
