#include "git/zlib.hpp"

#include <mutex>

#include "ccu/common/error.hpp"

namespace ccu::git {

void load_zlib() {
    static std::once_flag once;
    std::call_once(once, [] {
        const SharedLibrary library({CCU_ZLIB_SONAME, CCU_ZLIB_PACKAGE, "the gist's git transport"});
#define CCU_BIND(function) library.bind(function, #function);
        CCU_ZLIB_FUNCTIONS(CCU_BIND)
#undef CCU_BIND
    });
}

std::string zlib_compress(std::string_view bytes) {
    load_zlib();
    uLongf size = compressBound(static_cast<uLong>(bytes.size()));
    std::string out(size, '\0');
    const int rc = compress2(reinterpret_cast<Bytef*>(out.data()), &size, reinterpret_cast<const Bytef*>(bytes.data()),
                             static_cast<uLong>(bytes.size()), Z_DEFAULT_COMPRESSION);
    if (rc != Z_OK) throw Error(ErrorKind::Unexpected, "zlib failed to compress " + std::to_string(bytes.size()) + " bytes");
    out.resize(size);
    return out;
}

}  // namespace ccu::git
