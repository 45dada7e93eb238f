#include <catch2/catch.hpp>

#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <sstream>

#include "ccu/common/log.hpp"
#include "client_fixture.hpp"

using namespace ccu::gist;
using namespace std::chrono_literals;
using gisttest::ClientFixture;
using gisttest::expect_api_error;
using nlohmann::json;

namespace {

json fault(const std::string& method, const std::string& path_regex, json extra) {
    json f = {{"method", method}, {"path_regex", path_regex}, {"times", 1}};
    f.update(extra);
    return f;
}

}  // namespace

TEST_CASE_METHOD(ClientFixture, "502 then success: retried after a backoff", "[client][faults]") {
    const std::string id = seed({{"a.txt", "A"}});
    fake.add_fault(fault("GET", "^/gists/", {{"action", "status"}, {"status", 502}}));
    CHECK(api()->get_gist(id).files.at("a.txt").content == "A");
    CHECK(requests("GET", "/gists/").size() == 2);
    CHECK(clock.total_slept() == 500ms);  // 1 s backoff, jitter 0 → 0.5 s
}

TEST_CASE_METHOD(ClientFixture, "5xx until attempts run out: Server error after max_attempts", "[client][faults]") {
    const std::string id = seed({{"a.txt", "A"}});
    options.retry.max_attempts = 3;
    fake.add_fault(fault("GET", "^/gists/", {{"action", "status"}, {"status", 503}, {"times", 5}}));
    const auto e = expect_api_error([&] { api()->get_gist(id); });
    CHECK(e.api_kind() == ApiErrorKind::Server);
    CHECK(e.http_status() == 503);
    CHECK(e.kind() == ccu::ErrorKind::Network);
    CHECK(requests("GET", "/gists/").size() == 3);
    CHECK(clock.total_slept() == 500ms + 1000ms);
}

TEST_CASE_METHOD(ClientFixture, "dropped connection, truncated body and a slow reply are retried", "[client][faults]") {
    const std::string id = seed({{"a.txt", "A"}});
    options.total_timeout = 1s;
    fake.add_fault(fault("GET", "^/gists/", {{"action", "drop"}}));
    fake.add_fault(fault("GET", "^/gists/", {{"action", "truncate_body"}}));
    fake.add_fault(fault("GET", "^/gists/", {{"action", "delay"}, {"delay_ms", 2500}}));
    CHECK(api()->get_gist(id).files.at("a.txt").content == "A");
    CHECK(requests("GET", "/gists/").size() == 4);
    CHECK(clock.total_slept() == 500ms + 1000ms + 2000ms);
}

TEST_CASE_METHOD(ClientFixture, "a truncated raw download is retried", "[client][faults]") {
    const std::string id = seed({{"a.txt", std::string(5000, 'r')}});
    auto client = api();
    const std::string url = client->get_gist(id).files.at("a.txt").raw_url;
    fake.add_fault({{"method", "GET"}, {"path_regex", "/raw/"}, {"port", "raw"}, {"action", "truncate_body"}});
    CHECK(client->get_raw(url) == std::string(5000, 'r'));
    CHECK(requests("GET", "/alice/").size() == 2);
}

TEST_CASE_METHOD(ClientFixture, "429 with Retry-After waits exactly that long", "[client][faults]") {
    fake.add_fault(fault("GET", "^/user", {{"status", 429}, {"headers", {{"Retry-After", "7"}}}}));
    CHECK(api()->get_user().login == "alice");
    CHECK(clock.total_slept() == 7s);
}

TEST_CASE_METHOD(ClientFixture, "403 secondary rate limit waits Retry-After, then succeeds", "[client][faults]") {
    fake.add_fault(fault("GET", "^/user", {{"action", "secondary_rate_limit"}, {"headers", {{"Retry-After", "42"}}}}));
    CHECK(api()->get_user().login == "alice");
    CHECK(clock.total_slept() == 42s);
}

TEST_CASE_METHOD(ClientFixture, "403 primary exhaustion with a reset within budget waits, then succeeds",
                 "[client][faults]") {
    const long long reset = epoch_seconds() + 30;
    fake.add_fault(fault("GET", "^/user", {{"status", 403},
                                           {"body", {{"message", "API rate limit exceeded for user ID 1."}}},
                                           {"headers", {{"x-ratelimit-remaining", "0"},
                                                        {"x-ratelimit-reset", std::to_string(reset)}}}}));
    CHECK(api()->get_user().login == "alice");
    CHECK(clock.total_slept() > 30s);
    CHECK(clock.total_slept() <= 31s);
    CHECK(requests("GET", "/user").size() == 2);
}

TEST_CASE_METHOD(ClientFixture, "a reset beyond the budget fails at once with RateLimited and the time",
                 "[client][faults]") {
    const std::string id = seed({{"a.txt", "A"}});
    const long long reset = epoch_seconds() + 3600;
    fake.set_rate_limit({{"remaining", 0}, {"reset", reset}});
    const auto e = expect_api_error([&] { api()->get_gist(id); });
    CHECK(e.api_kind() == ApiErrorKind::RateLimited);
    CHECK(e.kind() == ccu::ErrorKind::Network);
    REQUIRE(e.retry_at());
    const auto at = std::chrono::duration_cast<std::chrono::seconds>(e.retry_at()->time_since_epoch()).count();
    CHECK(at >= reset);
    CHECK(at <= reset + 1);
    CHECK(std::string(e.what()).find("rate limit") != std::string::npos);
    CHECK(clock.total_slept() == 0ms);
    CHECK(requests("GET", "/gists/").size() == 1);
}

TEST_CASE_METHOD(ClientFixture, "401: Auth error with set-token advice, not retried", "[client][faults]") {
    options.token = "ghp_revoked_token_xyz";
    const auto e = expect_api_error([&] { api()->get_user(); });
    CHECK(e.api_kind() == ApiErrorKind::Auth);
    CHECK(e.kind() == ccu::ErrorKind::NotConfigured);
    CHECK(std::string(e.what()).find("GitHub refused the token (401)") != std::string::npos);
    CHECK(e.hint().find("ccu gist set-token") != std::string::npos);
    CHECK(requests().size() == 1);
}

TEST_CASE_METHOD(ClientFixture, "404 gist: names the id and setup, not retried", "[client][faults]") {
    const auto e = expect_api_error([&] { api()->get_gist("deadbeef0000"); });
    CHECK(e.api_kind() == ApiErrorKind::NotFound);
    CHECK(e.kind() == ccu::ErrorKind::NotConfigured);  // exit 3, like a refused token
    CHECK(std::string(e.what()).find("deadbeef0000") != std::string::npos);
    CHECK(e.hint().find("ccu gist setup") != std::string::npos);
    CHECK(requests().size() == 1);
    CHECK(clock.total_slept() == 0ms);
}

TEST_CASE_METHOD(ClientFixture, "422 and 400: Validation with GitHub's message, not retried", "[client][faults]") {
    const std::string id = seed({{"a.txt", "A"}});
    fake.add_fault(fault("PATCH", "^/gists/", {{"status", 422}, {"body", {{"message", "Validation Failed"},
                                                                          {"errors", {{{"message", "bad file"}}}}}}}));
    const auto e = expect_api_error([&] { api()->patch_gist(id, {{"a.txt", FileChange::write("B")}}); });
    CHECK(e.api_kind() == ApiErrorKind::Validation);
    CHECK(e.http_status() == 422);
    CHECK(std::string(e.what()).find("Validation Failed; bad file") != std::string::npos);
    CHECK(requests("PATCH").size() == 1);
}

TEST_CASE_METHOD(ClientFixture, "POST is not retried after a 502 or a dropped connection", "[client][faults]") {
    fake.add_fault(fault("POST", "^/gists$", {{"status", 502}}));
    const auto e = expect_api_error([&] { api()->create_gist("d", {{"a.txt", "A"}}, Visibility::Secret); });
    CHECK(e.api_kind() == ApiErrorKind::Server);
    CHECK(std::string(e.what()).find("may or may not have been created") != std::string::npos);
    CHECK(requests("POST", "/gists").size() == 1);

    fake.add_fault(fault("POST", "^/gists$", {{"action", "drop"}}));
    const auto dropped = expect_api_error([&] { api()->create_gist("d", {{"a.txt", "A"}}, Visibility::Secret); });
    CHECK(dropped.api_kind() == ApiErrorKind::Network);
    CHECK(requests("POST", "/gists").size() == 2);
    CHECK(clock.total_slept() == 0ms);
    CHECK(fake.state()["gists"].empty());
}

TEST_CASE_METHOD(ClientFixture, "POST is retried when the connection was never established", "[client][faults]") {
    options.api_base_url = "http://127.0.0.1:1";  // nothing listens on port 1
    options.retry.max_attempts = 3;
    const auto e = expect_api_error([&] { api()->create_gist("d", {{"a.txt", "A"}}, Visibility::Secret); });
    CHECK(e.api_kind() == ApiErrorKind::Network);
    CHECK(std::string(e.what()).find("127.0.0.1") != std::string::npos);
    CHECK(std::string(e.what()).find("3 attempts") != std::string::npos);
    CHECK(clock.total_slept() == 500ms + 1000ms);
}

TEST_CASE_METHOD(ClientFixture, "a classic token without the gist scope is told so", "[client][faults]") {
    fake.add_token("ghp_repo_only_token", "alice", std::vector<std::string>{"repo"});
    options.token = "ghp_repo_only_token";
    const auto e = expect_api_error([&] { api()->create_gist("d", {{"a.txt", "A"}}, Visibility::Secret); });
    CHECK(e.api_kind() == ApiErrorKind::Auth);
    CHECK(std::string(e.what()).find("token lacks the gist scope") != std::string::npos);
}

TEST_CASE_METHOD(ClientFixture, "responses beyond the size cap are aborted with a clear error", "[client][faults]") {
    const std::string id = seed({{"a.txt", std::string(20000, 'z')}});
    options.max_response_bytes = 4096;
    const auto e = expect_api_error([&] { api()->get_gist(id); });
    CHECK(e.api_kind() == ApiErrorKind::Network);
    CHECK(std::string(e.what()).find("size limit of 4096 bytes") != std::string::npos);
    CHECK(requests("GET", "/gists/").size() == 1);  // not retried
}

TEST_CASE_METHOD(ClientFixture, "raw downloads stop at 10 MB", "[client][faults]") {
    fake.configure({{"raw_limit_bytes", 20 * 1024 * 1024}, {"truncate_bytes", 1024}});
    const std::string id = seed({{"huge.json", std::string(kMaxRawBytes + 1, 'h')}});
    auto client = api();
    const std::string url = client->get_gist(id).files.at("huge.json").raw_url;
    const auto e = expect_api_error([&] { client->get_raw(url); });
    CHECK(std::string(e.what()).find("size limit of 10485760 bytes") != std::string::npos);
}

TEST_CASE_METHOD(ClientFixture, "debug logging (-vv) shows requests but never the token", "[client][log]") {
    ccu::log::register_secret(gisttest::kToken);
    std::ostringstream captured;
    auto previous = spdlog::default_logger();
    auto logger = std::make_shared<spdlog::logger>("capture",
                                                   std::make_shared<spdlog::sinks::ostream_sink_mt>(captured));
    logger->set_level(spdlog::level::debug);
    spdlog::set_default_logger(logger);
    fake.add_fault(fault("GET", "^/user", {{"status", 500}}));
    api()->get_user();
    spdlog::set_default_logger(previous);
    const std::string text = captured.str();
    CHECK(text.find("GET " + fake.api_url() + "/user") != std::string::npos);
    CHECK(text.find("Authorization: [REDACTED]") != std::string::npos);
    CHECK(text.find("retrying") != std::string::npos);
    CHECK(text.find(gisttest::kToken) == std::string::npos);
}
