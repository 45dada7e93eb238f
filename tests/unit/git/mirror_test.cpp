// The git mirror against a real smart-HTTP server (git http-backend): fetch, in-memory commit,
// push without force, and the compare-and-swap when two writers race.
#include <catch2/catch.hpp>

#include "ccu/gist/errors.hpp"
#include "support/fake_gist.hpp"
#include "unit/git/git_fixture.hpp"

#include <thread>

// Against the fake Gist server's git host (tests/fake_gist/README.md), as a gist on GitHub.
using namespace ccu;
using namespace ccu::test;
namespace fs = std::filesystem;

namespace {

const std::string kToken = "ghp_gitmirrortesttoken0123456789abcdef";

struct World {
    Sandbox sandbox;
    FakeGistServer fake;
    ManualClock clock{std::chrono::system_clock::from_time_t(1767225600)};  // 2026-01-01
    CountingToken token{kToken};

    World() { fake.add_token(kToken); }

    std::string seed(const std::map<std::string, std::string>& files, const std::string& branch = "main") {
        return fake.seed_gist({{"files", files}, {"branch", branch}});
    }
    nlohmann::json gist(const std::string& id) { return fake.state()["gists"][id]; }
    std::string head(const std::string& id) { return gist(id)["history"][0]["version"].get<std::string>(); }
    std::string file(const std::string& id, const std::string& name) {
        return gist(id)["files"][name].get<std::string>();
    }
    fs::path repo(const std::string& id) { return gist(id)["repo"].get<std::string>(); }
    std::string names(const std::string& id) {
        std::string out;
        const nlohmann::json files = gist(id)["files"];  // a named value: items() must not outlive it
        for (const auto& [name, content] : files.items()) out += (out.empty() ? "" : " ") + name;
        return out;
    }

    git::Mirror mirror(const std::string& name, const std::string& id) {
        return git::Mirror(mirror_options(sandbox.data_dir() / "mirror" / (name + ".git"), fake.git_url(id),
                                          token.source(), clock));
    }
};

}  // namespace

TEST_CASE("git mirror: fetch lists the remote head's files and reads their content", "[git]") {
    World w;
    const std::string id = w.seed({{"a.json", "{\"a\":1}"}, {"manifest.json", "{}"}});
    auto m = w.mirror("m", id);
    const git::FetchResult r = m.fetch();
    REQUIRE_FALSE(r.unchanged);
    CHECK(r.head.branch == "main");
    CHECK(r.head.commit == w.head(id));
    CHECK(r.head.committed_at.rfind("20", 0) == 0);
    CHECK(r.head.committed_at.back() == 'Z');
    REQUIRE(r.head.files.size() == 2);
    CHECK(r.head.files[0].name == "a.json");
    CHECK(r.head.files[0].size == 7);
    CHECK(r.head.files[0].blob_id == git_cli(w.repo(id), {"rev-parse", "main:a.json"}));
    CHECK(m.read_blob(r.head.files[0].blob_id) == "{\"a\":1}");
    SECTION("a second fetch with the head as known answers unchanged after one anonymous ref advertisement") {
        w.fake.control("DELETE", "/_fake/requests");
        CHECK(m.fetch(r.head.commit).unchanged);
        const auto requests = w.fake.requests();
        REQUIRE(requests.size() == 1);
        CHECK(requests[0]["port"] == w.fake.git_port());
        CHECK(requests[0]["status"] == 200);
        CHECK_FALSE(requests[0]["headers"].contains("authorization"));
        CHECK(*w.token.calls == 0);  // a gist's fetch needs no credentials (GitHub serves it so)
    }
}

TEST_CASE("git mirror: commit and push lands on the remote branch and another mirror reads it", "[git]") {
    World w;
    const std::string id = w.seed({{"a.json", "1"}, {"old.json", "x"}});
    auto m = w.mirror("m", id);
    const git::Head base = m.fetch().head;
    const git::PushOutcome out =
        m.commit(base, {{"a.json", std::string("2")}, {"b.json", std::string("new")}, {"old.json", std::nullopt}},
                 "ccu push");
    REQUIRE(out.kind == git::PushOutcome::Kind::Committed);
    CHECK(out.commit == w.head(id));
    CHECK(out.commit != base.commit);
    CHECK(w.file(id, "a.json") == "2");
    CHECK(w.file(id, "b.json") == "new");
    CHECK(w.names(id) == "a.json b.json");
    CHECK(git_cli(w.repo(id), {"log", "-1", "--format=%an %P", "main"}) == "test-machine " + base.commit);
    auto other = w.mirror("other", id);
    const git::Head seen = other.fetch().head;
    CHECK(seen.commit == out.commit);
    CHECK(other.read_blob(seen.find("b.json")->blob_id) == "new");
}

TEST_CASE("git mirror: a held-only fetch of a head the mirror lacks fetches nothing and moves no ref", "[git]") {
    World w;
    const std::string id = w.seed({{"a.json", "1"}});
    auto m = w.mirror("m", id);
    auto other = w.mirror("other", id);
    const git::Head seen = m.fetch().head;
    const git::Head base = other.fetch().head;
    const git::PushOutcome out = other.commit(base, {{"a.json", std::string("2")}}, "ccu push");
    REQUIRE(out.kind == git::PushOutcome::Kind::Committed);
    const std::uint64_t received = m.stats().bytes_down;
    const git::FetchResult held = m.fetch(seen.commit, git::FetchDepth::HeldOnly);
    CHECK_FALSE(held.unchanged);
    CHECK(held.not_held);
    CHECK(held.head.commit == out.commit);
    CHECK(held.head.files.empty());
    CHECK(m.stats().bytes_down == received);
    const fs::path dir = w.sandbox.data_dir() / "mirror" / "m.git";
    CHECK(git_cli(dir, {"rev-parse", "refs/remotes/origin/main"}) == seen.commit);  // no ref names a missing commit
    SECTION("a full fetch then reads the new head") {
        const git::FetchResult full = m.fetch(seen.commit);
        CHECK_FALSE(full.not_held);
        CHECK(full.head.commit == out.commit);
        CHECK(m.read_blob(full.head.find("a.json")->blob_id) == "2");
        CHECK(m.fetch(seen.commit, git::FetchDepth::HeldOnly).head.commit == out.commit);  // held now: listed
    }
}

TEST_CASE("git mirror: the branch is the remote HEAD's, master as well as main", "[git]") {
    World w;
    const std::string branch = GENERATE(std::string("master"), std::string("main"));
    const std::string id = w.seed({{"a.json", "1"}}, branch);
    auto m = w.mirror("m", id);
    const git::Head base = m.fetch().head;
    CHECK(base.branch == branch);
    const auto out = m.commit(base, {{"a.json", std::string("2")}}, "push");
    REQUIRE(out.kind == git::PushOutcome::Kind::Committed);
    CHECK(git_cli(w.repo(id), {"rev-parse", "refs/heads/" + branch}) == out.commit);
    CHECK(git_cli(w.repo(id), {"branch", "--format=%(refname:short)"}) == branch);
}

TEST_CASE("git mirror: an empty remote is a valid head and the first commit creates its branch", "[git]") {
    // A gist always has a file; an empty repository (git http-backend, no fake gist) proves the case.
    Sandbox sandbox;
    GitHttpServer server(kToken, sandbox.root() / "server");
    server.create_repo("g1", "main");
    ManualClock clock(std::chrono::system_clock::from_time_t(1767225600));
    CountingToken token{kToken};
    git::Mirror m(mirror_options(sandbox.data_dir() / "m.git", server.url("g1"), token.source(), clock));
    const git::Head base = m.fetch().head;
    CHECK(base.commit.empty());
    CHECK(base.files.empty());
    const auto out = m.commit(base, {{"manifest.json", std::string("{}")}}, "first");
    REQUIRE(out.kind == git::PushOutcome::Kind::Committed);
    CHECK(server.head("g1", "main") == out.commit);
}

TEST_CASE("git mirror: of two writers on one base the second is refused as a conflict and overwrites nothing",
          "[git]") {
    World w;
    const std::string id = w.seed({{"a.json", "base"}});
    auto a = w.mirror("a", id);
    auto b = w.mirror("b", id);
    const git::Head base_a = a.fetch().head;
    const git::Head base_b = b.fetch().head;
    const auto won = a.commit(base_a, {{"a.json", std::string("from a")}}, "a");
    REQUIRE(won.kind == git::PushOutcome::Kind::Committed);
    const auto lost = b.commit(base_b, {{"b.json", std::string("from b")}}, "b");
    CHECK(lost.kind == git::PushOutcome::Kind::Conflict);
    CHECK(lost.commit == won.commit);
    CHECK(w.head(id) == won.commit);
    CHECK(w.file(id, "a.json") == "from a");
    SECTION("the loser refetches, rebuilds on the new head and lands with both writes") {
        const git::Head fresh = b.fetch().head;
        CHECK(fresh.commit == won.commit);
        const auto landed = b.commit(fresh, {{"b.json", std::string("from b")}}, "b again");
        REQUIRE(landed.kind == git::PushOutcome::Kind::Committed);
        CHECK(w.file(id, "a.json") == "from a");
        CHECK(w.file(id, "b.json") == "from b");
    }
}

TEST_CASE("git mirror: a race lost inside the server (held push, another lands first) is a conflict", "[git]") {
    World w;
    const std::string id = w.seed({{"a.json", "base"}});
    auto a = w.mirror("a", id);
    auto b = w.mirror("b", id);
    const git::Head base_a = a.fetch().head;
    const git::Head base_b = b.fetch().head;
    w.fake.hold("receive-pack", 1, id);
    git::PushOutcome held;
    std::thread pusher([&] { held = a.commit(base_a, {{"a.json", std::string("mine")}}, "mine"); });
    const bool is_held = w.fake.wait_held(1);
    const auto other = b.commit(base_b, {{"a.json", std::string("other")}}, "other");
    w.fake.release();
    pusher.join();
    REQUIRE(is_held);
    REQUIRE(other.kind == git::PushOutcome::Kind::Committed);
    CHECK(held.kind == git::PushOutcome::Kind::Conflict);
    CHECK(w.head(id) == other.commit);
    CHECK(w.file(id, "a.json") == "other");
}

TEST_CASE("git mirror: a refused token is an auth error after one credential callback", "[git]") {
    World w;
    const std::string id = w.seed({{"a.json", "1"}});
    CountingToken wrong{"ghp_wrongwrongwrongwrong"};
    git::Mirror m(mirror_options(w.sandbox.data_dir() / "m.git", w.fake.git_url(id), wrong.source(), w.clock));
    const bool anonymous_fetch = GENERATE(true, false);  // GitHub's gists / a host that wants a token for reads
    w.fake.control("POST", "/_fake/config", {{"git_anonymous_fetch", anonymous_fetch ? 1 : 0}});
    try {
        if (anonymous_fetch) {
            const git::Head head = m.fetch().head;
            CHECK(*wrong.calls == 0);
            m.commit(head, {{"b.json", std::string("2")}}, "push");
        } else {
            m.fetch();
        }
        FAIL("a wrong token was accepted");
    } catch (const gist::ApiError& e) {
        CHECK(e.kind() == ErrorKind::NotConfigured);
        CHECK(e.api_kind() == gist::ApiErrorKind::Auth);
        CHECK(e.hint() == gist::token_refused_error().hint());
        CHECK(std::string(e.what()).find(wrong.token) == std::string::npos);
    }
    CHECK(*wrong.calls == 1);
    CHECK(w.clock.total_slept().count() == 0);
}

TEST_CASE("git mirror: a deleted or damaged mirror is rebuilt from the remote", "[git]") {
    World w;
    const std::string id = w.seed({{"a.json", std::string(5000, 'a')}});
    const fs::path dir = w.sandbox.data_dir() / "mirror" / "m.git";
    git::Mirror m(mirror_options(dir, w.fake.git_url(id), w.token.source(), w.clock));
    const git::Head first = m.fetch().head;
    // A second commit so that later fetches negotiate against (damaged) local history.
    REQUIRE(m.commit(first, {{"b.json", std::string("b")}}, "b").kind == git::PushOutcome::Kind::Committed);
    const std::string head = w.head(id);
    auto refetch_matches = [&] {
        git::Mirror again(mirror_options(dir, w.fake.git_url(id), w.token.source(), w.clock));
        const git::Head h = again.fetch().head;
        CHECK(h.commit == head);
        REQUIRE(h.find("a.json") != nullptr);
        CHECK(again.read_blob(h.find("a.json")->blob_id) == std::string(5000, 'a'));
        CHECK(again.commit(h, {{"c.json", std::string("c")}}, "c").kind == git::PushOutcome::Kind::Committed);
        CHECK(w.file(id, "c.json") == "c");
    };
    SECTION("deleted") {
        fs::remove_all(dir);
        refetch_matches();
    }
    SECTION("a ref file garbled") {
        std::ofstream(dir / "refs" / "remotes" / "origin" / "main", std::ios::trunc) << "garbage\n";
        refetch_matches();
    }
    SECTION("every pack truncated to half") {
        int damaged = 0;
        for (const auto& f : fs::recursive_directory_iterator(dir / "objects")) {
            if (f.is_regular_file()) {
                fs::resize_file(f.path(), f.file_size() / 2);
                ++damaged;
            }
        }
        REQUIRE(damaged > 0);
        refetch_matches();
    }
    SECTION("a pack garbled in the middle") {
        for (const auto& f : fs::directory_iterator(dir / "objects" / "pack")) {
            if (f.path().extension() != ".pack") continue;
            std::fstream io(f.path(), std::ios::in | std::ios::out | std::ios::binary);
            io.seekp(static_cast<std::streamoff>(f.file_size() / 2));
            io << std::string(64, '\x5a');
        }
        refetch_matches();
    }
    SECTION("HEAD and config removed") {
        fs::remove(dir / "HEAD");
        fs::remove(dir / "config");
        refetch_matches();
    }
}

TEST_CASE("git mirror: the token is in no file under the mirror and in no git config", "[git]") {
    World w;
    const std::string id = w.seed({{"a.json", "1"}});
    const fs::path dir = w.sandbox.data_dir() / "mirror" / "m.git";
    git::Mirror m(mirror_options(dir, w.fake.git_url(id), w.token.source(), w.clock));
    const auto out = m.commit(m.fetch().head, {{"a.json", std::string("2")}}, "push");
    REQUIRE(out.kind == git::PushOutcome::Kind::Committed);
    CHECK(*w.token.calls >= 1);
    int files = 0;
    for (const auto& f : fs::recursive_directory_iterator(w.sandbox.root())) {
        if (!f.is_regular_file()) continue;
        std::ifstream in(f.path(), std::ios::binary);
        const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        INFO(f.path());
        CHECK(bytes.find(kToken) == std::string::npos);
        ++files;
    }
    CHECK(files > 5);
    std::ifstream cfg(dir / "config");
    const std::string config((std::istreambuf_iterator<char>(cfg)), std::istreambuf_iterator<char>());
    CHECK(config.find("[remote") == std::string::npos);  // anonymous remote: not even the URL is kept
    // The token went only to the git host, in Authorization, and to nothing else.
    for (const auto& req : w.fake.requests()) {
        if (req["headers"].contains("authorization")) CHECK(req["port"] == w.fake.git_port());
        CHECK(req["path"].get<std::string>().find(kToken) == std::string::npos);
    }
}
