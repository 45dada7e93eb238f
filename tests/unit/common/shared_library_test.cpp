#include <catch2/catch.hpp>

#include <cstring>
#include <string>

#include "ccu/common/error.hpp"
#include "ccu/common/shared_library.hpp"

using namespace ccu;

TEST_CASE("shared library: a missing one is a NotConfigured error naming it, dlerror and the package",
          "[common][shared_library]") {
    try {
        const SharedLibrary missing({"libccu-does-not-exist.so.7", "libccu-nothing7", "a test"});
        FAIL("dlopen of a nonexistent soname succeeded");
    } catch (const Error& e) {
        CHECK(e.kind() == ErrorKind::NotConfigured);
        const std::string message = e.what();
        CHECK(message.find("cannot load libccu-does-not-exist.so.7 (package libccu-nothing7)") != std::string::npos);
        CHECK(message.find("which ccu needs for a test") != std::string::npos);
        CHECK(message.find("cannot open shared object file") != std::string::npos);  // dlerror()
        CHECK(e.hint() == "install it: apt-get install libccu-nothing7");
    }
}

TEST_CASE("shared library: symbols bind to typed pointers, a missing symbol is the same error",
          "[common][shared_library]") {
    const SharedLibrary libc({"libc.so.6", "libc6", "a test"});
    decltype(&::strlen) length = nullptr;
    libc.bind(length, "strlen");
    REQUIRE(length != nullptr);
    CHECK(length("four") == 4);
    try {
        libc.symbol("ccu_no_such_symbol");
        FAIL("dlsym of a nonexistent symbol succeeded");
    } catch (const Error& e) {
        CHECK(e.kind() == ErrorKind::NotConfigured);
        CHECK(std::string(e.what()).find("ccu_no_such_symbol") != std::string::npos);
        CHECK(e.hint() == "install it: apt-get install libc6");
    }
}
