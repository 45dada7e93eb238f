#include "ingest/file_walk.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <thread>
#include <cerrno>
#include <cstring>

namespace ccu::ingest::detail {
namespace {

bool ends_with_jsonl(const char* name) {
    const std::size_t n = std::strlen(name);
    return n > 6 && std::memcmp(name + n - 6, ".jsonl", 6) == 0;
}

std::int64_t mtime_ns_of(const struct stat& st) {
    return static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1000000000LL + st.st_mtim.tv_nsec;
}

void add_file(std::vector<FoundFile>& out, std::string path, const struct stat& st,
              const std::string& folder, const char* name) {
    FoundFile file;
    file.path = std::move(path);
    file.device = static_cast<std::uint64_t>(st.st_dev);
    file.inode = static_cast<std::uint64_t>(st.st_ino);
    file.size = static_cast<std::uint64_t>(st.st_size);
    file.mtime_ns = mtime_ns_of(st);
    file.folder = folder;
    file.session.assign(name, std::strlen(name) - 6);
    out.push_back(std::move(file));
}

// `folder` is empty at the projects dir itself and fixed below its first level.
// Collects the *.jsonl files of `dir` and recurses into its subdirectories, except at depth
// 64 and beyond (used to list a projects dir's own level only; also bounds pathological trees).
void walk(const std::string& dir, const std::string& folder, std::vector<FoundFile>& out, int depth) {
    if (depth > 64) return;
    const int fd = open_readonly(dir.c_str(), true);
    if (fd < 0) return;
    DIR* handle = fdopendir(fd);
    if (handle == nullptr) {
        ::close(fd);
        return;
    }
    std::vector<std::pair<std::string, std::string>> subdirs;
    while (const dirent* entry = readdir(handle)) {
        const char* name = entry->d_name;
        if (name[0] == '.' && (name[1] == '\0' || (name[1] == '.' && name[2] == '\0'))) continue;
        const bool is_jsonl = ends_with_jsonl(name);
        std::string path = dir + "/" + name;
        if (entry->d_type == DT_DIR) {
            subdirs.emplace_back(std::move(path), folder.empty() ? std::string(name) : folder);
            continue;
        }
        struct stat st {};
        if (entry->d_type == DT_UNKNOWN) {  // file systems without d_type
            if (fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
            if (S_ISDIR(st.st_mode)) {
                subdirs.emplace_back(std::move(path), folder.empty() ? std::string(name) : folder);
                continue;
            }
        }
        if (!is_jsonl) continue;
        if (fstatat(fd, name, &st, 0) != 0) continue;  // follows symlinks to files
        if (S_ISREG(st.st_mode)) add_file(out, std::move(path), st, folder, name);
    }
    closedir(handle);
    if (depth >= 64) return;
    for (const auto& [sub, sub_folder] : subdirs) walk(sub, sub_folder, out, depth + 1);
}

// The subdirectories of `dir` (one level), with the folder name they stand for.
void list_subdirs(const std::string& dir, std::vector<std::pair<std::string, std::string>>& out) {
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
        bool is_dir = entry->d_type == DT_DIR;
        if (entry->d_type == DT_UNKNOWN) {
            struct stat st {};
            is_dir = fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode);
        }
        if (is_dir) out.emplace_back(dir + "/" + name, name);
    }
    closedir(handle);
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
    std::atomic<std::size_t> next{0};
    const auto work = [&] {
        for (std::size_t i = next++; i < subtrees.size(); i = next++) {
            walk(subtrees[i].first, subtrees[i].second, found[i], 1);
        }
    };
    std::vector<std::thread> pool;
    const unsigned count = std::max(1U, std::min<unsigned>(threads, static_cast<unsigned>(subtrees.size())));
    for (unsigned i = 1; i < count; ++i) pool.emplace_back(work);
    work();
    for (auto& thread : pool) thread.join();
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
