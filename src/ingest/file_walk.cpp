#include "ingest/file_walk.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
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
    for (const auto& [sub, sub_folder] : subdirs) walk(sub, sub_folder, out, depth + 1);
}

}  // namespace

int open_readonly(const char* path, bool directory) {
    const int base = O_RDONLY | O_CLOEXEC | (directory ? O_DIRECTORY : 0);
    int fd = ::open(path, base | O_NOATIME);
    if (fd < 0 && errno == EPERM) fd = ::open(path, base);
    return fd;
}

std::vector<FoundFile> find_jsonl_files(const std::vector<std::filesystem::path>& projects_dirs) {
    std::vector<FoundFile> files;
    for (const auto& dir : projects_dirs) {
        std::string root = dir.string();
        while (root.size() > 1 && root.back() == '/') root.pop_back();
        walk(root, std::string{}, files, 0);
    }
    std::sort(files.begin(), files.end(),
              [](const FoundFile& a, const FoundFile& b) { return a.path < b.path; });
    files.erase(std::unique(files.begin(), files.end(),
                            [](const FoundFile& a, const FoundFile& b) { return a.path == b.path; }),
                files.end());
    return files;
}

}  // namespace ccu::ingest::detail
