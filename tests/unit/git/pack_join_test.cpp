// Joining packs without recompression (src/git/pack_join.cpp): the joined pack holds every object
// of its inputs once, byte for byte as stored, and the geometric rule keeps few packs.
#include <catch2/catch.hpp>

#include <git2.h>

#include <fstream>
#include <numeric>
#include <random>
#include <sstream>

#include "git/libgit.hpp"
#include "git/pack_join.hpp"
#include "support/sandbox.hpp"
#include "unit/git/git_fixture.hpp"

using namespace ccu;
using namespace ccu::test;
namespace fs = std::filesystem;

namespace {

std::string slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return std::move(s).str();
}

std::vector<std::string> packs_of(const fs::path& git_dir) {
    std::vector<std::string> stems;
    for (const auto& f : fs::directory_iterator(git_dir / "objects" / "pack")) {
        if (f.path().extension() == ".pack") stems.push_back(f.path().stem().string());
    }
    std::sort(stems.begin(), stems.end());
    return stems;
}

// Versions of one growing records file, each a commit: `git repack` stores them as offset deltas.
void commit_versions(const fs::path& dir, int from, int to) {
    std::string content;
    for (int i = 0; i < to; ++i) {
        content += "{\"id\":" + std::to_string(i) + ",\"model\":\"claude\",\"tokens\":" + std::to_string(i * 37 % 1000) + "}\n";
        if (i < from) continue;
        const std::string blob = git_cli(dir, {"hash-object", "-w", "--stdin"}, content);
        const std::string tree = git_cli(dir, {"mktree"}, "100644 blob " + blob + "\tcur.json\n");
        std::string parent;
        try {
            parent = git_cli(dir, {"rev-parse", "refs/heads/main"});
        } catch (const std::exception&) {
        }
        std::vector<std::string> args = {"commit-tree", tree, "-m", "v" + std::to_string(i)};
        if (!parent.empty()) args.insert(args.end(), {"-p", parent});
        git_cli(dir, {"update-ref", "refs/heads/main", git_cli(dir, args)});
    }
}

// Two packs in `dir`: 60 versions (offset deltas), then all 90 (overlapping the first completely).
// Returns the first pack's stem.
std::string overlapping_packs(const fs::path& dir) {
    git_cli(dir, {"init", "-q", "--bare", dir.string()});
    git_cli(dir, {"config", "user.name", "t"});
    git_cli(dir, {"config", "user.email", "t@example.invalid"});
    commit_versions(dir, 0, 60);
    git_cli(dir, {"repack", "-adq"});  // one pack, offset deltas between the versions
    const std::string first = packs_of(dir).at(0);
    commit_versions(dir, 60, 90);
    git_cli(dir, {"pack-objects", "-q", (dir / "objects" / "pack" / "pack").string()},
            git_cli(dir, {"rev-list", "--objects", "--all"}));
    return first;
}

}  // namespace

TEST_CASE("pack join: every object of overlapping packs is kept once and reads back identical", "[git][pack]") {
    Sandbox sandbox;
    const fs::path dir = sandbox.root() / "r.git";
    const std::string first = overlapping_packs(dir);
    const std::vector<std::string> stems = packs_of(dir);
    REQUIRE(stems.size() == 2);
    const fs::path pack_dir = dir / "objects" / "pack";
    const auto first_index = git::parse_pack_index(slurp(pack_dir / (first + ".idx")));
    // verify-pack -v: "<id> <type> <size> <stored> <offset> <depth> <base>" for a delta
    std::istringstream verify(git_cli(dir, {"verify-pack", "-v", (pack_dir / (first + ".idx")).string()}));
    int deltas = 0;
    for (std::string line; std::getline(verify, line);) {
        if (line.find(" blob ") != std::string::npos && std::count(line.begin(), line.end(), ' ') >= 6) ++deltas;
    }
    REQUIRE(deltas > 10);  // the join has offset deltas to turn into id deltas

    const std::string joined = git::join_packs(pack_dir, stems);

    // Every object of both inputs once, and each reads back (inflated, deltas applied, hash checked
    // by git) with the same content as in the source repository.
    const auto joined_index = git::parse_pack_index(slurp(pack_dir / (joined + ".idx")));
    git::ObjectIdSet all;
    for (const auto& s : stems) {
        for (const auto& e : git::parse_pack_index(slurp(pack_dir / (s + ".idx")))) all.insert(e.id);
    }
    CHECK(joined_index.size() == all.size());
    CHECK(all.size() > first_index.size());
    const fs::path only = sandbox.root() / "only.git";
    git_cli(only, {"init", "-q", "--bare", only.string()});
    fs::copy_file(pack_dir / (joined + ".pack"), only / "objects" / "pack" / (joined + ".pack"));
    fs::copy_file(pack_dir / (joined + ".idx"), only / "objects" / "pack" / (joined + ".idx"));
    git_cli(only, {"verify-pack", (only / "objects" / "pack" / (joined + ".idx")).string()});
    const std::string listing = git_cli(dir, {"rev-list", "--objects", "--all"});
    std::istringstream objects(listing);
    int compared = 0;
    for (std::string line; std::getline(objects, line); ++compared) {
        const std::string id = line.substr(0, 40);
        CHECK(git_cli(only, {"cat-file", "-p", id}) == git_cli(dir, {"cat-file", "-p", id}));
    }
    CHECK(compared == 270);  // 90 commits, 90 trees, 90 blobs
}

TEST_CASE("pack join: the joined pack's index is byte for byte the one libgit2's indexer writes for it",
          "[git][pack]") {
    Sandbox sandbox;
    const fs::path dir = sandbox.root() / "r.git";
    overlapping_packs(dir);
    const fs::path pack_dir = dir / "objects" / "pack";
    const std::string joined = git::join_packs(pack_dir, packs_of(dir));
    const std::string written = slurp(pack_dir / (joined + ".idx"));

    git::lg::ensure_initialized();
    const fs::path other = sandbox.root() / "other.git";
    git_cli(other, {"init", "-q", "--bare", other.string()});
    git_repository* r = nullptr;
    REQUIRE(git_repository_open_bare(&r, other.c_str()) == 0);
    const git::lg::Repository repo(r);
    git_odb* raw = nullptr;
    REQUIRE(git_repository_odb(&raw, r) == 0);
    const git::lg::Odb odb(raw);
    const fs::path other_packs = other / "objects" / "pack";
    const std::string indexed = git::index_pack(raw, other_packs, slurp(pack_dir / (joined + ".pack")));
    CHECK(indexed == joined);  // named by the same trailer
    CHECK(slurp(other_packs / (indexed + ".idx")) == written);
    CHECK(written.size() == 8 + 256 * 4 + 270 * (20 + 4 + 4) + 40);
    CHECK_FALSE(fs::exists(pack_dir / "ccu-join.pack.tmp"));
    CHECK_FALSE(fs::exists(pack_dir / "ccu-join.idx.tmp"));
}

TEST_CASE("pack join: a CRC-32 is zlib's (the one a pack index records)", "[git][pack]") {
    CHECK(git::crc32("") == 0U);
    CHECK(git::crc32("123456789") == 0xCBF43926U);  // the polynomial's check value
    CHECK(git::crc32("56789", git::crc32("1234")) == 0xCBF43926U);
}

TEST_CASE("pack join: a stored entry is copied byte for byte, an offset delta becomes an id delta", "[git][pack]") {
    // Built by hand: entry 1 a blob "abc" (zlib bytes taken as given), entry 2 an offset delta on it.
    std::string pack("PACK\0\0\0\2\0\0\0\2", 12);
    const std::string blob_entry = std::string("\x33", 1) + "ZLIB-OF-ABC";  // type 3 (blob), size 3
    // type 6 (offset delta), size 5, then the distance back to the blob's entry (one byte)
    const std::string delta_entry = std::string("\x65", 1) + static_cast<char>(blob_entry.size()) + "DELTA-DATA";
    const std::uint64_t blob_at = pack.size();
    pack += blob_entry;
    const std::uint64_t delta_at = pack.size();
    pack += delta_entry;
    pack += std::string(20, '\0');  // trailer (not read)
    git::ObjectId blob_id{}, delta_id{};
    blob_id.fill(0xAA);
    delta_id.fill(0xBB);
    const std::vector<git::PackIndexEntry> index = {{blob_id, blob_at}, {delta_id, delta_at}};
    git::ObjectIdSet seen;
    std::string out;
    CHECK(git::append_pack_entries(pack, index, seen, out) == 2);
    CHECK(out.substr(0, blob_entry.size()) == blob_entry);
    CHECK(out.substr(blob_entry.size(), 1) == std::string("\x75", 1));  // type 7 (id delta), same size bits
    CHECK(out.substr(blob_entry.size() + 1, 20) == std::string(20, '\xAA'));  // the base's id
    CHECK(out.substr(blob_entry.size() + 21) == "DELTA-DATA");
    // The same objects again (another pack holding them) add nothing.
    std::string again;
    CHECK(git::append_pack_entries(pack, index, seen, again) == 0);
    CHECK(again.empty());
}

TEST_CASE("pack join: a malformed pack or index is refused, not copied", "[git][pack]") {
    CHECK_THROWS_AS(git::parse_pack_index("not an index"), git::lg::Failure);
    std::string pack("PACK\0\0\0\2\0\0\0\1", 12);
    pack += std::string("\x65\x7f", 2) + "X";  // an offset delta reaching before the pack
    pack += std::string(20, '\0');
    git::ObjectIdSet seen;
    std::string out;
    CHECK_THROWS_AS(git::append_pack_entries(pack, {{git::ObjectId{}, 12}}, seen, out), git::lg::Failure);
}

TEST_CASE("pack join: the geometric rule joins the smallest packs until each holds twice all smaller ones",
          "[git][pack]") {
    CHECK(git::geometric_join({1000, 400, 100}, 0).empty());  // 100, 400 >= 200, 1000 >= 1000: holds
    CHECK(git::geometric_join({1000, 100, 150}, 0) == std::vector<std::size_t>{1, 2});
    CHECK(git::geometric_join({100, 150, 120}, 5).empty());  // few packs: left alone
    std::mt19937 rng(11);
    for (int round = 0; round < 500; ++round) {
        std::vector<std::uint64_t> sizes(1 + rng() % 30);
        for (auto& s : sizes) s = 1 + rng() % 100000;
        const auto join = git::geometric_join(sizes, 0);
        // Apply the join and check the property on what remains.
        std::vector<std::uint64_t> after;
        std::uint64_t joined = 0, max_joined = 0;
        std::vector<bool> taken(sizes.size());
        for (const auto i : join) {
            taken[i] = true;
            joined += sizes[i];
            max_joined = std::max(max_joined, sizes[i]);
        }
        for (std::size_t i = 0; i < sizes.size(); ++i) {
            if (!taken[i]) after.push_back(sizes[i]);
            // Only the smallest packs are joined: any pack left is at least as large as any joined.
            if (!taken[i] && !join.empty()) CHECK(sizes[i] >= max_joined);
        }
        if (!join.empty()) after.push_back(joined);
        CHECK(join.size() != 1);
        std::sort(after.begin(), after.end());
        std::uint64_t below = 0;
        for (std::size_t i = 0; i < after.size(); ++i) {
            if (i > 0) CHECK(after[i] >= 2 * below);
            below += after[i];
        }
    }
}
