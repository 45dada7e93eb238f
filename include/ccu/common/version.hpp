#pragma once
#include <string_view>

namespace ccu {
// The project version, e.g. "0.1.0"; the manifest's `tool` field is "ccu " + version().
std::string_view version();
}  // namespace ccu
