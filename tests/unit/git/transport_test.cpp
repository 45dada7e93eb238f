// The git mirror's transport rules: retries within the REST budget, TLS always verified, no
// credentials to another origin. The mirror's size: mirror_size_test.cpp.
#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <git2.h>

#include <cerrno>
#include <fstream>
#include <cstring>

#include "ccu/gist/errors.hpp"
#include "git/failures.hpp"
#include "support/fake_gist.hpp"
#include "unit/git/git_fixture.hpp"

using namespace ccu;
using namespace ccu::test;
namespace fs = std::filesystem;

namespace {

const std::string kToken = "ghp_gittransporttoken0123456789abcdef";

}  // namespace

TEST_CASE("git failures: origin_of fills default ports and compares scheme, host and port", "[git]") {
    CHECK(git::origin_of("https://gist.github.com/abc.git") == "https://gist.github.com:443");
    CHECK(git::origin_of("HTTPS://Gist.GitHub.com:443/x") == "https://gist.github.com:443");
    CHECK(git::origin_of("http://127.0.0.1:8080/x.git") == "http://127.0.0.1:8080");
    CHECK(git::origin_of("https://user@host/x") == "https://host:443");
    CHECK(git::origin_of("http://host/x") != git::origin_of("https://host/x"));
    CHECK(git::origin_of("ssh://host/x").empty());
    CHECK(git::origin_of("https://host:99999/x").empty());
}

TEST_CASE("git failures: libgit2 messages become the REST policy's attempt outcomes", "[git]") {
    CHECK(git::attempt_outcome(GIT_ERROR_HTTP, "unexpected http status code: 502", false).status == 502);
    CHECK(git::attempt_outcome(GIT_ERROR_NET, "failed to connect to 127.0.0.1: Connection refused", false).failure ==
          gist::TransportFailure::NotConnected);
    CHECK(git::attempt_outcome(GIT_ERROR_NET, "error receiving socket data: Connection reset by peer", false).failure ==
          gist::TransportFailure::Interrupted);
    CHECK(git::attempt_outcome(GIT_ERROR_SSL, "the SSL certificate is invalid", false).failure ==
          gist::TransportFailure::Fatal);
    CHECK(git::attempt_outcome(GIT_ERROR_NET, "anything", true).failure == gist::TransportFailure::Timeout);
    CHECK(git::attempt_outcome(GIT_ERROR_NET, "the git server timed out: nothing received for 60 s", false).failure ==
          gist::TransportFailure::Timeout);
    CHECK(git::attempt_outcome(GIT_ERROR_HTTP, "server requires authentication that we do not support", false)
              .status == 401);
    CHECK(git::attempt_outcome(GIT_ERROR_HTTP, "unexpected authentication failure", false).status == 401);
    CHECK(git::is_local_damage(GIT_ERROR_ODB));
    CHECK_FALSE(git::is_local_damage(GIT_ERROR_NET));
}

TEST_CASE("git mirror: 5xx and 429 answers are retried with the REST backoff and then succeed", "[git]") {
    Sandbox sandbox;
    FakeGistServer fake;
    fake.add_token(kToken);
    const std::string id = fake.seed_gist({{"files", {{"a.json", "1"}}}});
    ManualClock clock(std::chrono::system_clock::from_time_t(1767225600));
    CountingToken token{kToken};
    const int status = GENERATE(502, 503, 429);
    const std::string route = GENERATE(std::string("info/refs"), std::string("git-upload-pack"));
    fake.add_fault({{"method", "*"}, {"path_regex", route}, {"times", 2}, {"action", "status"}, {"status", status},
                    {"port", "git"}});
    git::Mirror m(mirror_options(sandbox.data_dir() / "m.git", fake.git_url(id), token.source(), clock));
    const git::Head head = m.fetch().head;
    CHECK(head.commit == fake.state()["gists"][id]["history"][0]["version"]);
    CHECK(m.read_blob(head.find("a.json")->blob_id) == "1");
    CHECK(m.stats().connections == 3);
    // Two waits of the REST policy's backoff (base 1 s, factor 2, jitter 0.5 -> 0.75 s then 1.5 s).
    CHECK(clock.total_slept() == gist::backoff_delay(1, 0.5) + gist::backoff_delay(2, 0.5));
}

TEST_CASE("git mirror: a 403 is retried like a secondary rate limit, one that persists is the scope error (exit 3)",
          "[git]") {
    Sandbox sandbox;
    FakeGistServer fake;
    fake.add_token(kToken);
    const std::string id = fake.seed_gist({{"files", {{"a.json", "1"}}}});
    ManualClock clock(std::chrono::system_clock::from_time_t(1767225600));
    CountingToken token{kToken};
    const int times = GENERATE(3, 100);
    fake.add_fault({{"method", "GET"}, {"path_regex", "info/refs"}, {"times", times}, {"action", "secondary_rate_limit"},
                    {"port", "git"}});
    git::Mirror m(mirror_options(sandbox.data_dir() / "m.git", fake.git_url(id), token.source(), clock));
    if (times == 3) {
        CHECK(m.fetch().head.find("a.json") != nullptr);
        CHECK(m.stats().connections == 4);
        CHECK(clock.total_slept() ==
              gist::backoff_delay(1, 0.5) + gist::backoff_delay(2, 0.5) + gist::backoff_delay(3, 0.5));
    } else {
        try {
            m.fetch();
            FAIL("a 403 on every attempt succeeded");
        } catch (const gist::ApiError& e) {
            CHECK(exit_code_for(e.kind()) == 3);
            CHECK(std::string(e.what()).find("(403)") != std::string::npos);
        }
        CHECK(m.stats().connections == gist::RetryLimits{}.max_attempts);
    }
}

TEST_CASE("git failures: a full disk, a quota or the file size limit is told apart from the network", "[git]") {
    CHECK(git::is_disk_full(std::string("failed to write pack: ") + std::strerror(ENOSPC)));
    CHECK(git::is_disk_full(std::string("cannot append to file: ") + std::strerror(EFBIG)));
    CHECK(git::is_disk_full(std::string("write error: ") + std::strerror(EDQUOT)));
    CHECK_FALSE(git::is_disk_full("error receiving socket data: Connection reset by peer"));
    const Error e = git::mirror_disk_full_error("/data/mirror/abc.git", "x: File too large");
    CHECK(exit_code_for(e.kind()) == 1);
    CHECK(std::string(e.what()).find("/data/mirror/abc.git") != std::string::npos);
    CHECK(e.hint().find("free disk space") != std::string::npos);
}

TEST_CASE("git mirror: a server that stays down fails with a network error once the retry budget is spent",
          "[git]") {
    Sandbox sandbox;
    ManualClock clock(std::chrono::system_clock::from_time_t(1767225600));
    CountingToken token{kToken};
    auto options = mirror_options(sandbox.data_dir() / "m.git", "http://127.0.0.1:9/none.git", token.source(), clock);
    options.retry.max_attempts = 3;
    git::Mirror m(options);
    try {
        m.fetch();
        FAIL("fetch from a closed port succeeded");
    } catch (const gist::ApiError& e) {
        CHECK(e.kind() == ErrorKind::Network);
        CHECK(std::string(e.what()).find("3 attempts") != std::string::npos);
    }
    CHECK(m.stats().connections == 3);
    CHECK(clock.total_slept() == gist::backoff_delay(1, 0.5) + gist::backoff_delay(2, 0.5));
    CHECK(*token.calls == 0);
}

TEST_CASE("git mirror: a self-signed HTTPS server is refused before any credential is sent", "[git]") {
    Sandbox sandbox;
    const fs::path cert = sandbox.root() / "cert.pem";
    const fs::path key = sandbox.root() / "key.pem";
    const auto made = run_process({"/usr/bin/openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                                   "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost", "-keyout",
                                   key.string(), "-out", cert.string()},
                                  {{"PATH", "/usr/bin:/bin"}, {"HOME", sandbox.home().string()}});
    REQUIRE(made.exit_code == 0);
    GitHttpServer server(kToken, sandbox.root() / "server", std::make_pair(cert.string(), key.string()));
    server.create_repo("g1", "main", {{"a.json", "1"}});
    REQUIRE(server.url("g1").rfind("https://", 0) == 0);
    ManualClock clock(std::chrono::system_clock::from_time_t(1767225600));
    CountingToken token{kToken};
    git::Mirror m(mirror_options(sandbox.data_dir() / "m.git", server.url("g1"), token.source(), clock));
    try {
        m.fetch();
        FAIL("a self-signed certificate was accepted");
    } catch (const gist::ApiError& e) {
        CHECK(e.kind() == ErrorKind::Network);
        CHECK(std::string(e.what()).find("certificate") != std::string::npos);
    }
    CHECK(*token.calls == 0);
    CHECK(m.stats().connections == 1);  // TLS failures are not retried
    std::ifstream log(server.root() / "requests.log");
    CHECK(std::string((std::istreambuf_iterator<char>(log)), std::istreambuf_iterator<char>()).empty());
    SECTION("the same server with its certificate trusted (test code only) is accepted: verification refused it") {
        REQUIRE(git_libgit2_opts(GIT_OPT_SET_SSL_CERT_LOCATIONS, cert.c_str(), nullptr) == 0);
        git::Mirror trusted(mirror_options(sandbox.data_dir() / "t.git", server.url("g1"), token.source(), clock));
        CHECK(trusted.fetch().head.commit == server.head("g1", "main"));
        CHECK(*token.calls == 1);
    }
}

TEST_CASE("git mirror: a server that accepts the connection and never answers times out and is retried",
          "[git]") {
    // A listening socket nobody serves: the kernel completes the handshake, no byte ever comes back.
    const int listener = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    REQUIRE(listen(listener, 8) == 0);
    socklen_t len = sizeof addr;
    getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len);
    const std::string url = "http://127.0.0.1:" + std::to_string(ntohs(addr.sin_port)) + "/silent.git";
    Sandbox sandbox;
    ManualClock clock(std::chrono::system_clock::from_time_t(1767225600));
    CountingToken token{kToken};
    auto options = mirror_options(sandbox.data_dir() / "m.git", url, token.source(), clock);
    options.stall_timeout = std::chrono::milliseconds(300);
    options.retry.max_attempts = 2;
    git::Mirror m(options);
    const auto started = std::chrono::steady_clock::now();
    try {
        m.fetch();
        FAIL("fetch from a silent server succeeded");
    } catch (const gist::ApiError& e) {
        CHECK(e.kind() == ErrorKind::Network);
        CHECK(std::string(e.what()).find("timed out") != std::string::npos);
    }
    const auto took = std::chrono::steady_clock::now() - started;
    close(listener);
    CHECK(m.stats().connections == 2);  // a timeout is retried like REST's
    CHECK(took >= std::chrono::milliseconds(600));
    CHECK(took < std::chrono::seconds(10));
    CHECK(*token.calls == 0);
}

TEST_CASE("git mirror: a redirect to another origin gets no credentials", "[git]") {
    Sandbox sandbox;
    GitHttpServer origin(kToken, sandbox.root() / "origin");
    GitHttpServer elsewhere(kToken, sandbox.root() / "elsewhere");  // same token: it would accept it
    elsewhere.create_repo("g1", "main", {{"a.json", "1"}});
    const std::string other = elsewhere.url("g1");
    std::ofstream(origin.root() / "redirect-to") << other.substr(0, other.find("/g1.git"));
    ManualClock clock(std::chrono::system_clock::from_time_t(1767225600));
    CountingToken token{kToken};
    git::Mirror m(mirror_options(sandbox.data_dir() / "m.git", origin.url("g1"), token.source(), clock));
    try {
        m.fetch();
        FAIL("fetch through a cross-origin redirect succeeded");
    } catch (const gist::ApiError& e) {
        CHECK(std::string(e.what()).find("ccu sends the token only to " + git::origin_of(origin.url("g1"))) !=
              std::string::npos);
    }
    CHECK(*token.calls == 0);
    std::ifstream log(elsewhere.root() / "requests.log");
    std::string line, lines;
    while (std::getline(log, line)) {
        lines += line + "\n";
        CHECK(line.substr(line.size() - 2) == " 0");  // no request reached it with credentials
    }
    CHECK_FALSE(lines.empty());  // the redirect was followed, without the token
}
