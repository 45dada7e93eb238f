#pragma once
// A byte- and mtime-exact picture of a directory tree, to prove a command left it untouched.
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>

namespace ccu::test {

struct FileState {
    std::string kind;         // "file", "dir", "symlink", "other"
    std::int64_t mtime_ns = 0;
    std::uint32_t mode = 0;
    std::string content;      // files: the bytes; symlinks: the target
    friend bool operator==(const FileState&, const FileState&) = default;
};

// Every entry under `root` (relative path -> state), not following symlinks. Empty when
// `root` does not exist.
using TreeSnapshot = std::map<std::string, FileState>;
TreeSnapshot snapshot_tree(const std::filesystem::path& root);

// Human-readable list of what differs ("+added", "-removed", "~changed"), empty when equal.
std::string describe_tree_diff(const TreeSnapshot& before, const TreeSnapshot& after);

}  // namespace ccu::test
