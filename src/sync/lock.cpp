#include "ccu/sync/lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "ccu/common/error.hpp"

namespace ccu::sync {
namespace {

std::string read_holder_pid(int fd) {
    char buffer[32] = {};
    const ssize_t n = ::pread(fd, buffer, sizeof(buffer) - 1, 0);
    if (n <= 0) return {};
    std::string text(buffer, static_cast<std::size_t>(n));
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
    return text;
}

void write_own_pid(int fd) {
    const std::string pid = std::to_string(::getpid()) + "\n";
    if (::ftruncate(fd, 0) == 0) {
        // Best effort: the pid is only used in the message a second process prints.
        [[maybe_unused]] const ssize_t n = ::pwrite(fd, pid.data(), pid.size(), 0);
    }
}

}  // namespace

SyncLock::SyncLock(const std::filesystem::path& lock_file) {
    std::error_code ec;
    std::filesystem::create_directories(lock_file.parent_path(), ec);
    fd_ = ::open(lock_file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd_ < 0) {
        throw Error(ErrorKind::Unexpected,
                    "cannot open lock file " + lock_file.string() + ": " + std::strerror(errno),
                    "check that the data dir is writable");
    }
    if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
        const int err = errno;
        const std::string holder = read_holder_pid(fd_);
        ::close(fd_);
        fd_ = -1;
        if (err == EWOULDBLOCK) {
            throw Error(ErrorKind::Locked,
                        "another ccu sync is running" + (holder.empty() ? std::string() : " (pid " + holder + ")") +
                            "; lock file " + lock_file.string(),
                        "wait for it to finish and try again");
        }
        throw Error(ErrorKind::Unexpected, "cannot lock " + lock_file.string() + ": " + std::strerror(err));
    }
    write_own_pid(fd_);
}

SyncLock::~SyncLock() {
    if (fd_ >= 0) {
        [[maybe_unused]] const int truncated = ::ftruncate(fd_, 0);
        ::flock(fd_, LOCK_UN);
        ::close(fd_);
    }
}

}  // namespace ccu::sync
