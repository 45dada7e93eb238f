#pragma once
// Joining packs without recompressing them (maintain.cpp, docs/architecture.md "Git transport").
// libgit2's packbuilder re-does the delta search and zlib of every object it writes; these
// functions instead copy each object's stored bytes into one new pack, turning offset deltas into
// deltas by object id so that each entry stays valid wherever it lands, and write its index from
// the inputs' indexes (ids) and the new offsets and CRCs. libgit2's indexer would inflate every
// object and apply every delta to hash it again: ~33x the pack's bytes with record JSON, the
// largest pushes of bench_sync_month at 10 machines (bench/README.md).
#include "git/libgit2_api.hpp"

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

// An entry as written into a new pack: where, and the CRC-32 of its stored bytes (what a version-2
// index records).
struct PlacedEntry {
    ObjectId id{};
    std::uint64_t offset = 0;
    std::uint32_t crc = 0;
};

// CRC-32 (the zlib / pack index polynomial) of `bytes`, continuing `crc`.
std::uint32_t crc32(std::string_view bytes, std::uint32_t crc = 0);

// The version-2 index (.idx) of a pack holding `entries` (any order) whose trailer is
// `pack_checksum`: byte for byte what `git index-pack` and libgit2's indexer write.
std::string write_pack_index(std::vector<PlacedEntry> entries, const ObjectId& pack_checksum);

// The entries of a version-2 pack index (.idx), in offset order. Throws lg::Failure when the
// bytes are not one.
std::vector<PackIndexEntry> parse_pack_index(std::string_view idx);

// Appends to `out` the entries of one pack (its whole bytes, header and trailer included, with its
// parsed index), each as stored except that an offset delta becomes a delta naming its base's id;
// objects already in `seen` are left out and the others added to it. Returns the entries written;
// with `placed`, each written entry's id, offset in `out` and CRC-32 is added to it.
// Throws lg::Failure on a malformed pack.
std::uint32_t append_pack_entries(std::string_view pack, const std::vector<PackIndexEntry>& index, ObjectIdSet& seen,
                                  std::string& out, std::vector<PlacedEntry>* placed = nullptr);

// Which packs a geometric join merges (factor 2, like `git repack --geometric=2`): given their sizes,
// the indices, smallest first, of the packs to join into one so that the rest, with the joined pack,
// each hold at least twice the bytes of all smaller ones together. Empty when fewer than two would
// be joined or when there are at most `keep_below` packs.
std::vector<std::size_t> geometric_join(const std::vector<std::uint64_t>& sizes, std::size_t keep_below);

// Joins the packs `stems` of `pack_dir` into one new pack there (header, their entries through
// append_pack_entries, SHA-1 trailer, index by write_pack_index) and returns its stem
// ("pack-<trailer hash>"); the inputs stay, the caller deletes them with the repository closed.
// Each input must hold the bases of its deltas (every pack of the mirror does: libgit2's indexer
// completes a fetched thin pack with its bases), so the joined pack does too.
std::string join_packs(const std::filesystem::path& pack_dir, const std::vector<std::string>& stems);

// Indexes a complete pack into `pack_dir` (libgit2's indexer) and returns its stem.
std::string index_pack(git_odb* odb, const std::filesystem::path& pack_dir, std::string_view pack);

}  // namespace ccu::git
