#include "libcurl.hpp"

#include <mutex>

namespace ccu::gist {

void load_libcurl() {
    static std::once_flag once;
    std::call_once(once, [] {
        const SharedLibrary library({CCU_LIBCURL_SONAME, CCU_LIBCURL_PACKAGE, "the GitHub API (gist commands)"});
#define CCU_BIND(function) library.bind(function, #function);
        CCU_LIBCURL_FUNCTIONS(CCU_BIND)
#undef CCU_BIND
    });
}

}  // namespace ccu::gist
