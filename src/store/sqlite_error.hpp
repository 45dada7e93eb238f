#pragma once
#include <SQLiteCpp/Exception.h>

#include <filesystem>
#include <string_view>

#include "ccu/common/error.hpp"

namespace ccu::store::detail {

// Turns an SQLite failure into a ccu::Error that names the file and says what to do next.
[[noreturn]] void throw_store_error(const SQLite::Exception& e, const std::filesystem::path& file,
                                    std::string_view action);

// Runs `body`, translating SQLite exceptions (ccu::Error passes through unchanged).
template <typename Body>
auto guarded(const std::filesystem::path& file, std::string_view action, Body&& body) -> decltype(body()) {
    try {
        return body();
    } catch (const SQLite::Exception& e) {
        throw_store_error(e, file, action);
    }
}

}  // namespace ccu::store::detail
