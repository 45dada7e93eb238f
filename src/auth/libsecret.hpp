#pragma once
// libsecret (and the glib function its errors need), opened at run time on first use
// (ccu/common/shared_library.hpp): every such function src/auth calls is a pointer of the same
// name in ccu::auth, filled by load_libsecret().
#include <libsecret/secret.h>

#include "ccu/common/shared_library.hpp"

#define CCU_LIBSECRET_FUNCTIONS(X) \
    X(secret_password_lookup_sync) \
    X(secret_password_store_sync)  \
    X(secret_password_clear_sync)  \
    X(secret_password_free)

#define CCU_GLIB_FUNCTIONS(X) X(g_error_free)

namespace ccu::auth {

CCU_LIBSECRET_FUNCTIONS(CCU_SHARED_LIBRARY_POINTER)
CCU_GLIB_FUNCTIONS(CCU_SHARED_LIBRARY_POINTER)

// Opens libsecret and glib and fills the pointers, once per process (thread-safe; a failure is
// retried by the next call). Throws ccu::Error(NotConfigured) with the package to install when
// one is missing, which the token lookup treats like an unreachable keyring.
void load_libsecret();

}  // namespace ccu::auth
