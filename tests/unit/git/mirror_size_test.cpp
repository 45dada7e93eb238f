// The git mirror's bounded size (src/git/maintain.cpp, docs/format.md §13 "Size"): own commit
// packs delta-searched once, lost races dropped, every other pack joined without recompression.
#include <catch2/catch.hpp>

#include <git2.h>

#include <cstring>
#include <fstream>
#include <sstream>

#include "git/pack_join.hpp"
#include "support/fake_gist.hpp"
#include "unit/git/git_fixture.hpp"

using namespace ccu;
using namespace ccu::test;
namespace fs = std::filesystem;

namespace {

const std::string kToken = "ghp_gitmirrorsizetoken0123456789abcd";

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

// A mirror of a bare repository over libgit2's local transport (file://), which runs the same
// fetch, push and repack code without HTTP; at most two own packs before a repack.
struct LocalRemote {
    Sandbox sandbox;
    const fs::path remote = sandbox.root() / "remote.git";
    ManualClock clock{std::chrono::system_clock::from_time_t(1767225600)};
    CountingToken token{kToken};
    const fs::path dir = sandbox.data_dir() / "m.git";
    git::MirrorOptions options;

    LocalRemote() {
        git_cli(remote, {"init", "-q", "--bare", remote.string()});
        options = mirror_options(dir, "file://" + remote.string(), token.source(), clock);
        options.max_packs = 2;
    }
};

}  // namespace

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


TEST_CASE("git mirror: a year of pushes keeps logarithmically many packs, each readable (joins, not re-packs)",
          "[git]") {
    LocalRemote rig;
    auto& [sandbox, remote, clock, token, dir, options] = rig;
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
    LocalRemote rig;
    auto& [sandbox, remote, clock, token, dir, options] = rig;
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

// The type of a stored pack entry (gitformat-pack(5)): 1-4 whole objects, 6-7 deltas.
int entry_type(const std::string& entry) { return (static_cast<unsigned char>(entry.at(0)) >> 4) & 7; }

TEST_CASE("git mirror: the repack searches deltas for a file's versions up to 512 KiB, none above", "[git]") {
    LocalRemote rig;
    auto& [sandbox, remote, clock, token, dir, options] = rig;
    git::Mirror m(options);
    git::Head head = m.fetch().head;
    // Two files whose versions differ by one line: a current file (500 KiB, near the seal size over
    // git) and a folded part (600 KiB, like the folds of the file budget, which have no earlier
    // version to delta against).
    std::string small, large;
    for (int i = 0; i < 15000; ++i) small += "{\"id\":\"s" + std::to_string(i * 7919 % 10007) + "\",\"n\":" + std::to_string(i) + "}\n";
    for (int i = 0; i < 18000; ++i) large += "{\"id\":\"p" + std::to_string(i * 104729 % 99991) + "\",\"n\":" + std::to_string(i) + "}\n";
    small.resize(500 * 1024, ' ');
    large.resize(600 * 1024, ' ');
    std::vector<std::string> small_ids, large_ids;
    for (int i = 1; i <= 6; ++i) {  // max_packs 2: repacked after the third commit and again
        clock.advance(std::chrono::minutes(30));
        const std::string line = "{\"push\":" + std::to_string(i) + "}\n";
        const auto out = m.commit(head, {{"cur.json", small + line}, {"part.json", large + line}}, "push");
        REQUIRE(out.kind == git::PushOutcome::Kind::Committed);
        head.commit = out.commit;
        small_ids.push_back(git_cli(dir, {"rev-parse", head.commit + ":cur.json"}));
        large_ids.push_back(git_cli(dir, {"rev-parse", head.commit + ":part.json"}));
    }
    int small_deltas = 0, large_deltas = 0;
    for (std::size_t i = 0; i < small_ids.size(); ++i) {
        const auto [s, s_pack] = stored_entry(dir, small_ids[i]);
        const auto [l, l_pack] = stored_entry(dir, large_ids[i]);
        REQUIRE_FALSE(s.empty());
        REQUIRE_FALSE(l.empty());
        small_deltas += entry_type(s) >= 6 ? 1 : 0;
        large_deltas += entry_type(l) >= 6 ? 1 : 0;
    }
    CHECK(small_deltas >= 2);  // the search still runs: versions of the current file delta against each other
    CHECK(large_deltas == 0);  // and skips every object above 512 KiB
    git_cli(dir, {"fsck", "--full", "--strict", "--no-dangling"});
    CHECK(git_cli(dir, {"show", head.commit + ":part.json"}) + "\n" == large + "{\"push\":6}\n");
}
