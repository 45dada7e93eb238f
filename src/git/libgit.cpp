#include "git/libgit.hpp"

#include <mutex>

#include "ccu/common/version.hpp"
#include "git/socket_stream.hpp"

namespace ccu::git::lg {
namespace {

void load_libgit2() {
    const SharedLibrary library({CCU_LIBGIT2_SONAME, CCU_LIBGIT2_PACKAGE, "the gist's git transport"});
#define CCU_BIND(function) library.bind(function, #function);
    CCU_LIBGIT2_FUNCTIONS(CCU_BIND)
#undef CCU_BIND
}

}  // namespace

int check(int rc, const char* what) {
    if (rc >= 0) return rc;
    const git_error* e = git_error_last();
    std::string message = what;
    if (e != nullptr && e->message != nullptr) message += ": " + std::string(e->message);
    throw Failure(rc, e != nullptr ? e->klass : GIT_ERROR_NONE, message);
}

void ensure_initialized() {
    static std::once_flag once;
    std::call_once(once, [] {
        load_libgit2();
        git_libgit2_init();  // never shut down: the process ends with it
        // Read no system, global or XDG git config: the user's ~/.gitconfig must not redirect the
        // gist (url.*.insteadOf), add headers or change TLS for ccu. The mirror's own config only.
        for (const int level : {GIT_CONFIG_LEVEL_SYSTEM, GIT_CONFIG_LEVEL_XDG, GIT_CONFIG_LEVEL_GLOBAL,
                                GIT_CONFIG_LEVEL_PROGRAMDATA}) {
            git_libgit2_opts(GIT_OPT_SET_SEARCH_PATH, level, "");
        }
        const std::string agent = std::string("ccu/") + std::string(ccu::version());
        git_libgit2_opts(GIT_OPT_SET_USER_AGENT, agent.c_str());
        register_timed_socket_stream();
    });
}

std::string to_hex(const git_oid& oid) {
    char buf[GIT_OID_HEXSZ + 1] = {};
    git_oid_tostr(buf, sizeof buf, &oid);
    return buf;
}

git_oid from_hex(const std::string& hex) {
    git_oid oid{};
    if (hex.size() != GIT_OID_HEXSZ) throw Failure(GIT_EINVALID, GIT_ERROR_INVALID, "not an object id: " + hex);
    check(git_oid_fromstr(&oid, hex.c_str()), "object id");
    return oid;
}

}  // namespace ccu::git::lg
