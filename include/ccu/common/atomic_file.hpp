#pragma once
#include <filesystem>
#include <string_view>

namespace ccu {

enum class FileMode { Normal = 0644, Private = 0600 };

// Writes `content` to a temporary file next to `target`, fsyncs it, then renames it over
// `target`: readers see the old file or the new one, never a torn one. Creates parent dirs
// (mode 0700 for Private). Throws ccu::Error on failure.
void write_file_atomically(const std::filesystem::path& target, std::string_view content,
                           FileMode mode = FileMode::Normal);

// Reads a whole file; throws ccu::Error when it cannot be opened.
std::string read_file(const std::filesystem::path& path);

}  // namespace ccu
