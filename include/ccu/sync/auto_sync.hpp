#pragma once
// `ccu gist auto-sync on|off`: the pure part. What a systemd user timer or a crontab line must
// say to run `ccu gist auto-sync run` on schedule, and how ccu finds (and only its own) entries
// again. The side effects (crontab, systemctl, unit files) are in scheduler.hpp.
#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ccu::sync {

enum class AutoSyncMode { Sync, Push };
std::string_view auto_sync_mode_name(AutoSyncMode mode);  // "sync" | "push"
// "sync" | "push"; throws ccu::Error(Usage) otherwise.
AutoSyncMode parse_auto_sync_mode(std::string_view text);

// "30m", "2h", "1h30m", "90" (bare number = minutes) -> minutes. Throws ccu::Error(Usage) for
// anything else, and for 0 or more than a day.
int parse_interval_minutes(std::string_view text);
// 30 -> "30 min", 60 -> "1 h", 90 -> "1 h 30 min".
std::string describe_interval(int minutes);

// What the scheduler runs: the binary's absolute path, and the environment ccu needs to find the
// same config and data dirs (cron and systemd start with almost none). Never a token.
struct ScheduledCommand {
    std::filesystem::path binary;
    std::vector<std::pair<std::string, std::string>> env;
};
// The variables worth carrying into the scheduled run, in this order, when set.
inline constexpr const char* kCarriedVariables[] = {"XDG_CONFIG_HOME", "CCU_DATA_DIR", "CLAUDE_CONFIG_DIR",
                                                    "CCU_GITHUB_API_URL"};
// The arguments after the binary.
inline constexpr const char* kScheduledArgs[] = {"gist", "auto-sync", "run", "--quiet"};

// ---- cron ----
inline constexpr std::string_view kCronMarker = "# ccu auto-sync";
// interval < 60 -> "*/N * * * *"; below a day -> "0 * * * *" or "0 */H * * *" (H rounded up: cron
// has no 90-minute step); a day -> "0 0 * * *".
std::string cron_schedule(int interval_minutes);
bool cron_rounds(int interval_minutes);  // the schedule is coarser than asked
// "<schedule> VAR='v' '/abs/ccu' gist auto-sync run --quiet # ccu auto-sync"
std::string crontab_line(const ScheduledCommand& command, int interval_minutes);
// The user's crontab with every ccu line removed (other lines kept byte for byte).
std::string crontab_without_ccu(std::string_view crontab);
// The user's crontab with its ccu line replaced by (or, when absent, `line` appended).
std::string crontab_with_line(std::string_view crontab, const std::string& line);
// The ccu line of a crontab, if any.
std::optional<std::string> ccu_crontab_line(std::string_view crontab);
// The first time after `now` the schedule of `interval_minutes` fires, in local time.
std::chrono::system_clock::time_point next_cron_run(int interval_minutes, std::chrono::system_clock::time_point now);

// ---- systemd ----
inline constexpr const char* kServiceUnit = "ccu-auto-sync.service";
inline constexpr const char* kTimerUnit = "ccu-auto-sync.timer";
inline constexpr std::string_view kUnitMarker = "# Written by 'ccu gist auto-sync on'";
std::string systemd_service_unit(const ScheduledCommand& command);
std::string systemd_timer_unit(int interval_minutes);
// True when the unit file text carries ccu's marker (off never removes a file it did not write).
bool written_by_ccu(std::string_view unit_text);

}  // namespace ccu::sync
