// The opt-in token file for headless machines (cron without a Secret Service).
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "ccu/auth/token_resolver.hpp"
#include "ccu/common/atomic_file.hpp"
#include "ccu/common/error.hpp"
#include "ccu/common/log.hpp"

namespace ccu::auth {
namespace fs = std::filesystem;

namespace {

std::string octal_mode(mode_t mode) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "%04o", static_cast<unsigned>(mode & 07777));
    return buf;
}

// Refuses a file others could read or replace: it holds a credential.
void check_private(const fs::path& file, const struct stat& st) {
    if (!S_ISREG(st.st_mode)) {
        throw Error(ErrorKind::NotConfigured, "token file " + file.string() + " is not a regular file",
                    "delete it and run 'ccu gist set-token --store file'");
    }
    if (st.st_uid != ::geteuid()) {
        throw Error(ErrorKind::NotConfigured,
                    "token file " + file.string() + " is owned by uid " + std::to_string(st.st_uid) +
                        ", not by you (uid " + std::to_string(::geteuid()) + "); refusing to use it",
                    "delete it and run 'ccu gist set-token --store file' as this user");
    }
    if ((st.st_mode & 077) != 0) {
        throw Error(ErrorKind::NotConfigured,
                    "token file " + file.string() + " has mode " + octal_mode(st.st_mode) +
                        " (readable or writable by group or others); refusing to use it",
                    "run 'chmod 600 " + file.string() + "' (and consider replacing the token, " +
                        "others may have read it)");
    }
}

class FileTokenStore final : public TokenStore {
public:
    explicit FileTokenStore(fs::path file) : file_(std::move(file)) {}

    std::optional<std::string> load() override {
        const int fd = ::open(file_.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0) {
            if (errno == ENOENT) return std::nullopt;
            if (errno == ELOOP) {
                throw Error(ErrorKind::NotConfigured, "token file " + file_.string() + " is a symbolic link",
                            "replace it with a real file: 'ccu gist set-token --store file'");
            }
            throw Error(ErrorKind::NotConfigured,
                        "cannot read token file " + file_.string() + ": " + std::strerror(errno),
                        "check its owner and mode (chmod 600), or run 'ccu gist set-token --store file'");
        }
        struct stat st {};
        if (::fstat(fd, &st) != 0) {
            const int err = errno;
            ::close(fd);
            throw Error(ErrorKind::NotConfigured, "cannot stat token file " + file_.string() + ": " +
                                                      std::strerror(err));
        }
        try {
            check_private(file_, st);
        } catch (...) {
            ::close(fd);
            throw;
        }
        std::string content;
        char buf[4096];
        for (;;) {
            const ssize_t n = ::read(fd, buf, sizeof buf);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) break;
            content.append(buf, static_cast<std::size_t>(n));
            if (content.size() > 64 * 1024) break;  // no token is this long
        }
        ::close(fd);
        const auto first = content.find_first_not_of(" \t\r\n");
        if (first == std::string::npos) return std::nullopt;
        const auto last = content.find_last_not_of(" \t\r\n");
        std::string token = content.substr(first, last - first + 1);
        log::register_secret(token);
        return token;
    }

    void save(const std::string& token) override {
        write_file_atomically(file_, token + "\n", FileMode::Private);
        // write_file_atomically creates with 0600 minus umask; make sure nothing else is set.
        ::chmod(file_.c_str(), S_IRUSR | S_IWUSR);
    }

    bool remove() override {
        std::error_code ec;
        const bool removed = fs::remove(file_, ec);
        if (ec) {
            throw Error(ErrorKind::Unexpected, "cannot delete token file " + file_.string() + ": " + ec.message(),
                        "delete it by hand");
        }
        return removed;
    }

    std::string describe() const override { return "token file " + file_.string(); }

private:
    fs::path file_;
};

}  // namespace

std::unique_ptr<TokenStore> make_file_store(const fs::path& file) {
    return std::make_unique<FileTokenStore>(file);
}

}  // namespace ccu::auth
