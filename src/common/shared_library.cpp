#include "ccu/common/shared_library.hpp"

#include <dlfcn.h>

#include <string>

#include "ccu/common/error.hpp"

namespace ccu {
namespace {

[[noreturn]] void throw_unavailable(const SharedLibraryName& name, const std::string& problem) {
    // The package is in the message too: the keyring's callers quote only the message.
    throw LibraryUnavailable(std::string("cannot load ") + name.soname + " (package " + name.package +
                                 "), which ccu needs for " + name.purpose + ": " + problem,
                             std::string("install it: apt-get install ") + name.package);
}

std::string last_dl_error() {
    const char* text = dlerror();
    return text != nullptr ? text : "unknown dynamic loader error";
}

}  // namespace

SharedLibrary::SharedLibrary(const SharedLibraryName& name)
    : name_(name), handle_(dlopen(name.soname, RTLD_NOW | RTLD_LOCAL)) {
    if (handle_ == nullptr) throw_unavailable(name_, last_dl_error());
}

void* SharedLibrary::symbol(const char* symbol) const {
    (void)dlerror();  // a null address is only an error when dlerror says so
    void* address = dlsym(handle_, symbol);
    if (address == nullptr) throw_unavailable(name_, last_dl_error());
    return address;
}

}  // namespace ccu
