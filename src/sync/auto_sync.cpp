#include "ccu/sync/auto_sync.hpp"

#include <algorithm>
#include <cctype>
#include <ctime>

#include "ccu/common/error.hpp"

namespace ccu::sync {

std::string_view auto_sync_mode_name(AutoSyncMode mode) { return mode == AutoSyncMode::Push ? "push" : "sync"; }

AutoSyncMode parse_auto_sync_mode(std::string_view text) {
    if (text == "sync") return AutoSyncMode::Sync;
    if (text == "push") return AutoSyncMode::Push;
    throw Error(ErrorKind::Usage, "auto-sync mode '" + std::string(text) + "' is not 'sync' or 'push'",
                "pass --mode sync (pull, then push) or --mode push (upload only)");
}

namespace {

constexpr int kDayMinutes = 24 * 60;

Error bad_interval(std::string_view text, const std::string& why) {
    return Error(ErrorKind::Usage, "--interval '" + std::string(text) + "': " + why,
                 "pass a duration from 1 minute to a day, e.g. --interval 30m, --interval 2h or --interval 90");
}

}  // namespace

int parse_interval_minutes(std::string_view text) {
    if (text.empty()) throw bad_interval(text, "empty");
    long long total = 0;
    std::size_t i = 0;
    bool any_unit = false;
    while (i < text.size()) {
        const std::size_t start = i;
        long long number = 0;
        while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])) != 0) {
            number = number * 10 + (text[i] - '0');
            if (number > kDayMinutes * 60LL) throw bad_interval(text, "more than a day");
            ++i;
        }
        if (i == start) throw bad_interval(text, "expected a number");
        if (i == text.size()) {
            if (any_unit) throw bad_interval(text, "a number without a unit after a unit");
            total += number;  // a bare number is minutes (the interface before units)
            break;
        }
        const char unit = static_cast<char>(std::tolower(static_cast<unsigned char>(text[i++])));
        if (unit == 'h') {
            total += number * 60;
        } else if (unit == 'm') {
            total += number;
        } else if (unit == 'd') {
            total += number * kDayMinutes;
        } else {
            throw bad_interval(text, "unknown unit '" + std::string(1, unit) + "' (use m, h or d)");
        }
        any_unit = true;
    }
    if (total < 1) throw bad_interval(text, "must be at least 1 minute");
    if (total > kDayMinutes) throw bad_interval(text, "more than a day");
    return static_cast<int>(total);
}

std::string describe_interval(int minutes) {
    if (minutes < 60) return std::to_string(minutes) + " min";
    // Appended piece by piece: GCC 12 at -O3 warns -Wstringop-overflow (a false positive) on
    // `"literal" + std::string&&`, which inserts at the front.
    std::string text = std::to_string(minutes / 60);
    text += " h";
    if (minutes % 60 != 0) {
        text += ' ';
        text += std::to_string(minutes % 60);
        text += " min";
    }
    return text;
}

// ---- cron ----

std::string cron_schedule(int interval_minutes) {
    const int m = std::clamp(interval_minutes, 1, kDayMinutes);
    if (m < 60) return "*/" + std::to_string(m) + " * * * *";
    if (m < kDayMinutes) {
        const int hours = (m + 59) / 60;
        return hours == 1 ? "0 * * * *" : "0 */" + std::to_string(hours) + " * * *";
    }
    return "0 0 * * *";
}

bool cron_rounds(int interval_minutes) {
    const int m = std::clamp(interval_minutes, 1, kDayMinutes);
    return (m < 60 && 60 % m != 0) || (m >= 60 && m < kDayMinutes && (m % 60 != 0 || 24 % (m / 60) != 0));
}

namespace {

// POSIX shell single quotes; '%' is special to cron itself (a newline) unless escaped.
std::string cron_quote(std::string_view value) {
    std::string out = "'";
    for (const char c : value) {
        if (c == '\'') {
            out += "'\\''";
        } else if (c == '%') {
            out += "\\%";
        } else {
            out += c;
        }
    }
    return out + "'";
}

bool is_ccu_line(std::string_view line) {
    while (!line.empty() && (line.back() == ' ' || line.back() == '\t' || line.back() == '\r')) line.remove_suffix(1);
    return line.size() >= kCronMarker.size() && line.substr(line.size() - kCronMarker.size()) == kCronMarker;
}

template <typename F>
void for_each_line(std::string_view text, F&& f) {
    std::size_t start = 0;
    while (start < text.size()) {
        const auto nl = text.find('\n', start);
        const auto end = nl == std::string_view::npos ? text.size() : nl + 1;
        f(text.substr(start, end - start));
        start = end;
    }
}

}  // namespace

std::string crontab_line(const ScheduledCommand& command, int interval_minutes) {
    std::string line = cron_schedule(interval_minutes);
    for (const auto& [name, value] : command.env) {
        line += ' ';
        line += name;
        line += '=';
        line += cron_quote(value);
    }
    line += ' ';
    line += cron_quote(command.binary.string());
    for (const char* arg : kScheduledArgs) line += std::string(" ") + arg;
    return line + " " + std::string(kCronMarker);
}

std::string crontab_without_ccu(std::string_view crontab) {
    std::string out;
    for_each_line(crontab, [&out](std::string_view line) {
        if (!is_ccu_line(line.substr(0, line.find('\n')))) out += line;
    });
    return out;
}

std::string crontab_with_line(std::string_view crontab, const std::string& line) {
    std::string out = crontab_without_ccu(crontab);
    if (!out.empty() && out.back() != '\n') out += '\n';
    return out + line + "\n";
}

std::optional<std::string> ccu_crontab_line(std::string_view crontab) {
    std::optional<std::string> found;
    for_each_line(crontab, [&found](std::string_view line) {
        line = line.substr(0, line.find('\n'));
        if (!found && is_ccu_line(line)) found = std::string(line);
    });
    return found;
}

std::chrono::system_clock::time_point next_cron_run(int interval_minutes, std::chrono::system_clock::time_point now) {
    using std::chrono::minutes;
    const int m = std::clamp(interval_minutes, 1, kDayMinutes);
    const int hours = (m + 59) / 60;
    auto t = std::chrono::floor<minutes>(now) + minutes(1);
    for (int i = 0; i < 2 * kDayMinutes; ++i, t += minutes(1)) {
        const std::time_t tt = std::chrono::system_clock::to_time_t(t);
        std::tm local{};
        ::localtime_r(&tt, &local);
        const bool fires = m < 60 ? local.tm_min % m == 0
                           : m < kDayMinutes ? local.tm_min == 0 && local.tm_hour % hours == 0
                                             : local.tm_min == 0 && local.tm_hour == 0;
        if (fires) return t;
    }
    return t;
}

// ---- systemd ----

namespace {

// systemd.service quoting: double quotes with C escapes; '%' starts a specifier, '$' a variable.
std::string unit_quote(std::string_view value) {
    std::string out = "\"";
    for (const char c : value) {
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (c == '%') {
            out += "%%";
        } else if (c == '$') {
            out += "$$";
        } else {
            out += c;
        }
    }
    return out + "\"";
}

}  // namespace

std::string systemd_service_unit(const ScheduledCommand& command) {
    std::string unit = std::string(kUnitMarker) + "; 'ccu gist auto-sync off' removes it.\n";
    unit += "[Unit]\nDescription=ccu: sync Claude Code usage through the gist\n\n[Service]\nType=oneshot\n";
    for (const auto& [name, value] : command.env) unit += "Environment=" + unit_quote(name + "=" + value) + "\n";
    unit += "ExecStart=" + unit_quote(command.binary.string());
    for (const char* arg : kScheduledArgs) unit += std::string(" ") + arg;
    // A scheduled run waits a bounded time for the lock and the network; this is the backstop.
    unit += "\nTimeoutStartSec=15min\nNice=10\n";
    return unit;
}

std::string systemd_timer_unit(int interval_minutes) {
    const std::string every = std::to_string(std::clamp(interval_minutes, 1, kDayMinutes)) + "min";
    std::string unit = std::string(kUnitMarker) + "; 'ccu gist auto-sync off' removes it.\n";
    unit += "[Unit]\nDescription=ccu auto-sync every " + every + "\n\n[Timer]\n";
    // OnActiveSec: first run soon after `on`; OnUnitActiveSec: then every interval.
    unit += "OnActiveSec=1min\nOnBootSec=5min\nOnUnitActiveSec=" + every + "\nRandomizedDelaySec=30s\n";
    unit += std::string("Unit=") + kServiceUnit + "\n\n[Install]\nWantedBy=timers.target\n";
    return unit;
}

bool written_by_ccu(std::string_view unit_text) { return unit_text.substr(0, kUnitMarker.size()) == kUnitMarker; }

}  // namespace ccu::sync
