#pragma once
// zlib, opened at run time like libgit2 (ccu/common/shared_library.hpp; libgit2 links it, so it is
// the copy already loaded): the thin pack of a push (thin_pack.hpp) writes zlib streams itself.
#include <zlib.h>

#include <string>
#include <string_view>

#include "ccu/common/shared_library.hpp"

#define CCU_ZLIB_FUNCTIONS(X) \
    X(compress2)              \
    X(compressBound)

namespace ccu::git {

CCU_ZLIB_FUNCTIONS(CCU_SHARED_LIBRARY_POINTER)

// Opens zlib once per process; throws LibraryUnavailable naming its package when it is missing.
void load_zlib();

// `bytes` as one zlib stream (what a pack entry stores), at zlib's default level, as git writes.
std::string zlib_compress(std::string_view bytes);

}  // namespace ccu::git
