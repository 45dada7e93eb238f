#pragma once
#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ccu::timeutil {

using TimePoint = std::chrono::system_clock::time_point;

// Parses RFC 3339 / ISO 8601 timestamps as Claude Code and the origin tool write them:
// "2025-01-02T03:04:05.678Z", "...+00:00", "...+05:30", with or without fraction.
// Returns milliseconds since the Unix epoch (UTC), or nullopt when malformed.
std::optional<std::int64_t> parse_rfc3339_ms(std::string_view text);

// "2025-01-02T03:04:05.678Z" (always UTC, always milliseconds).
std::string format_rfc3339_ms(std::int64_t epoch_ms);
// The same text into `out` (no allocation; reports write two per session row); its length.
std::size_t format_rfc3339_ms(std::int64_t epoch_ms, std::array<char, 40>& out);
std::string format_rfc3339(TimePoint tp);

// Canonical form of a timestamp string (UTC, Z, milliseconds); nullopt when malformed.
std::optional<std::string> normalize_rfc3339(std::string_view text);

// "YYYY-MM-DD" of an epoch-ms instant in UTC.
std::string utc_date(std::int64_t epoch_ms);
// "YYYYMMDD" of a time point in UTC (backup file names).
std::string utc_compact_date(TimePoint tp);
// Validates "YYYY-MM-DD" or "YYYYMMDD"; returns "YYYYMMDD".
std::optional<std::string> parse_date_arg(std::string_view text);
// Exactly "YYYY-MM-DD" and a real date (a manifest's last_backup_date, a data file's dates).
bool is_iso_date(std::string_view text);

std::int64_t to_epoch_ms(TimePoint tp);
TimePoint from_epoch_ms(std::int64_t ms);

}  // namespace ccu::timeutil
