// Tests of the C++ wrapper around tests/fake_gist/fake_gist_server.py.
#include <catch2/catch.hpp>
#include <signal.h>

#include <chrono>

#include "support/fake_gist.hpp"

using ccu::test::FakeGistServer;

TEST_CASE("fake gist wrapper: starts fast, exposes two distinct hosts", "[fake_gist]") {
    const auto start = std::chrono::steady_clock::now();
    FakeGistServer server;
    const auto elapsed = std::chrono::steady_clock::now() - start;
    CHECK(elapsed < std::chrono::seconds(5));  // typically ~0.1 s; generous bound for a loaded CI box
    CHECK(server.api_url().rfind("http://127.0.0.1:", 0) == 0);
    CHECK(server.raw_base().rfind("http://localhost:", 0) == 0);
    CHECK(server.api_port() != server.raw_port());
}

TEST_CASE("fake gist wrapper: seed, API call with token, state and request log", "[fake_gist]") {
    FakeGistServer server;
    server.add_token("tok-1", "alice");
    const std::string id = server.seed_gist({{"owner", "alice"}, {"files", {{"manifest.json", "{}"}}}});
    auto state = server.state();
    REQUIRE(state["gists"].contains(id));
    CHECK(state["gists"][id]["files"]["manifest.json"] == "{}");
    CHECK(state["gists"][id]["history"].size() == 1);

    // control() also reaches the API routes; no Authorization -> the public-gist rule applies.
    CHECK_THROWS_WITH(server.control("GET", "/user"), Catch::Contains("401"));
    auto reqs = server.requests();
    REQUIRE(reqs.size() == 1);
    CHECK(reqs[0]["path"] == "/user");
    CHECK_FALSE(reqs[0]["headers"].contains("authorization"));
}

TEST_CASE("fake gist wrapper: faults and reset", "[fake_gist]") {
    FakeGistServer server;
    server.add_fault({{"method", "GET"}, {"path_regex", "^/user$"}, {"action", "status"}, {"status", 502}});
    CHECK_THROWS_WITH(server.control("GET", "/user"), Catch::Contains("502"));
    CHECK_THROWS_WITH(server.control("GET", "/user"), Catch::Contains("401"));  // fault consumed
    server.seed_gist({{"files", {{"a.txt", "x"}}}});
    server.reset();
    CHECK(server.state()["gists"].empty());
    CHECK(server.requests().empty());
}

TEST_CASE("fake gist wrapper: destructor stops the server process", "[fake_gist]") {
    pid_t pid = -1;
    {
        FakeGistServer server;
        pid = server.pid();
        CHECK(::kill(pid, 0) == 0);
    }
    CHECK(::kill(pid, 0) == -1);  // reaped by waitpid: no such process
}

TEST_CASE("fake gist wrapper: many servers side by side", "[fake_gist]") {
    std::vector<std::unique_ptr<FakeGistServer>> servers;
    for (int i = 0; i < 4; ++i) servers.push_back(std::make_unique<FakeGistServer>());
    for (auto& s : servers) {
        s->seed_gist({{"files", {{"f.txt", "content"}}}});
        CHECK(s->state()["gists"].size() == 1);  // each server has its own state
    }
}
