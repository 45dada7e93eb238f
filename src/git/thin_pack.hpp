#pragma once
// The pack of a thin push (thin_transfer.cpp): the objects a commit adds, each either whole or as a delta
// against an object the server already holds (REF_DELTA naming the base by id; receive-pack
// completes such a pack, as it does for `git push`). libgit2 1.5 sends every new object whole,
// among them the gist's flat tree, whose size grows with the file count (docs/format.md §13).
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "git/pack_join.hpp"

namespace ccu::git {

enum class ObjectType : int { Commit = 1, Tree = 2, Blob = 3 };

struct PackObject {
    ObjectType type = ObjectType::Blob;
    std::string content;  // the object's bytes (without git's "<type> <size>\0" header)
    // A version the server holds, to send this one as a delta against (empty id: none).
    ObjectId base_id{};
    std::string base_content;
    bool has_base() const;
};

// A version-2 pack of `objects`, in order: each one's smaller form, its delta (when it has a base
// and the delta rebuilds it exactly) or itself whole; zlib-compressed; SHA-1 trailer.
std::string write_thin_pack(const std::vector<PackObject>& objects);

}  // namespace ccu::git
