#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ccu {

// "812 B", "3.4 KiB", "1.2 MiB", "2.0 GiB".
std::string human_bytes(std::uint64_t bytes);
// ASCII lower case (HTTP header names, error texts).
std::string to_lower(std::string_view text);
// Without leading and trailing ASCII white space.
std::string_view trim(std::string_view text);
// The items between `separator`s, each trimmed, empty ones dropped ("a, b,,c " -> a, b, c):
// comma-separated lists in variables (CLAUDE_CONFIG_DIR) and headers (X-OAuth-Scopes).
std::vector<std::string> split_trimmed(std::string_view text, char separator);

// 64-bit FNV-1a of `bytes`, with the offset basis ccu has always used, 1469598103934665603 (FNV's
// published one is 14695981039346656037). Persisted (scan cursors' head fingerprints, the
// `line-<hex>` ids of lines without a uuid), so its values must never change: tests pin them.
std::uint64_t fnv1a64(std::string_view bytes);

}  // namespace ccu
