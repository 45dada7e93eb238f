// The git mirror's transport rules: retries within the REST budget, TLS always verified, and the
// bounded size of the mirror.
#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <git2.h>

#include <cerrno>
#include <fstream>
#include <sstream>
#include <cstring>

#include "ccu/gist/errors.hpp"
#include "git/failures.hpp"
#include "git/pack_join.hpp"
#include "support/fake_gist.hpp"
#include "unit/git/git_fixture.hpp"

using namespace ccu;
using namespace ccu::test;
namespace fs = std::filesystem;

namespace {

const std::string kToken = "ghp_gittransporttoken0123456789abcdef";

int count_with_extension(const fs::path& dir, const std::string& ext) {
    int n = 0;
    for (const auto& f : fs::recursive_directory_iterator(dir)) n += f.path().extension() == ext ? 1 : 0;
    return n;
}

// The "own <stem>" lines of <mirror>/ccu-mirror-packs that name a pack on disk: this mirror's
// commit packs not yet repacked with a delta search (src/git/maintain.cpp).
int own_pack_count(const fs::path& mirror) {
    std::ifstream in(mirror / "ccu-mirror-packs");
    int n = 0;
    for (std::string kind, rest; in >> kind && std::getline(in, rest);) {
        const std::string stem = rest.empty() ? rest : rest.substr(1);
        n += kind == "own" && fs::exists(mirror / "objects" / "pack" / (stem + ".pack")) ? 1 : 0;
    }
    return n;
}

int loose_objects(const fs::path& mirror) {
    int n = 0;
    for (const auto& d : fs::directory_iterator(mirror / "objects")) {
        if (d.path().filename().string().size() == 2) {
            for (const auto& f : fs::directory_iterator(d.path())) n += f.is_regular_file() ? 1 : 0;
        }
    }
    return n;
}

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

TEST_CASE("git mirror: repacking keeps the mirror to a few packs, no loose objects, and drops lost commits",
          "[git]") {
    Sandbox sandbox;
    GitHttpServer server(kToken, sandbox.root() / "server");
    server.create_repo("g1", "main", {{"a.json", "0"}});
    ManualClock clock(std::chrono::system_clock::from_time_t(1767225600));
    CountingToken token{kToken};
    const fs::path dir = sandbox.data_dir() / "m.git";
    auto options = mirror_options(dir, server.url("g1"), token.source(), clock);
    options.max_packs = 3;
    git::Mirror m(options);
    git::Mirror other(mirror_options(sandbox.data_dir() / "other.git", server.url("g1"), token.source(), clock));
    git::Head head = m.fetch().head;
    const git::Head stale = head;
    std::string lost;
    for (int i = 1; i <= 12; ++i) {
        clock.advance(std::chrono::minutes(30));
        const auto out = m.commit(head, {{"a.json", std::to_string(i) + std::string(2000, 'x')}}, "push");
        REQUIRE(out.kind == git::PushOutcome::Kind::Committed);
        // Another writer's push, which this mirror then fetches (a pack per fetch).
        const auto theirs = other.commit(other.fetch().head, {{"o.json", std::to_string(i)}}, "other");
        REQUIRE(theirs.kind == git::PushOutcome::Kind::Committed);
        head = m.fetch().head;
        // At most max_packs own packs not yet repacked, and the others joined geometrically: 36
        // packs were written (a commit, a fetch, a repack a round), a handful stay.
        CHECK(own_pack_count(dir) <= 3);
        CHECK(count_with_extension(dir / "objects" / "pack", ".pack") - own_pack_count(dir) <= 9);
        CHECK(loose_objects(dir) == 0);
    }
    const auto refused = m.commit(stale, {{"a.json", std::string("lost")}}, "lost");
    REQUIRE(refused.kind == git::PushOutcome::Kind::Conflict);
    // The refused commit is unreachable; the next repacks drop it.
    for (int i = 0; i < 4; ++i) {
        head = m.fetch().head;
        m.commit(head, {{"a.json", "again" + std::to_string(i)}}, "again");
    }
    git_repository* repo = nullptr;
    REQUIRE(git_repository_open_bare(&repo, dir.c_str()) == 0);
    git_odb* odb = nullptr;
    git_repository_odb(&odb, repo);
    std::vector<git_oid> blobs;
    git_odb_foreach(
        odb,
        [](const git_oid* id, void* payload) {
            static_cast<std::vector<git_oid>*>(payload)->push_back(*id);
            return 0;
        },
        &blobs);
    int lost_blobs = 0;
    for (const auto& id : blobs) {
        git_blob* b = nullptr;
        if (git_blob_lookup(&b, repo, &id) == 0) {
            lost_blobs += std::string(static_cast<const char*>(git_blob_rawcontent(b)), git_blob_rawsize(b)) == "lost";
            git_blob_free(b);
        }
    }
    git_odb_free(odb);
    git_repository_free(repo);
    CHECK(lost_blobs == 0);
    CHECK(blobs.size() > 20);  // history is kept (fetch negotiation walks it)
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

namespace {

std::string slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return std::move(s).str();
}

// The stored bytes of object `id` in the mirror's packs ("" when no pack holds it), and the pack.
std::pair<std::string, std::string> stored_entry(const fs::path& mirror, const std::string& id) {
    git_oid oid{};
    git_oid_fromstr(&oid, id.c_str());
    for (const auto& f : fs::directory_iterator(mirror / "objects" / "pack")) {
        if (f.path().extension() != ".idx") continue;
        const auto index = git::parse_pack_index(slurp(f.path()));
        for (std::size_t i = 0; i < index.size(); ++i) {
            if (std::memcmp(index[i].id.data(), oid.id, 20) != 0) continue;
            const std::string pack = slurp(fs::path(f.path()).replace_extension(".pack"));
            const std::uint64_t end = i + 1 < index.size() ? index[i + 1].offset : pack.size() - 20;
            return {pack.substr(index[i].offset, end - index[i].offset), f.path().stem().string()};
        }
    }
    return {};
}

}  // namespace

TEST_CASE("git mirror: a year of pushes keeps logarithmically many packs, each readable (joins, not re-packs)",
          "[git]") {
    // libgit2's local transport (file://) runs the same fetch, push and repack code without HTTP.
    Sandbox sandbox;
    const fs::path remote = sandbox.root() / "remote.git";
    git_cli(remote, {"init", "-q", "--bare", remote.string()});
    ManualClock clock(std::chrono::system_clock::from_time_t(1767225600));
    CountingToken token{kToken};
    const fs::path dir = sandbox.data_dir() / "m.git";
    auto options = mirror_options(dir, "file://" + remote.string(), token.source(), clock);
    options.max_packs = 2;
    git::Mirror m(options);
    git::Head head = m.fetch().head;
    std::string records;
    int most_packs = 0;
    const int pushes = 240;
    for (int i = 1; i <= pushes; ++i) {
        clock.advance(std::chrono::minutes(30));
        records += "{\"n\":" + std::to_string(i) + ",\"model\":\"claude\",\"tokens\":" + std::to_string(i * 7919 % 10007) + "}\n";
        const auto out = m.commit(head, {{"cur.json", records}, {"manifest.json", "{\"n\":" + std::to_string(i) + "}"}},
                                  "push");
        REQUIRE(out.kind == git::PushOutcome::Kind::Committed);
        head.commit = out.commit;
        most_packs = std::max(most_packs, count_with_extension(dir / "objects" / "pack", ".pack"));
    }
    // 240 commit packs and 120 level-1 repacks were written; without joins about 120 would stay.
    INFO("most packs at once " << most_packs);
    CHECK(most_packs <= 2 + 12);
    // Every object of the history is there and intact (git checks each hash and delta).
    git_cli(dir, {"fsck", "--full", "--strict", "--no-dangling"});
    CHECK(git_cli(dir, {"rev-list", "--count", head.commit}) == std::to_string(pushes));
    CHECK(git_cli(dir, {"show", head.commit + ":cur.json"}) + "\n" == records);
    // Deltas between the versions of cur.json survive the joins: the mirror stays near what git
    // itself packs the same history into.
    git_cli(remote, {"repack", "-adq"});
    std::uint64_t remote_bytes = 0;
    for (const auto& f : fs::directory_iterator(remote / "objects" / "pack")) {
        if (f.path().extension() == ".pack") remote_bytes += fs::file_size(f.path());
    }
    INFO("mirror " << m.disk_bytes() << " bytes, the remote repacked by git " << remote_bytes);
    CHECK(m.disk_bytes() <= 4 * remote_bytes + 64 * 1024);
    CHECK(*token.calls == 0);  // no credentials over the local transport
}

TEST_CASE("git mirror: what a fetch brought is kept as the server compressed it (no delta search again)",
          "[git]") {
    Sandbox sandbox;
    GitHttpServer server(kToken, sandbox.root() / "server");
    const fs::path served = server.create_repo("g1", "main", {{"a.json", "0"}});
    // The server compresses at level 1, libgit2 at its default: a re-packed object changes bytes.
    git_cli(served, {"config", "pack.compression", "1"});
    git_cli(served, {"config", "core.compression", "1"});
    ManualClock clock(std::chrono::system_clock::from_time_t(1767225600));
    CountingToken token{kToken};
    const fs::path dir = sandbox.data_dir() / "m.git";
    auto options = mirror_options(dir, server.url("g1"), token.source(), clock);
    options.max_packs = 1;
    git::Mirror m(options);
    git::Mirror other(mirror_options(sandbox.data_dir() / "other.git", server.url("g1"), token.source(), clock));
    // Another machine's large folded part: record text, different every time.
    std::string part;
    for (int i = 0; i < 1500; ++i) part += "{\"id\":\"r" + std::to_string(i * 104729 % 99991) + "\",\"tokens\":" + std::to_string(i * 31) + "}\n";
    REQUIRE(other.commit(other.fetch().head, {{"o_part.json", part}}, "fold").kind == git::PushOutcome::Kind::Committed);
    git::Head head = m.fetch().head;
    const std::string part_id = git_cli(served, {"rev-parse", head.commit + ":o_part.json"});
    const auto [as_fetched, fetched_pack] = stored_entry(dir, part_id);
    REQUIRE_FALSE(as_fetched.empty());
    for (int i = 1; i <= 20; ++i) {  // commits, fetches, level-1 repacks and joins
        clock.advance(std::chrono::minutes(30));
        const auto out = m.commit(head, {{"a.json", std::to_string(i) + std::string(500, 'x')}}, "push");
        REQUIRE(out.kind == git::PushOutcome::Kind::Committed);
        std::string theirs;  // enough new bytes that later joins take the part's pack in
        for (int j = 0; j < 400; ++j) theirs += std::to_string((i * 400 + j) * 7919 % 100003) + ",";
        REQUIRE(other.commit(other.fetch().head, {{"o.json", theirs}}, "other").kind == git::PushOutcome::Kind::Committed);
        head = m.fetch().head;
    }
    const auto [now, pack] = stored_entry(dir, part_id);
    CHECK(pack != fetched_pack);  // the fetched pack was joined into another
    CHECK(now.size() == as_fetched.size());
    CHECK((now == as_fetched));  // byte for byte (not expanded: binary): neither inflated to be compressed again nor delta-searched
    CHECK(git_cli(dir, {"cat-file", "-p", part_id}) + "\n" == part);
}

TEST_CASE("git mirror: a mirror of an earlier ccu (generations in ccu-packs) is taken over and stays intact",
          "[git]") {
    Sandbox sandbox;
    const fs::path remote = sandbox.root() / "remote.git";
    git_cli(remote, {"init", "-q", "--bare", remote.string()});
    ManualClock clock(std::chrono::system_clock::from_time_t(1767225600));
    CountingToken token{kToken};
    const fs::path dir = sandbox.data_dir() / "m.git";
    auto options = mirror_options(dir, "file://" + remote.string(), token.source(), clock);
    options.max_packs = 2;
    git::Head head;
    {
        git::Mirror m(options);
        head = m.fetch().head;
        for (int i = 1; i <= 5; ++i) {
            head.commit = m.commit(head, {{"cur.json", std::to_string(i) + std::string(900, 'y')}}, "push").commit;
        }
    }
    // What an earlier ccu left: its generations file (a pack and the commit it was made from), no
    // state of the two levels, and its single base pack marker.
    git_cli(dir, {"repack", "-adq"});
    const std::string old_pack = [&] {
        for (const auto& f : fs::directory_iterator(dir / "objects" / "pack")) {
            if (f.path().extension() == ".pack") return f.path().stem().string();
        }
        return std::string();
    }();
    REQUIRE_FALSE(old_pack.empty());
    fs::remove(dir / "ccu-mirror-packs");
    std::ofstream(dir / "ccu-packs") << old_pack << ' ' << head.commit << '\n';
    std::ofstream(dir / "ccu-base-pack") << "x\n";
    git::Mirror m(options);
    for (int i = 6; i <= 12; ++i) {
        clock.advance(std::chrono::minutes(30));
        const auto out = m.commit(head, {{"cur.json", std::to_string(i) + std::string(900, 'y')}}, "push");
        REQUIRE(out.kind == git::PushOutcome::Kind::Committed);
        head.commit = out.commit;
    }
    CHECK_FALSE(fs::exists(dir / "ccu-packs"));  // replaced by the two levels' state
    CHECK_FALSE(fs::exists(dir / "ccu-base-pack"));
    CHECK(fs::exists(dir / "ccu-mirror-packs"));
    CHECK(own_pack_count(dir) <= 2);
    git_cli(dir, {"fsck", "--full", "--strict", "--no-dangling"});
    CHECK(git_cli(dir, {"rev-list", "--count", head.commit}) == "12");
    CHECK(git_cli(dir, {"show", head.commit + ":cur.json"}) == "12" + std::string(900, 'y'));
}
