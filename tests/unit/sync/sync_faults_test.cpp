// Faults and limits: the real libcurl client (REST) and the real libgit2 mirror (git) against the
// fake server with a seeded 20 % mix of 5xx, dropped connections, cut bodies, 429 Retry-After and
// 403 secondary limits on the routes of that transport. Waits run on the ManualClock, so a 60 s
// Retry-After costs no real time. The mixed-fault scenario is one body run over both transports.
#include <catch2/catch.hpp>
#include <ctime>
#include <iostream>
#include <random>
#include <set>

#include "ccu/common/error.hpp"
#include "ccu/gist/errors.hpp"
#include "sync_fixture.hpp"

using namespace ccu;
using namespace ccu::test;
using nlohmann::json;

namespace {

// One fault queue entry per upcoming request: 20 % injected faults, 80 % pass-through (a 0 ms
// delay), from a fixed seed so every run sees the same sequence.
struct FaultPlan {
    std::size_t injected = 0;
    std::map<std::string, std::size_t> by_kind;
};

FaultPlan queue_mixed_faults(FakeGistServer& fake, std::uint32_t seed, int requests) {
    const json kinds[] = {
        {{"action", "status"}, {"status", 502}},
        {{"action", "status"}, {"status", 503}},
        {{"action", "drop"}},
        {{"action", "truncate_body"}},
        {{"action", "status"}, {"status", 429}, {"headers", {{"Retry-After", "30"}}},
         {"body", {{"message", "too many requests"}}}},
        {{"action", "secondary_rate_limit"}},
    };
    std::mt19937 rng(seed);
    json faults = json::array();
    FaultPlan plan;
    // Faults that ask for a wait (Retry-After 30 or 60 s) are at least 5 requests apart: one
    // operation's 5 attempts (up to 2 requests each) then meet at most two, 120 s, which the wait
    // budget allows; three would exceed it and must fail, as over REST (the primary rate limit
    // test below proves that side).
    int last_wait_at = -5;
    for (int i = 0; i < requests; ++i) {
        json f = {{"method", "*"}, {"path_regex", ".*"}, {"action", "delay"}, {"delay_ms", 0}};
        bool asked_wait = false;
        if (rng() % 100 < 20) {
            std::size_t pick = rng() % std::size(kinds);
            asked_wait = kinds[pick].contains("headers") || kinds[pick]["action"] == "secondary_rate_limit";
            if (asked_wait && i - last_wait_at < 5) pick = rng() % 4, asked_wait = false;  // a 5xx, drop or cut body
            if (asked_wait) last_wait_at = i;
            const json& kind = kinds[pick];
            f.erase("delay_ms");
            f.update(kind);
            ++plan.injected;
            ++plan.by_kind[kind["action"].get<std::string>() + (kind.contains("status") ? std::to_string(kind["status"].get<int>()) : "")];
        }
        faults.push_back(f);
    }
    fake.control("POST", "/_fake/faults", {{"faults", faults}});
    return plan;
}

std::unique_ptr<gist::GistApi> default_limits_api(SimMachine& m, FakeGistServer& fake) {
    Environment env = m.sandbox.environment();
    env.set("CCU_GITHUB_API_URL", fake.api_url());
    auto options = gist::client_options_from(env, kToken);  // the shipped retry limits
    options.jitter = [] { return 0.5; };
    return gist::make_curl_gist_api(options, m.clock);
}

std::set<std::string> uuids(store::Store& s) {
    std::set<std::string> out;
    for (const auto& r : s.query({})) out.insert(r.machine_name + "/" + r.message_uuid);
    return out;
}

enum class Route { Rest, Git };

// The remote store a machine uses here: the shipped retry limits (not the fixture's 2 attempts).
void use_default_limits(SimMachine& m, FakeFixture& fx, Route route) {
    if (route == Route::Rest) {
        m.api = default_limits_api(m, fx.fake);
        m.remote = std::make_unique<sync::RestRemoteStore>(*m.api, m.clock, fx.gist_id, m.etags.get());
        return;
    }
    git::MirrorOptions o;
    o.dir = sync::git_mirror_dir(m.paths.data_dir, fx.gist_id);
    o.url = fx.fake.git_url(fx.gist_id);
    o.token = [] { return kToken; };
    o.identity = {m.config.machine_name, m.config.machine_name + "@ccu.invalid"};
    o.clock = &m.clock;
    o.jitter = [] { return 0.5; };
    o.retry = gist::RetryLimits{};  // as cli/sync_factory.cpp: the REST client's budget
    m.remote = std::make_unique<sync::GitRemoteStore>(std::move(o));
}

void mixed_faults(Route route) {
    FakeFixture fx;
    SimMachine a(fx.fake, fx.gist_id, "laptop", fx.clock);
    SimMachine b(fx.fake, fx.gist_id, "desktop", fx.clock);
    use_default_limits(a, fx, route);
    use_default_limits(b, fx, route);
    fx.fake.control("DELETE", "/_fake/requests");
    const FaultPlan plan = queue_mixed_faults(fx.fake, 20261201, 400);
    for (int round = 0; round < 8; ++round) {
        a.add_records(round * 20, round * 20 + 20);
        b.add_records(round * 20, round * 20 + 15);
        const auto before = fx.clock.total_slept();
        REQUIRE_NOTHROW(a.manager().push(sync::ConflictMode::Detect));
        REQUIRE_NOTHROW(b.manager().push(sync::ConflictMode::Detect));
        REQUIRE_NOTHROW(b.manager().pull());
        REQUIRE_NOTHROW(a.manager().pull());
        // Each logical request may wait up to the budget; four syncs stay far below four budgets.
        CHECK(fx.clock.total_slept() - before < 4 * gist::RetryLimits{}.total_wait_budget);
    }
    std::size_t served = 0, failed = 0, off_route = 0;
    const int port = route == Route::Git ? fx.fake.git_port() : fx.fake.api_port();
    for (const auto& r : fx.fake.requests()) {
        ++served;
        const int status = r["status"].is_number() ? r["status"].get<int>() : 0;
        failed += (status == 502 || status == 503 || status == 429 || status == 403 || status == 0) ? 1 : 0;
        off_route += route == Route::Git && r["port"] != port ? 1 : 0;
    }
    std::string kinds;
    for (const auto& [kind, n] : plan.by_kind) kinds += " " + kind + "=" + std::to_string(n);
    std::cout << "mixed faults on " << (route == Route::Git ? "git" : "REST") << " routes: " << plan.injected
              << " faults in the plan (" << kinds << " ), " << served << " requests, " << failed
              << " answered 5xx/429/403 or dropped, simulated wait " << fx.clock.total_slept().count() << " ms\n";
    CHECK(served > 60);
    CHECK(failed >= 10);  // the faults really were in the way
    CHECK(off_route == 0);  // over git every request (and so every fault) was on a git route
    CHECK(uuids(*a.store) == uuids(*b.store));
    CHECK(uuids(*a.store).size() == 8 * 20 + 8 * 15);
    const json manifest = fx.manifest();
    REQUIRE(manifest["machines"].size() == 2);
    for (const auto& m : manifest["machines"]) {
        CHECK(m["total_records"] == (m["machine_name"] == "laptop" ? 160 : 120));
    }
}

}  // namespace

TEST_CASE("20 percent mixed faults on REST routes: pushes and pulls complete within the wait budget and lose nothing",
          "[sync][faults][rest]") {
    mixed_faults(Route::Rest);
}

// [git-only]: it builds its own git store, so the suite's git run (tests/CMakeLists.txt) leaves it out.
TEST_CASE("20 percent mixed faults on git routes: pushes and pulls complete within the wait budget and lose nothing",
          "[sync][faults][git][git-only]") {
    mixed_faults(Route::Git);
}

TEST_CASE("the primary rate limit exhausted: RateLimited with the reset time, nothing lost", "[sync][faults][rest]") {
    FakeFixture fx;
    SimMachine a(fx.fake, fx.gist_id, "laptop", fx.clock);
    a.api = default_limits_api(a, fx.fake);
    a.remote = std::make_unique<sync::RestRemoteStore>(*a.api, a.clock, fx.gist_id, a.etags.get());  // the store refers to the api
    a.add_records(0, 30);
    // The fake restarts a window whose reset has passed on its own (real) clock.
    const std::time_t reset = std::time(nullptr) + 3600;
    fx.fake.set_rate_limit({{"remaining", 0}, {"reset", reset}});
    try {
        a.manager().push(sync::ConflictMode::Detect);
        FAIL("push succeeded with no requests left");
    } catch (const gist::ApiError& e) {
        INFO(e.what() << " / " << e.hint() << " / reset " << reset << " = "
                       << timeutil::format_rfc3339(std::chrono::system_clock::from_time_t(reset)));
        CHECK(e.api_kind() == gist::ApiErrorKind::RateLimited);
        CHECK(exit_code_for(e.kind()) == 4);
        // The reset has second resolution: ccu adds one second (src/gist/retry_policy.cpp).
        const std::string lifts = timeutil::format_rfc3339(std::chrono::system_clock::from_time_t(reset + 1));
        CHECK(std::string(e.what()).find("it lifts at " + lifts.substr(0, 19)) != std::string::npos);
    }
    CHECK(fx.count("PATCH") == 0);
    fx.fake.set_rate_limit({{"remaining", 5000}, {"reset", reset}});
    const sync::PushResult pushed = a.manager().push(sync::ConflictMode::Detect);
    CHECK(pushed.uploaded);
    CHECK(pushed.new_records == 30);
}

TEST_CASE("a gist body cut short or not a gist object imports nothing", "[sync][faults][rest]") {
    FakeFixture fx;
    SimMachine a(fx.fake, fx.gist_id, "laptop", fx.clock);
    SimMachine b(fx.fake, fx.gist_id, "desktop", fx.clock);
    a.add_records(0, 40);
    a.manager().push(sync::ConflictMode::Detect);
    SECTION("the gist JSON is cut short on every attempt") {
        fx.fake.add_fault({{"method", "GET"}, {"path_regex", "^/gists/[^/]+$"}, {"action", "truncate_body"}, {"times", 10}});
        CHECK_THROWS_AS(b.manager().pull(), Error);
    }
    SECTION("the gist answer is JSON but not a gist") {
        fx.fake.add_fault({{"method", "GET"}, {"path_regex", "^/gists/[^/]+$"}, {"action", "status"}, {"status", 200},
                           {"body", json::array({"not", "a", "gist"})}, {"times", 10}});
        CHECK_THROWS_AS(b.manager().pull(), Error);
    }
    SECTION("the data file download is cut short on every attempt") {
        fx.fake.configure({{"truncate_bytes", 100}});  // forces the raw_url download
        fx.fake.add_fault({{"method", "GET"}, {"port", "raw"}, {"path_regex", "usage_data_laptop"},
                           {"action", "truncate_body"}, {"times", 10}});
        CHECK_THROWS_AS(b.manager().pull(), Error);
    }
    CHECK(b.store->count(std::nullopt) == 0);
    fx.fake.control("DELETE", "/_fake/faults");
    b.manager().pull();
    CHECK(b.store->count(std::nullopt) == 40);
}
