#pragma once
// The pack of a thin push (thin_transfer.cpp): the objects a commit adds, each either whole or as a delta
// against an object the server already holds (REF_DELTA naming the base by id; receive-pack
// completes such a pack, as it does for `git push`). libgit2 1.5 sends every new object whole,
// among them the gist's flat tree, whose size grows with the file count (docs/format.md §13).
#include <cstdint>
#include <optional>
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

// A file of the base tree, as the choice of a delta base sees it.
struct BaseCandidate {
    std::string_view name;
    // Changed or deleted by the commit being pushed: its content went somewhere, maybe into a new file.
    bool released = false;
};

// Which file of the base tree a new blob named `name` is sent as a delta against: the file of the
// same name when there is one (the current file and the manifest change in place), else the
// released file whose name, less its extension, is the longest prefix of `name` (a part sealed out
// of the current file `usage_data_m.json` is `usage_data_m_part_0007.json`, docs/format.md §5).
// nullopt: none, the blob goes whole.
std::optional<std::size_t> delta_base_for(std::string_view name, const std::vector<BaseCandidate>& base_files);

// A version-2 pack of `objects`, in order: each one's smaller form, its delta (when it has a base
// and the delta rebuilds it exactly) or itself whole; zlib-compressed; SHA-1 trailer.
std::string write_thin_pack(const std::vector<PackObject>& objects);

}  // namespace ccu::git
