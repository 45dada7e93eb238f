#pragma once
#include <string>
#include <string_view>

// Gist file names (docs/format.md §2) and the origin Python tool's chunk names. Pure functions.
// File names from the remote are classified here and never used as local paths.
namespace ccu::sync {

inline constexpr std::string_view kManifestFileName = "manifest.json";

enum class FileRole {
    Manifest,     // manifest.json
    Current,      // usage_data_{m}.json
    Part,         // usage_data_{m}_part_{NNNN}.json (NNNN >= 0001, at least 4 digits, canonical)
    Backup,       // usage_data_{m}_backup_{YYYYMMDD}.json (also the origin tool's chunk backups
                  // usage_data_{m}_{chunk}_backup_{YYYYMMDD}.json when the machine is known)
    LegacyChunk,  // origin tool: usage_data_{m}_{YYYY}.json, _{YYYY}_{MM}.json, _{YYYY}_{MM}_p{N}.json
    Other,        // anything else (never touched by ccu)
};

struct FileNameInfo {
    FileRole role = FileRole::Other;
    std::string machine;       // empty for Manifest / Other
    int part = 0;              // Part: 1..; 0 otherwise
    std::string backup_date;   // Backup: "YYYYMMDD"; empty otherwise
    std::string chunk;         // LegacyChunk: "2025", "2025_01" or "2025_01_p2"; empty otherwise
    friend bool operator==(const FileNameInfo&, const FileNameInfo&) = default;
};

// Classifies a name assuming ccu machine names (no '_'), which makes every docs/format.md §2 pattern
// unambiguous. Names whose machine part contains '_' (origin-tool machines) are Other here:
// use classify_for_machine with the machine name from the manifest.
FileNameInfo classify_file_name(std::string_view file_name);

// Classifies a name as a file of one known machine (the name may contain '_' or other
// characters, as the origin tool allows). Other when the file is not one of that machine's.
FileNameInfo classify_for_machine(std::string_view file_name, std::string_view machine);

// A name that can be sent to / accepted from the Gist API: non-empty, <= 255 bytes, no '/', '\\',
// control characters, not "." or "..". (Gist file names are flat; ccu never uses them as paths.)
bool is_safe_gist_file_name(std::string_view file_name);

// Builders for ccu names. `part` >= 1 (formatted with at least 4 digits); `yyyymmdd` 8 digits.
std::string current_file_name(std::string_view machine);
std::string part_file_name(std::string_view machine, int part);
std::string backup_file_name(std::string_view machine, std::string_view yyyymmdd);

}  // namespace ccu::sync
