#include "ccu/sync/file_names.hpp"

#include <charconv>
#include <cstdio>

#include "ccu/common/config.hpp"
#include "ccu/common/time.hpp"

namespace ccu::sync {
namespace {

constexpr std::string_view kPrefix = "usage_data_";
constexpr std::string_view kSuffix = ".json";
constexpr std::string_view kPartMarker = "_part_";
constexpr std::string_view kBackupMarker = "_backup_";

bool all_digits(std::string_view s) {
    if (s.empty()) return false;
    for (const char c : s) {
        if (c < '0' || c > '9') return false;
    }
    return true;
}

// "0001" -> 1; only the canonical spelling (at least 4 digits, no extra leading zeros) counts,
// so every part number has exactly one file name.
std::optional<int> parse_part_number(std::string_view digits) {
    if (digits.size() < 4 || digits.size() > 9 || !all_digits(digits)) return std::nullopt;
    int value = 0;
    std::from_chars(digits.data(), digits.data() + digits.size(), value);
    if (value < 1) return std::nullopt;
    if (digits.size() > 4 && digits.front() == '0') return std::nullopt;
    return value;
}

bool is_backup_date(std::string_view s) {
    return s.size() == 8 && all_digits(s) && timeutil::parse_date_arg(s).has_value();
}

bool is_month(std::string_view s) {
    if (s.size() != 2 || !all_digits(s)) return false;
    const int m = (s[0] - '0') * 10 + (s[1] - '0');
    return m >= 1 && m <= 12;
}

// Origin-tool chunk suffix (without the leading '_'): "YYYY", "YYYY_MM", "YYYY_MM_pN".
bool is_legacy_chunk(std::string_view s) {
    if (s.size() < 4 || !all_digits(s.substr(0, 4))) return false;
    if (s.size() == 4) return true;
    if (s[4] != '_' || !is_month(s.substr(5, 2))) return false;
    if (s.size() == 7) return true;
    if (s.size() < 10 || s.substr(7, 2) != "_p") return false;
    const std::string_view n = s.substr(9);
    return all_digits(n) && n.front() != '0' && n.size() <= 6;
}

// Classifies the text between "usage_data_{machine}" and the end of the name.
FileNameInfo classify_rest(std::string_view rest, std::string_view machine) {
    FileNameInfo info;
    if (rest.size() < kSuffix.size() || rest.substr(rest.size() - kSuffix.size()) != kSuffix) {
        return info;
    }
    rest.remove_suffix(kSuffix.size());
    info.machine = std::string(machine);
    if (rest.empty()) {
        info.role = FileRole::Current;
        return info;
    }
    if (rest.substr(0, kPartMarker.size()) == kPartMarker) {
        if (const auto n = parse_part_number(rest.substr(kPartMarker.size()))) {
            info.role = FileRole::Part;
            info.part = *n;
            return info;
        }
    }
    // "_backup_YYYYMMDD" (ccu and origin) or "_{chunk}_backup_YYYYMMDD" (origin chunk backups).
    if (const auto pos = rest.rfind(kBackupMarker); pos != std::string_view::npos) {
        const std::string_view date = rest.substr(pos + kBackupMarker.size());
        const std::string_view before = rest.substr(0, pos);
        if (is_backup_date(date) && (before.empty() || is_legacy_chunk(before.substr(1)))) {
            info.role = FileRole::Backup;
            info.backup_date = std::string(date);
            return info;
        }
    }
    if (rest.front() == '_' && is_legacy_chunk(rest.substr(1))) {
        info.role = FileRole::LegacyChunk;
        info.chunk = std::string(rest.substr(1));
        return info;
    }
    return FileNameInfo{};
}

}  // namespace

bool is_safe_gist_file_name(std::string_view name) {
    if (name.empty() || name.size() > 255 || name == "." || name == "..") return false;
    for (const char c : name) {
        const auto u = static_cast<unsigned char>(c);
        if (c == '/' || c == '\\' || u < 0x20 || u == 0x7f) return false;
    }
    return true;
}

FileNameInfo classify_file_name(std::string_view name) {
    if (name == kManifestFileName) return FileNameInfo{FileRole::Manifest, {}, 0, {}, {}};
    if (!is_safe_gist_file_name(name) || name.substr(0, kPrefix.size()) != kPrefix) return {};
    const std::string_view body = name.substr(kPrefix.size());
    // A ccu machine name has no '_', so it ends at the first '_' or at ".json".
    std::size_t end = body.find('_');
    if (end == std::string_view::npos) {
        if (body.size() <= kSuffix.size()) return {};
        end = body.size() - kSuffix.size();
    }
    const std::string_view machine = body.substr(0, end);
    if (!is_valid_machine_name(machine)) return {};
    return classify_rest(body.substr(end), machine);
}

FileNameInfo classify_for_machine(std::string_view name, std::string_view machine) {
    if (machine.empty() || !is_safe_gist_file_name(name)) return {};
    if (name.size() < kPrefix.size() + machine.size() || name.substr(0, kPrefix.size()) != kPrefix ||
        name.substr(kPrefix.size(), machine.size()) != machine) {
        return {};
    }
    return classify_rest(name.substr(kPrefix.size() + machine.size()), machine);
}

std::string current_file_name(std::string_view machine) {
    return std::string(kPrefix) + std::string(machine) + std::string(kSuffix);
}

std::string part_file_name(std::string_view machine, int part) {
    char digits[16];
    std::snprintf(digits, sizeof digits, "%04d", part);
    return std::string(kPrefix) + std::string(machine) + std::string(kPartMarker) + digits +
           std::string(kSuffix);
}

std::string backup_file_name(std::string_view machine, std::string_view yyyymmdd) {
    return std::string(kPrefix) + std::string(machine) + std::string(kBackupMarker) +
           std::string(yyyymmdd) + std::string(kSuffix);
}

}  // namespace ccu::sync
