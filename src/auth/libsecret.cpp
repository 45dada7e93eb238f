#include "libsecret.hpp"

#include <mutex>

namespace ccu::auth {

void load_libsecret() {
    static std::once_flag once;
    std::call_once(once, [] {
        // glib first: libsecret loads it anyway, and its own error names the right package.
        const SharedLibrary glib({CCU_GLIB_SONAME, CCU_GLIB_PACKAGE, "the system keyring (Secret Service)"});
        const SharedLibrary secret({CCU_LIBSECRET_SONAME, CCU_LIBSECRET_PACKAGE, "the system keyring (Secret Service)"});
#define CCU_BIND_GLIB(function) glib.bind(function, #function);
#define CCU_BIND_SECRET(function) secret.bind(function, #function);
        CCU_GLIB_FUNCTIONS(CCU_BIND_GLIB)
        CCU_LIBSECRET_FUNCTIONS(CCU_BIND_SECRET)
#undef CCU_BIND_GLIB
#undef CCU_BIND_SECRET
    });
}

}  // namespace ccu::auth
