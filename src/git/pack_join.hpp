#pragma once
// Joining packs without recompressing them (maintain.cpp, docs/architecture.md "Git transport").
// libgit2's packbuilder re-does the delta search and zlib of every object it writes; these
// functions instead copy each object's stored bytes into one new pack, turning offset deltas into
// deltas by object id so that each entry stays valid wherever it lands, and index it with
// libgit2's indexer (which inflates and hashes, but searches no delta and compresses nothing).
#include <git2.h>

#include <array>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

namespace ccu::git {

using ObjectId = std::array<std::uint8_t, 20>;

struct ObjectIdHash {
    std::size_t operator()(const ObjectId& id) const noexcept;
};
using ObjectIdSet = std::unordered_set<ObjectId, ObjectIdHash>;

struct PackIndexEntry {
    ObjectId id{};
    std::uint64_t offset = 0;
};

// The entries of a version-2 pack index (.idx), in offset order. Throws lg::Failure when the
// bytes are not one.
std::vector<PackIndexEntry> parse_pack_index(std::string_view idx);

// Appends to `out` the entries of one pack (its whole bytes, header and trailer included, with its
// parsed index), each as stored except that an offset delta becomes a delta naming its base's id;
// objects already in `seen` are left out and the others added to it. Returns the entries written.
// Throws lg::Failure on a malformed pack.
std::uint32_t append_pack_entries(std::string_view pack, const std::vector<PackIndexEntry>& index, ObjectIdSet& seen,
                                  std::string& out);

// Which packs a geometric join merges (factor 2, like `git repack --geometric=2`): given their sizes,
// the indices, smallest first, of the packs to join into one so that the rest, with the joined pack,
// each hold at least twice the bytes of all smaller ones together. Empty when fewer than two would
// be joined or when there are at most `keep_below` packs.
std::vector<std::size_t> geometric_join(const std::vector<std::uint64_t>& sizes, std::size_t keep_below);

// Joins the packs `stems` of `pack_dir` into one new pack there (header, their entries through
// append_pack_entries, SHA-1 trailer; indexed by libgit2 against `odb`) and returns its stem
// ("pack-<hash>"); the inputs stay, the caller deletes them with the repository closed.
std::string join_packs(git_odb* odb, const std::filesystem::path& pack_dir, const std::vector<std::string>& stems);

}  // namespace ccu::git
