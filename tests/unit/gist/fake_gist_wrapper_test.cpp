// Tests of the C++ wrapper around tests/fake_gist/fake_gist_server.py.
#include <catch2/catch.hpp>
#include <curl/curl.h>
#include <signal.h>

#include <chrono>
#include <future>
#include <memory>
#include <string>

#include "support/fake_gist.hpp"

using ccu::test::FakeGistServer;
using namespace std::chrono_literals;

namespace {

// PATCH /gists/{id} with a token, as a client under test would; returns the HTTP status.
long patch_file(const FakeGistServer& server, const std::string& token, const std::string& id,
                const std::string& content) {
    std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), &curl_easy_cleanup);
    const std::string url = server.api_url() + "/gists/" + id;
    const std::string body = nlohmann::json{{"files", {{"a.txt", {{"content", content}}}}}}.dump();
    const std::string auth = "Authorization: Bearer " + token;
    curl_slist* headers = curl_slist_append(nullptr, auth.c_str());
    headers = curl_slist_append(headers, "User-Agent: ccu-wrapper-test");
    CURL* h = curl.get();
    curl_easy_setopt(h, CURLOPT_URL, url.c_str());
    curl_easy_setopt(h, CURLOPT_NOPROXY, "*");
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, "PATCH");
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, body.c_str());
    curl_easy_setopt(h, CURLOPT_TIMEOUT, 30L);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, +[](char*, std::size_t size, std::size_t n, void*) { return size * n; });
    const CURLcode rc = curl_easy_perform(h);
    curl_slist_free_all(headers);
    long status = 0;
    if (rc == CURLE_OK) curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    return status;
}

}  // namespace

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

TEST_CASE("fake gist wrapper: the git host is a third origin named by git_pull_url", "[fake_gist]") {
    FakeGistServer server;
    CHECK(server.git_base() == "http://127.0.0.1:" + std::to_string(server.git_port()));
    CHECK(server.git_port() != server.api_port());
    CHECK(server.git_port() != server.raw_port());
    const std::string id = server.seed_gist({{"files", {{"a.txt", "x"}}}, {"branch", "main"}});
    const auto gist = server.control("GET", "/gists/" + id);  // anonymous read of a gist
    CHECK(gist["git_pull_url"] == server.git_url(id));
    CHECK(gist["git_push_url"] == server.git_url(id));
    CHECK(gist["history"][0]["version"] == server.state()["gists"][id]["history"][0]["version"]);
    CHECK(server.state()["gists"][id]["branch"] == "main");
}

TEST_CASE("fake gist wrapper: hold, wait_held and release order two writers exactly", "[fake_gist]") {
    FakeGistServer server;
    server.add_token("tok-1", "alice");
    const std::string id = server.seed_gist({{"files", {{"a.txt", "base"}}}});
    server.hold("patch", 1, id);
    auto writer_a = std::async(std::launch::async, [&] { return patch_file(server, "tok-1", id, "from A"); });
    REQUIRE(server.wait_held(1, 10s));
    CHECK(server.state()["held"] == 1);
    CHECK(patch_file(server, "tok-1", id, "from B") == 200);  // not held: the hold was used by A
    CHECK(server.state()["gists"][id]["files"]["a.txt"] == "from B");
    CHECK(server.release() == 1);
    CHECK(writer_a.get() == 200);
    const auto gist = server.state()["gists"][id];
    CHECK(gist["files"]["a.txt"] == "from A");  // A applied last: B's update is lost
    CHECK(gist["history"].size() == 3);
    CHECK(server.state()["held"] == 0);
}

TEST_CASE("fake gist wrapper: wait_held answers false when nothing arrives in time", "[fake_gist]") {
    FakeGistServer server;
    server.hold("receive-pack");
    CHECK_FALSE(server.wait_held(1, 50ms));
    CHECK(server.release() == 0);
    CHECK(server.state()["holds_pending"] == 1);
}

TEST_CASE("fake gist wrapper: configure read lag serves the previous state after a write", "[fake_gist]") {
    FakeGistServer server;
    server.add_token("tok-1", "alice");
    const std::string id = server.seed_gist({{"files", {{"a.txt", "old"}}}});
    server.configure({{"read_lag_reads", 1}});
    REQUIRE(patch_file(server, "tok-1", id, "new") == 200);
    CHECK(server.control("GET", "/gists/" + id)["files"]["a.txt"]["content"] == "old");
    CHECK(server.control("GET", "/gists/" + id)["files"]["a.txt"]["content"] == "new");
}
