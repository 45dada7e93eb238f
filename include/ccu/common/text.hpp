#pragma once
#include <cstdint>
#include <string>
#include <string_view>

namespace ccu {

// "812 B", "3.4 KiB", "1.2 MiB", "2.0 GiB".
std::string human_bytes(std::uint64_t bytes);
// ASCII lower case (HTTP header names, error texts).
std::string to_lower(std::string_view text);
// Without leading and trailing ASCII white space.
std::string_view trim(std::string_view text);

}  // namespace ccu
