#include "ccu/common/time.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstring>

namespace ccu::timeutil {
namespace {

// Howard Hinnant's days_from_civil: proleptic Gregorian date -> days since 1970-01-01.
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
    y -= m <= 2;
    const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
    const auto yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

struct Civil {
    std::int64_t year;
    unsigned month;
    unsigned day;
};

Civil civil_from_days(std::int64_t z) {
    z += 719468;
    const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const auto doe = static_cast<unsigned>(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    const unsigned d = doy - (153 * mp + 2) / 5 + 1;
    const unsigned m = mp < 10 ? mp + 3 : mp - 9;
    return {y + (m <= 2), m, d};
}

bool read_digits(std::string_view s, std::size_t pos, std::size_t count, unsigned& out) {
    if (pos + count > s.size()) return false;
    unsigned value = 0;
    for (std::size_t i = 0; i < count; ++i) {
        const char c = s[pos + i];
        if (c < '0' || c > '9') return false;
        value = value * 10 + static_cast<unsigned>(c - '0');
    }
    out = value;
    return true;
}

unsigned days_in_month(std::int64_t y, unsigned m) {
    static constexpr std::array<unsigned, 12> kDays{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : kDays[m - 1];
}

}  // namespace

std::optional<std::int64_t> parse_rfc3339_ms(std::string_view s) {
    unsigned year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
    if (!read_digits(s, 0, 4, year) || s.size() < 19 || s[4] != '-' || !read_digits(s, 5, 2, month) ||
        s[7] != '-' || !read_digits(s, 8, 2, day) || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') ||
        !read_digits(s, 11, 2, hour) || s[13] != ':' || !read_digits(s, 14, 2, minute) ||
        s[16] != ':' || !read_digits(s, 17, 2, second)) {
        return std::nullopt;
    }
    if (month < 1 || month > 12 || day < 1 || day > days_in_month(year, month) || hour > 23 ||
        minute > 59 || second > 60) {
        return std::nullopt;
    }
    std::size_t pos = 19;
    std::int64_t millis = 0;
    if (pos < s.size() && s[pos] == '.') {
        ++pos;
        std::size_t digits = 0;
        while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
            if (digits < 3) millis = millis * 10 + (s[pos] - '0');
            ++digits;
            ++pos;
        }
        if (digits == 0) return std::nullopt;
        for (std::size_t i = digits; i < 3; ++i) millis *= 10;
    }
    std::int64_t offset_minutes = 0;
    if (pos < s.size() && (s[pos] == 'Z' || s[pos] == 'z')) {
        ++pos;
    } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
        unsigned oh = 0, om = 0;
        if (!read_digits(s, pos + 1, 2, oh) || pos + 3 >= s.size() || s[pos + 3] != ':' ||
            !read_digits(s, pos + 4, 2, om) || oh > 23 || om > 59) {
            return std::nullopt;
        }
        offset_minutes = (s[pos] == '+' ? 1 : -1) * static_cast<std::int64_t>(oh * 60 + om);
        pos += 6;
    } else {
        return std::nullopt;  // a timestamp without a zone is ambiguous
    }
    if (pos != s.size()) return std::nullopt;
    const std::int64_t days = days_from_civil(year, month, day);
    const std::int64_t secs = days * 86400 + hour * 3600 + minute * 60 + std::min(second, 59u) -
                              offset_minutes * 60;
    return secs * 1000 + millis;
}

std::size_t format_rfc3339_ms(std::int64_t epoch_ms, std::array<char, 40>& out) {
    std::int64_t secs = epoch_ms / 1000;
    std::int64_t ms = epoch_ms % 1000;
    if (ms < 0) {
        ms += 1000;
        secs -= 1;
    }
    std::int64_t days = secs / 86400;
    std::int64_t rem = secs % 86400;
    if (rem < 0) {
        rem += 86400;
        days -= 1;
    }
    const Civil c = civil_from_days(days);
    if (c.year >= 0 && c.year <= 9999) {
        // The digits by hand: reports format two of these per session row, and snprintf's
        // format parsing was most of that cost. The same text as the general case below.
        std::memcpy(out.data(), "0000-00-00T00:00:00.000Z", 24);
        const auto put = [&out](std::size_t end, std::int64_t value, int digits) {
            for (int i = 0; i < digits; ++i, value /= 10) out[end - static_cast<std::size_t>(i)] = static_cast<char>('0' + value % 10);
        };
        put(3, c.year, 4);
        put(6, c.month, 2);
        put(9, c.day, 2);
        put(12, rem / 3600, 2);
        put(15, rem % 3600 / 60, 2);
        put(18, rem % 60, 2);
        put(22, ms, 3);
        return 24;
    }
    const int n = std::snprintf(out.data(), out.size(), "%04lld-%02u-%02uT%02lld:%02lld:%02lld.%03lldZ",
                                static_cast<long long>(c.year), c.month, c.day, static_cast<long long>(rem / 3600),
                                static_cast<long long>(rem % 3600 / 60), static_cast<long long>(rem % 60),
                                static_cast<long long>(ms));
    return static_cast<std::size_t>(std::clamp(n, 0, static_cast<int>(out.size()) - 1));
}

std::string format_rfc3339_ms(std::int64_t epoch_ms) {
    std::array<char, 40> out{};
    return std::string(out.data(), format_rfc3339_ms(epoch_ms, out));
}

std::int64_t to_epoch_ms(TimePoint tp) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(tp.time_since_epoch()).count();
}

TimePoint from_epoch_ms(std::int64_t ms) {
    return TimePoint{std::chrono::duration_cast<TimePoint::duration>(std::chrono::milliseconds{ms})};
}

std::string format_rfc3339(TimePoint tp) { return format_rfc3339_ms(to_epoch_ms(tp)); }

std::optional<std::string> normalize_rfc3339(std::string_view text) {
    const auto ms = parse_rfc3339_ms(text);
    if (!ms) return std::nullopt;
    return format_rfc3339_ms(*ms);
}

std::string utc_date(std::int64_t epoch_ms) { return format_rfc3339_ms(epoch_ms).substr(0, 10); }

std::string utc_compact_date(TimePoint tp) {
    const std::string d = utc_date(to_epoch_ms(tp));
    return d.substr(0, 4) + d.substr(5, 2) + d.substr(8, 2);
}

std::optional<std::string> parse_date_arg(std::string_view text) {
    std::string compact;
    if (text.size() == 10 && text[4] == '-' && text[7] == '-') {
        compact = std::string(text.substr(0, 4)) + std::string(text.substr(5, 2)) +
                  std::string(text.substr(8, 2));
    } else if (text.size() == 8) {
        compact = std::string(text);
    } else {
        return std::nullopt;
    }
    unsigned y = 0, m = 0, d = 0;
    if (!read_digits(compact, 0, 4, y) || !read_digits(compact, 4, 2, m) ||
        !read_digits(compact, 6, 2, d) || m < 1 || m > 12 || d < 1 || d > days_in_month(y, m)) {
        return std::nullopt;
    }
    return compact;
}

bool is_iso_date(std::string_view text) {
    return text.size() == 10 && text[4] == '-' && text[7] == '-' && parse_date_arg(text).has_value();
}

}  // namespace ccu::timeutil
