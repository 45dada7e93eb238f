#pragma once
#include <filesystem>

namespace ccu::sync {

// One ccu sync per data dir (docs/format.md §8 step 1): an exclusive, non-blocking flock on Paths::lock_file().
// The holder's pid is written into the file so a second process can name it. The lock is
// released when the object is destroyed (or the process dies: flock dies with the fd).
class SyncLock {
public:
    // Throws ccu::Error(Locked) at once when another process holds the lock (cron must not
    // pile up), ccu::Error(Unexpected) when the file cannot be opened.
    explicit SyncLock(const std::filesystem::path& lock_file);
    ~SyncLock();
    SyncLock(const SyncLock&) = delete;
    SyncLock& operator=(const SyncLock&) = delete;

private:
    int fd_ = -1;
};

}  // namespace ccu::sync
