#include "ccu/common/atomic_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <random>
#include <sstream>
#include <string>

#include "ccu/common/error.hpp"

namespace ccu {
namespace fs = std::filesystem;

namespace {

[[noreturn]] void fail(const std::string& what, const fs::path& path, int err) {
    throw Error(ErrorKind::Unexpected, what + " " + path.string() + ": " + std::strerror(err),
                "check permissions and free space of that directory");
}

std::string temp_suffix() {
    std::random_device rd;
    return ".tmp." + std::to_string(::getpid()) + "." + std::to_string(rd());
}

}  // namespace

void write_file_atomically(const fs::path& target, std::string_view content, FileMode mode) {
    const fs::path dir = target.parent_path().empty() ? fs::path(".") : target.parent_path();
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) fail("cannot create directory", dir, ec.value());
    if (mode == FileMode::Private) fs::permissions(dir, fs::perms::owner_all, ec);

    std::string tmp_name = ".";
    tmp_name += target.filename().string();
    tmp_name += temp_suffix();
    const fs::path tmp = dir / tmp_name;
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, static_cast<mode_t>(mode));
    if (fd < 0) fail("cannot create", tmp, errno);
    std::size_t written = 0;
    while (written < content.size()) {
        const ssize_t n = ::write(fd, content.data() + written, content.size() - written);
        if (n < 0) {
            if (errno == EINTR) continue;
            const int err = errno;
            ::close(fd);
            ::unlink(tmp.c_str());
            fail("cannot write", tmp, err);
        }
        written += static_cast<std::size_t>(n);
    }
    if (::fsync(fd) != 0 || ::close(fd) != 0) {
        const int err = errno;
        ::unlink(tmp.c_str());
        fail("cannot flush", tmp, err);
    }
    if (::rename(tmp.c_str(), target.c_str()) != 0) {
        const int err = errno;
        ::unlink(tmp.c_str());
        fail("cannot replace", target, err);
    }
    // Make the rename itself durable.
    const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        ::fsync(dfd);
        ::close(dfd);
    }
}

std::string read_file(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) fail("cannot open", path, errno);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

}  // namespace ccu
