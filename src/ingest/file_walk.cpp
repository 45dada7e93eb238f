#include "ingest/file_walk.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "ccu/common/file_stat.hpp"
#include "ccu/common/parallel.hpp"

namespace ccu::ingest::detail {
namespace {

bool ends_with_jsonl(const char* name) {
    const std::size_t n = std::strlen(name);
    return n > 6 && std::memcmp(name + n - 6, ".jsonl", 6) == 0;
}

// Calls visit(directory fd, entry) for each entry of `dir` but "." and ".."; nothing when the
// directory cannot be opened (read-only, O_NOATIME where allowed).
template <typename Visit>
void for_each_entry(const std::string& dir, Visit visit) {
    const int fd = open_readonly(dir.c_str(), true);
    if (fd < 0) return;
    DIR* handle = fdopendir(fd);
    if (handle == nullptr) {
        ::close(fd);
        return;
    }
    while (const dirent* entry = readdir(handle)) {
        const char* name = entry->d_name;
        if (name[0] == '.' && (name[1] == '\0' || (name[1] == '.' && name[2] == '\0'))) continue;
        visit(fd, entry);
    }
    closedir(handle);
}

void add_file(std::vector<FoundFile>& out, std::string path, const struct stat& st,
              const std::string& folder, const char* name) {
    FoundFile file;
    file.path = std::move(path);
    file.device = static_cast<std::uint64_t>(st.st_dev);
    file.inode = static_cast<std::uint64_t>(st.st_ino);
    file.size = static_cast<std::uint64_t>(st.st_size);
    file.mtime_ns = ccu::mtime_ns(st);
    file.folder = folder;
    file.session.assign(name, std::strlen(name) - 6);
    out.push_back(std::move(file));
}

// `folder` is empty at the projects dir itself and fixed below its first level.
// Collects the *.jsonl files of `dir` and recurses into its subdirectories, except at depth
// 64 and beyond (used to list a projects dir's own level only; also bounds pathological trees).
void walk(const std::string& dir, const std::string& folder, std::vector<FoundFile>& out, int depth) {
    if (depth > 64) return;
    std::vector<std::pair<std::string, std::string>> subdirs;
    for_each_entry(dir, [&](int fd, const dirent* entry) {
        const char* name = entry->d_name;
        const bool is_jsonl = ends_with_jsonl(name);
        std::string path = dir + "/" + name;
        if (entry->d_type == DT_DIR) {
            subdirs.emplace_back(std::move(path), folder.empty() ? std::string(name) : folder);
            return;
        }
        struct stat st {};
        if (entry->d_type == DT_UNKNOWN) {  // file systems without d_type
            if (fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW) != 0) return;
            if (S_ISDIR(st.st_mode)) {
                subdirs.emplace_back(std::move(path), folder.empty() ? std::string(name) : folder);
                return;
            }
        }
        if (!is_jsonl) return;
        if (fstatat(fd, name, &st, 0) != 0) return;  // follows symlinks to files
        if (S_ISREG(st.st_mode)) add_file(out, std::move(path), st, folder, name);
    });
    if (depth >= 64) return;
    for (const auto& [sub, sub_folder] : subdirs) walk(sub, sub_folder, out, depth + 1);
}

// The subdirectories of `dir` (one level), with the folder name they stand for.
void list_subdirs(const std::string& dir, std::vector<std::pair<std::string, std::string>>& out) {
    for_each_entry(dir, [&](int fd, const dirent* entry) {
        const char* name = entry->d_name;
        bool is_dir = entry->d_type == DT_DIR;
        if (entry->d_type == DT_UNKNOWN) {
            struct stat st {};
            is_dir = fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode);
        }
        if (is_dir) out.emplace_back(dir + "/" + name, name);
    });
}

}  // namespace

int open_readonly(const char* path, bool directory) {
    const int base = O_RDONLY | O_CLOEXEC | (directory ? O_DIRECTORY : 0);
    int fd = ::open(path, base | O_NOATIME);
    if (fd < 0 && errno == EPERM) fd = ::open(path, base);
    return fd;
}

std::vector<FoundFile> find_jsonl_files(const std::vector<std::filesystem::path>& projects_dirs, unsigned threads) {
    // Level 1 (the project folders) is listed here; their subtrees are walked in parallel:
    // with many small sessions the walk is all stat/getdents system calls.
    std::vector<FoundFile> files;
    std::vector<std::pair<std::string, std::string>> subtrees;
    for (const auto& dir : projects_dirs) {
        std::string root = dir.string();
        while (root.size() > 1 && root.back() == '/') root.pop_back();
        std::vector<FoundFile> top;
        walk(root, std::string{}, top, 64);  // depth 64: this level only, subdirs not entered
        for (auto& file : top) files.push_back(std::move(file));
        list_subdirs(root, subtrees);
    }
    std::vector<std::vector<FoundFile>> found(subtrees.size());
    parallel_for(subtrees.size(), threads, [&] {
        return [&](std::size_t i) { walk(subtrees[i].first, subtrees[i].second, found[i], 1); };
    });
    for (auto& part : found) {
        for (auto& file : part) files.push_back(std::move(file));
    }
    std::sort(files.begin(), files.end(),
              [](const FoundFile& a, const FoundFile& b) { return a.path < b.path; });
    files.erase(std::unique(files.begin(), files.end(),
                            [](const FoundFile& a, const FoundFile& b) { return a.path == b.path; }),
                files.end());
    return files;
}

}  // namespace ccu::ingest::detail
