#pragma once
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "ccu/common/environment.hpp"

namespace ccu::report {

// An IANA time zone read from the system tz database (TZif files), used for report day
// boundaries. libstdc++ 12 has no std::chrono::tzdb, so the TZif v2 file is read directly.
// Instants after the file's last transition keep its last offset (Debian ships "fat" TZif
// files with transitions up to 2037).
class TimeZone {
public:
    static TimeZone utc();
    // "UTC", "Etc/UTC", "Z" or an IANA name ("Asia/Tokyo"); throws ccu::Error(Usage) for an
    // unknown zone. `zoneinfo_dir` is where the database lives.
    static TimeZone named(std::string_view name,
                          const std::filesystem::path& zoneinfo_dir = "/usr/share/zoneinfo");
    // The system zone: $TZ when set ("Area/City" or ":Area/City"), else /etc/localtime,
    // else UTC. This is ccusage's default (--timezone defaults to the system zone).
    static TimeZone local(const Environment& env);
    static TimeZone from_tzif(std::string name, std::string_view tzif_bytes);  // throws Usage

    const std::string& name() const { return name_; }
    std::int64_t offset_seconds(std::int64_t epoch_seconds) const;
    // "YYYY-MM-DD" of the instant in this zone.
    std::string local_date(std::int64_t epoch_ms) const;

private:
    std::string name_;
    std::vector<std::int64_t> transitions_;  // epoch seconds, ascending
    std::vector<std::int64_t> offsets_;      // offset after transitions_[i]
    std::int64_t initial_offset_ = 0;        // before the first transition
};

}  // namespace ccu::report
