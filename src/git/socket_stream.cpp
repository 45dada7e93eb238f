// libgit2 1.5 has no connect or read timeout (GIT_OPT_SET_SERVER_TIMEOUT arrived in 1.7), so ccu
// registers its own plain socket stream: a connect bounded by poll() and reads/writes bounded by
// SO_RCVTIMEO/SO_SNDTIMEO. libgit2's TLS stream (mbedTLS) opens its socket through the same
// registry, so HTTPS gets the timeouts too, with libgit2's own certificate verification on top.
#include "git/socket_stream.hpp"

#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <string>

#include "git/libgit2_api.hpp"

namespace ccu::git {
namespace {

std::atomic<int> g_connect_ms{10000};
std::atomic<int> g_stall_ms{60000};

struct TimedSocket {
    git_stream parent;  // first member: libgit2 hands back this pointer
    std::string host;
    std::string port;
    int fd = -1;
};

TimedSocket& of(git_stream* s) { return *reinterpret_cast<TimedSocket*>(s); }

int fail(const std::string& what) {
    git_error_set_str(GIT_ERROR_NET, what.c_str());
    return -1;
}

// A non-blocking connect waited for with poll(); 0 on success with `fd` left blocking.
int connect_one(const addrinfo* ai, int timeout_ms) {
    const int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
    if (fd < 0) return -1;
    const int flags = fcntl(fd, F_GETFL, 0);
    fcntl(fd, F_SETFL, flags | O_NONBLOCK);
    int rc = connect(fd, ai->ai_addr, ai->ai_addrlen);
    if (rc != 0 && errno == EINPROGRESS) {
        pollfd p{fd, POLLOUT, 0};
        rc = poll(&p, 1, timeout_ms);
        if (rc == 1) {
            int err = 0;
            socklen_t len = sizeof err;
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
            rc = err == 0 ? 0 : -1;
            errno = err;
        } else {
            if (rc == 0) errno = ETIMEDOUT;
            rc = -1;
        }
    }
    if (rc != 0) {
        const int saved = errno;
        close(fd);
        errno = saved;
        return -1;
    }
    fcntl(fd, F_SETFL, flags);
    return fd;
}

int on_connect(git_stream* stream) {
    TimedSocket& s = of(stream);
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    if (const int rc = getaddrinfo(s.host.c_str(), s.port.c_str(), &hints, &found); rc != 0) {
        return fail("failed to resolve address for " + s.host + ": " + gai_strerror(rc));
    }
    int err = ECONNREFUSED;
    for (const addrinfo* ai = found; ai != nullptr && s.fd < 0; ai = ai->ai_next) {
        s.fd = connect_one(ai, g_connect_ms.load());
        if (s.fd < 0) err = errno;
    }
    freeaddrinfo(found);
    if (s.fd < 0) return fail("failed to connect to " + s.host + ": " + std::strerror(err));
    const int ms = g_stall_ms.load();
    const timeval tv{ms / 1000, static_cast<suseconds_t>((ms % 1000) * 1000)};
    setsockopt(s.fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(s.fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    return 0;
}

ssize_t on_read(git_stream* stream, void* data, size_t len) {
    const ssize_t n = recv(of(stream).fd, data, len, 0);
    if (n >= 0) return n;
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
        return fail("the git server timed out: nothing received for " + std::to_string(g_stall_ms.load() / 1000) + " s");
    }
    return fail(std::string("error receiving socket data: ") + std::strerror(errno));
}

ssize_t on_write(git_stream* stream, const char* data, size_t len, int /*flags*/) {
    const ssize_t n = send(of(stream).fd, data, len, MSG_NOSIGNAL);
    if (n >= 0) return n;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return fail("the git server timed out while ccu was sending");
    return fail(std::string("error sending data: ") + std::strerror(errno));
}

int on_close(git_stream* stream) {
    TimedSocket& s = of(stream);
    if (s.fd >= 0) close(s.fd);
    s.fd = -1;
    return 0;
}

void on_free(git_stream* stream) {
    on_close(stream);
    delete &of(stream);
}

int make_stream(git_stream** out, const char* host, const char* port) {
    auto* s = new TimedSocket();
    s->parent.version = GIT_STREAM_VERSION;
    s->parent.connect = on_connect;
    s->parent.read = on_read;
    s->parent.write = on_write;
    s->parent.close = on_close;
    s->parent.free = on_free;
    s->host = host;
    s->port = port;
    *out = &s->parent;
    return 0;
}

}  // namespace

void register_timed_socket_stream() {
    git_stream_registration registration{};
    registration.version = GIT_STREAM_VERSION;
    registration.init = make_stream;
    git_stream_register(GIT_STREAM_STANDARD, &registration);
}

void set_socket_timeouts(std::chrono::milliseconds connect, std::chrono::milliseconds stall) {
    g_connect_ms = static_cast<int>(connect.count());
    g_stall_ms = static_cast<int>(stall.count());
}

}  // namespace ccu::git
