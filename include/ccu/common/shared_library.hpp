#pragma once
// A shared library opened at run time, for the three that only `gist` commands need (libgit2,
// libcurl, libsecret): linking them would make every ccu process, reports and the statusline
// included, pay for loading them and their ~50 dependencies (docs/architecture.md, "Libraries
// opened at run time").
#include <bit>
#include <string>
#include <utility>

#include "ccu/common/error.hpp"

namespace ccu {

// What to open and what to tell the user when it is missing.
struct SharedLibraryName {
    const char* soname;   // e.g. "libcurl.so.4", found by cmake (cmake/CcuRuntimeLibraries.cmake)
    const char* package;  // the Debian package that ships it, e.g. "libcurl4"
    const char* purpose;  // what ccu needs it for, e.g. "the GitHub API"
};

// A library that cannot be loaded (ErrorKind::NotConfigured): its own type, so that a caller
// with another way to do the job (sync's auto transport without libgit2) can take it.
class LibraryUnavailable : public Error {
public:
    LibraryUnavailable(const std::string& message, std::string hint)
        : Error(ErrorKind::NotConfigured, message, std::move(hint)) {}
};

class SharedLibrary {
public:
    // dlopen(soname, RTLD_NOW | RTLD_LOCAL), never closed (its functions stay callable until exit,
    // and LeakSanitizer can still name the library in a report). A library already loaded under
    // that soname (a test binary linking it) is the same copy. Throws LibraryUnavailable naming
    // the library, dlerror() and the package to install.
    explicit SharedLibrary(const SharedLibraryName& name);

    // The address of `symbol`; throws LibraryUnavailable when the library lacks it (another version).
    void* symbol(const char* symbol) const;

    // Sets a function pointer declared with CCU_SHARED_LIBRARY_POINTER to `symbol`'s address.
    template <class F>
    void bind(F& slot, const char* symbol_name) const {
        slot = std::bit_cast<F>(symbol(symbol_name));
    }

private:
    SharedLibraryName name_;
    void* handle_;
};

}  // namespace ccu

// One pointer named like the C function, for a library's X-macro list, expanded in the namespace
// of the function's callers: their unqualified calls find the pointer before the global function
// (lookup stops at the innermost scope that has the name; a variable disables ADL), so the call
// sites stay those of the C API, type-checked against its declaration. A function the list lacks
// is a link error in the `ccu` executable, which does not link the library.
#define CCU_SHARED_LIBRARY_POINTER(function) inline decltype(&::function) function = nullptr;
