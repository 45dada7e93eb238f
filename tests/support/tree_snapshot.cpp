#include "support/tree_snapshot.hpp"

#include <sys/stat.h>

#include <fstream>
#include <sstream>

namespace ccu::test {
namespace fs = std::filesystem;

namespace {

FileState state_of(const fs::path& path) {
    struct stat st {};
    FileState s;
    if (::lstat(path.c_str(), &st) != 0) return s;
    s.mtime_ns = static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
    s.mode = static_cast<std::uint32_t>(st.st_mode);
    if (S_ISREG(st.st_mode)) {
        s.kind = "file";
        std::ifstream in(path, std::ios::binary);
        std::ostringstream bytes;
        bytes << in.rdbuf();
        s.content = bytes.str();
    } else if (S_ISDIR(st.st_mode)) {
        s.kind = "dir";
    } else if (S_ISLNK(st.st_mode)) {
        s.kind = "symlink";
        s.content = fs::read_symlink(path).string();
    } else {
        s.kind = "other";
    }
    return s;
}

}  // namespace

TreeSnapshot snapshot_tree(const fs::path& root) {
    TreeSnapshot out;
    std::error_code ec;
    if (!fs::exists(fs::symlink_status(root, ec))) return out;
    out["."] = state_of(root);
    for (auto it = fs::recursive_directory_iterator(root, fs::directory_options::none, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
        out[fs::relative(it->path(), root).string()] = state_of(it->path());
    }
    return out;
}

std::string describe_tree_diff(const TreeSnapshot& before, const TreeSnapshot& after) {
    std::string out;
    for (const auto& [name, state] : before) {
        const auto it = after.find(name);
        if (it == after.end()) out += "-" + name + " ";
        else if (!(it->second == state)) out += "~" + name + " ";
    }
    for (const auto& [name, state] : after) {
        if (!before.count(name)) out += "+" + name + " ";
    }
    return out;
}

}  // namespace ccu::test
