#pragma once
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace ccu::ingest::detail {

// A regular *.jsonl file found under a projects dir, with the stat taken during the walk.
struct FoundFile {
    std::string path;
    std::uint64_t device = 0;
    std::uint64_t inode = 0;
    std::uint64_t size = 0;
    std::int64_t mtime_ns = 0;
    std::string folder;   // first directory under the projects dir (folder fallback)
    std::string session;  // file stem (session fallback)
};

// Every *.jsonl under each dir, recursively, sorted by path, without duplicates. Missing
// dirs are skipped. Directories are opened O_RDONLY|O_NOATIME: the walk changes nothing.
// Symlinked files are followed, symlinked directories are not (no cycles).
// `threads` walk the project folders in parallel.
std::vector<FoundFile> find_jsonl_files(const std::vector<std::filesystem::path>& projects_dirs, unsigned threads);

// open(2) read-only with O_NOATIME, retried without it when the kernel refuses (EPERM: the
// file belongs to another user). Returns -1 on failure.
int open_readonly(const char* path, bool directory);

}  // namespace ccu::ingest::detail
