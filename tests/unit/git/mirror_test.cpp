// The git mirror against a real smart-HTTP server (git http-backend): fetch, in-memory commit,
// push without force, and the compare-and-swap when two writers race.
#include <catch2/catch.hpp>

#include "ccu/gist/errors.hpp"
#include "unit/git/git_fixture.hpp"

using namespace ccu;
using namespace ccu::test;
namespace fs = std::filesystem;

namespace {

const std::string kToken = "ghp_gitmirrortesttoken0123456789abcdef";

struct World {
    Sandbox sandbox;
    GitHttpServer server{kToken, sandbox.root() / "server"};
    ManualClock clock{std::chrono::system_clock::from_time_t(1767225600)};  // 2026-01-01
    CountingToken token{kToken};

    git::Mirror mirror(const std::string& name, const std::string& repo) {
        return git::Mirror(mirror_options(sandbox.data_dir() / "mirror" / (name + ".git"), server.url(repo),
                                          token.source(), clock));
    }
};

}  // namespace

TEST_CASE("git mirror: fetch lists the remote head's files and reads their content", "[git]") {
    World w;
    w.server.create_repo("g1", "main", {{"a.json", "{\"a\":1}"}, {"manifest.json", "{}"}});
    auto m = w.mirror("m", "g1");
    const git::FetchResult r = m.fetch();
    REQUIRE_FALSE(r.unchanged);
    CHECK(r.head.branch == "main");
    CHECK(r.head.commit == w.server.head("g1", "main"));
    CHECK(r.head.committed_at.rfind("20", 0) == 0);
    CHECK(r.head.committed_at.back() == 'Z');
    REQUIRE(r.head.files.size() == 2);
    CHECK(r.head.files[0].name == "a.json");
    CHECK(r.head.files[0].size == 7);
    CHECK(r.head.files[0].blob_id == git_cli(w.server.root() / "g1.git", {"rev-parse", "main:a.json"}));
    CHECK(m.read_blob(r.head.files[0].blob_id) == "{\"a\":1}");
    SECTION("a second fetch with the head as known answers unchanged") {
        CHECK(m.fetch(r.head.commit).unchanged);
    }
}

TEST_CASE("git mirror: commit and push lands on the remote branch and another mirror reads it", "[git]") {
    World w;
    w.server.create_repo("g1", "main", {{"a.json", "1"}, {"old.json", "x"}});
    auto m = w.mirror("m", "g1");
    const git::Head base = m.fetch().head;
    const git::PushOutcome out =
        m.commit(base, {{"a.json", std::string("2")}, {"b.json", std::string("new")}, {"old.json", std::nullopt}},
                 "ccu push");
    REQUIRE(out.kind == git::PushOutcome::Kind::Committed);
    CHECK(out.commit == w.server.head("g1", "main"));
    CHECK(out.commit != base.commit);
    CHECK(w.server.show("g1", "main:a.json") == "2");
    CHECK(w.server.show("g1", "main:b.json") == "new");
    CHECK(git_cli(w.server.root() / "g1.git", {"ls-tree", "--name-only", "main"}) == "a.json\nb.json");
    CHECK(git_cli(w.server.root() / "g1.git", {"log", "-1", "--format=%an %P", "main"}) == "test-machine " + base.commit);
    auto other = w.mirror("other", "g1");
    const git::Head seen = other.fetch().head;
    CHECK(seen.commit == out.commit);
    CHECK(other.read_blob(seen.find("b.json")->blob_id) == "new");
}

TEST_CASE("git mirror: the branch is the remote HEAD's, master as well as main", "[git]") {
    World w;
    const std::string branch = GENERATE(std::string("master"), std::string("main"));
    w.server.create_repo("g1", branch, {{"a.json", "1"}});
    auto m = w.mirror("m", "g1");
    const git::Head base = m.fetch().head;
    CHECK(base.branch == branch);
    const auto out = m.commit(base, {{"a.json", std::string("2")}}, "push");
    REQUIRE(out.kind == git::PushOutcome::Kind::Committed);
    CHECK(w.server.head("g1", branch) == out.commit);
    CHECK(git_cli(w.server.root() / "g1.git", {"branch", "--format=%(refname:short)"}) == branch);
}

TEST_CASE("git mirror: an empty remote is a valid head and the first commit creates its branch", "[git]") {
    World w;
    w.server.create_repo("g1", "main");
    auto m = w.mirror("m", "g1");
    const git::Head base = m.fetch().head;
    CHECK(base.commit.empty());
    CHECK(base.files.empty());
    const auto out = m.commit(base, {{"manifest.json", std::string("{}")}}, "first");
    REQUIRE(out.kind == git::PushOutcome::Kind::Committed);
    CHECK(w.server.head("g1", "main") == out.commit);
}

TEST_CASE("git mirror: of two writers on one base the second is refused as a conflict and overwrites nothing",
          "[git]") {
    World w;
    w.server.create_repo("g1", "main", {{"a.json", "base"}});
    auto a = w.mirror("a", "g1");
    auto b = w.mirror("b", "g1");
    const git::Head base_a = a.fetch().head;
    const git::Head base_b = b.fetch().head;
    const auto won = a.commit(base_a, {{"a.json", std::string("from a")}}, "a");
    REQUIRE(won.kind == git::PushOutcome::Kind::Committed);
    const auto lost = b.commit(base_b, {{"b.json", std::string("from b")}}, "b");
    CHECK(lost.kind == git::PushOutcome::Kind::Conflict);
    CHECK(lost.commit == won.commit);
    CHECK(w.server.head("g1", "main") == won.commit);
    CHECK(w.server.show("g1", "main:a.json") == "from a");
    SECTION("the loser refetches, rebuilds on the new head and lands with both writes") {
        const git::Head fresh = b.fetch().head;
        CHECK(fresh.commit == won.commit);
        const auto landed = b.commit(fresh, {{"b.json", std::string("from b")}}, "b again");
        REQUIRE(landed.kind == git::PushOutcome::Kind::Committed);
        CHECK(w.server.show("g1", "main:a.json") == "from a");
        CHECK(w.server.show("g1", "main:b.json") == "from b");
    }
}

TEST_CASE("git mirror: a race lost inside the server (ref moved after the advertisement) is a conflict", "[git]") {
    World w;
    const fs::path repo = w.server.create_repo("g1", "main", {{"a.json", "base"}});
    auto a = w.mirror("a", "g1");
    auto b = w.mirror("b", "g1");
    const git::Head base = a.fetch().head;
    const auto other = b.commit(b.fetch().head, {{"a.json", std::string("other")}}, "other");
    REQUIRE(other.kind == git::PushOutcome::Kind::Committed);
    git_cli(repo, {"update-ref", "refs/heads/main", base.commit});  // back to base: A's advertisement is fresh
    std::ofstream(repo / "ccu-move-before-receive") << other.commit;
    const auto out = a.commit(base, {{"a.json", std::string("mine")}}, "mine");
    CHECK(out.kind == git::PushOutcome::Kind::Conflict);
    CHECK(w.server.head("g1", "main") == other.commit);
    CHECK(w.server.show("g1", "main:a.json") == "other");
}

TEST_CASE("git mirror: a refused token is an auth error after one credential callback", "[git]") {
    World w;
    w.server.create_repo("g1", "main", {{"a.json", "1"}});
    CountingToken wrong{"ghp_wrongwrongwrongwrong"};
    git::Mirror m(mirror_options(w.sandbox.data_dir() / "m.git", w.server.url("g1"), wrong.source(), w.clock));
    try {
        m.fetch();
        FAIL("fetch with a wrong token succeeded");
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
    w.server.create_repo("g1", "main", {{"a.json", std::string(5000, 'a')}});
    const fs::path dir = w.sandbox.data_dir() / "mirror" / "m.git";
    git::Mirror m(mirror_options(dir, w.server.url("g1"), w.token.source(), w.clock));
    const git::Head first = m.fetch().head;
    // A second commit so that later fetches negotiate against (damaged) local history.
    REQUIRE(m.commit(first, {{"b.json", std::string("b")}}, "b").kind == git::PushOutcome::Kind::Committed);
    const std::string head = w.server.head("g1", "main");
    auto refetch_matches = [&] {
        git::Mirror again(mirror_options(dir, w.server.url("g1"), w.token.source(), w.clock));
        const git::Head h = again.fetch().head;
        CHECK(h.commit == head);
        REQUIRE(h.find("a.json") != nullptr);
        CHECK(again.read_blob(h.find("a.json")->blob_id) == std::string(5000, 'a'));
        CHECK(again.commit(h, {{"c.json", std::string("c")}}, "c").kind == git::PushOutcome::Kind::Committed);
    };
    SECTION("deleted") {
        fs::remove_all(dir);
        refetch_matches();
    }
    SECTION("a ref file garbled") {
        std::ofstream(dir / "refs" / "remotes" / "origin" / "main", std::ios::trunc) << "garbage\n";
        refetch_matches();
    }
    SECTION("every object file truncated") {
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
    SECTION("HEAD and config removed") {
        fs::remove(dir / "HEAD");
        fs::remove(dir / "config");
        refetch_matches();
    }
}

TEST_CASE("git mirror: the token is in no file under the mirror and in no git config", "[git]") {
    World w;
    w.server.create_repo("g1", "main", {{"a.json", "1"}});
    const fs::path dir = w.sandbox.data_dir() / "mirror" / "m.git";
    git::Mirror m(mirror_options(dir, w.server.url("g1"), w.token.source(), w.clock));
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
}
