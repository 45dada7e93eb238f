#pragma once
#include <cstddef>
#include <string_view>

namespace ccu {

// Remote JSON (manifest, data files) is refused beyond this nesting: nlohmann::json copies,
// compares and dumps values recursively, so a crafted file nested 100000 levels deep would
// overflow the stack. ccu's own files nest 4 levels.
inline constexpr std::size_t kMaxRemoteJsonDepth = 64;

// True when `text` opens more than `limit` arrays/objects at once (brackets inside strings do
// not count). Linear, no allocation; meant to run before json::parse.
bool json_nesting_exceeds(std::string_view text, std::size_t limit = kMaxRemoteJsonDepth);

}  // namespace ccu
