#pragma once
// libcurl, opened at run time on first use (ccu/common/shared_library.hpp): every libcurl function
// src/gist calls is a pointer of the same name in ccu::gist, filled by load_libcurl().
#include <curl/curl.h>

#include "ccu/common/shared_library.hpp"

// curl_easy_setopt and curl_easy_getinfo are also macros of curl.h (expanding to a call of the
// same name in C++), which reaches these pointers like any other call.
#define CCU_LIBCURL_FUNCTIONS(X) \
    X(curl_global_init)          \
    X(curl_easy_init)            \
    X(curl_easy_cleanup)         \
    X(curl_easy_reset)           \
    X(curl_easy_setopt)          \
    X(curl_easy_getinfo)         \
    X(curl_easy_perform)         \
    X(curl_easy_strerror)        \
    X(curl_slist_append)         \
    X(curl_slist_free_all)       \
    X(curl_url)                  \
    X(curl_url_cleanup)          \
    X(curl_url_set)              \
    X(curl_url_get)              \
    X(curl_free)

namespace ccu::gist {

CCU_LIBCURL_FUNCTIONS(CCU_SHARED_LIBRARY_POINTER)

// Opens libcurl and fills the pointers, once per process (thread-safe; a failure is retried by
// the next call). Throws ccu::Error(NotConfigured) with the package to install when it is missing.
void load_libcurl();

}  // namespace ccu::gist
