#include "ccu/report/timezone.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iterator>

#include "ccu/common/error.hpp"
#include "ccu/common/text.hpp"

namespace ccu::report {

namespace {

class Reader {
public:
    explicit Reader(std::string_view bytes) : bytes_(bytes) {}
    std::int64_t be(std::size_t width) {
        need(width);
        std::uint64_t value = 0;
        for (std::size_t i = 0; i < width; ++i) value = (value << 8) | static_cast<unsigned char>(bytes_[pos_ + i]);
        pos_ += width;
        if (width == 4) return static_cast<std::int32_t>(static_cast<std::uint32_t>(value));
        return static_cast<std::int64_t>(value);
    }
    std::uint8_t byte() { return static_cast<std::uint8_t>(be(1)); }
    void skip(std::size_t n) { need(n); pos_ += n; }
    std::string_view take(std::size_t n) { need(n); auto out = bytes_.substr(pos_, n); pos_ += n; return out; }
    void need(std::size_t n) const {
        if (n > bytes_.size() - pos_) throw Error(ErrorKind::Usage, "time zone file is truncated");
    }

private:
    std::string_view bytes_;
    std::size_t pos_ = 0;
};

struct Header {
    char version = 0;
    std::size_t isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt;
};

Header read_header(Reader& r) {
    if (r.take(4) != "TZif") throw Error(ErrorKind::Usage, "not a TZif time zone file");
    Header h;
    h.version = r.take(1)[0];
    r.skip(15);
    // Counts are unsigned 32-bit (RFC 8536); be(4) sign-extends, so undo that.
    auto count = [&r] { return static_cast<std::size_t>(static_cast<std::uint32_t>(r.be(4))); };
    h.isutcnt = count(); h.isstdcnt = count(); h.leapcnt = count();
    h.timecnt = count(); h.typecnt = count(); h.charcnt = count();
    return h;
}

std::size_t block_size(const Header& h, std::size_t time_width) {
    return h.timecnt * time_width + h.timecnt + h.typecnt * 6 + h.charcnt +
           h.leapcnt * (time_width + 4) + h.isstdcnt + h.isutcnt;
}

// stdio rather than istreambuf_iterator: GCC 12 -O2 -Wnull-dereference flags the latter.
std::string read_file(const std::filesystem::path& path) {
    std::string out;
    std::FILE* file = std::fopen(path.c_str(), "rb");
    if (file == nullptr) return out;
    char buf[4096];
    for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, file)) > 0;) out.append(buf, n);
    std::fclose(file);
    return out;
}

bool is_utc_name(std::string_view raw) {
    // `--tz utc` as people type it; the database's own names are matched as they are spelled.
    const std::string lower = to_lower(raw);
    if (lower == "utc" || lower == "gmt" || lower == "z") return true;
    const std::string_view name = raw;
    return name == "UTC" || name == "Etc/UTC" || name == "Z" || name == "GMT" || name == "Etc/GMT" ||
           name == "UCT" || name == "Etc/UCT" || name == "Zulu" || name == "Etc/Zulu";
}

bool is_safe_zone_name(std::string_view name) {
    if (name.empty() || name.front() == '/' || name.find("..") != std::string_view::npos) return false;
    return std::all_of(name.begin(), name.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '/' || c == '_' || c == '-' || c == '+';
    });
}

}  // namespace

TimeZone TimeZone::utc() {
    TimeZone zone;
    zone.name_ = "UTC";
    return zone;
}

TimeZone TimeZone::from_tzif(std::string name, std::string_view bytes) {
    Reader r(bytes);
    Header h = read_header(r);
    std::size_t width = 4;
    if (h.version >= '2') {  // skip the 32-bit block, use the 64-bit one
        r.skip(block_size(h, 4));
        h = read_header(r);
        width = 8;
    }
    // The counts come from the file: make sure it holds that much before allocating for it.
    r.need(block_size(h, width));
    TimeZone zone;
    zone.name_ = std::move(name);
    std::vector<std::int64_t> times(h.timecnt);
    for (auto& t : times) t = r.be(width);
    std::vector<std::uint8_t> index(h.timecnt);
    for (auto& i : index) i = r.byte();
    std::vector<std::int64_t> type_offsets(h.typecnt);
    for (auto& off : type_offsets) {
        off = r.be(4);
        r.skip(2);  // isdst, abbreviation index
    }
    if (type_offsets.empty()) throw Error(ErrorKind::Usage, "time zone file has no offsets");
    zone.initial_offset_ = type_offsets.front();
    for (std::size_t i = 0; i < times.size(); ++i) {
        if (index[i] >= type_offsets.size() || (i > 0 && times[i] <= times[i - 1])) {
            throw Error(ErrorKind::Usage, "time zone file is corrupt");
        }
        zone.transitions_.push_back(times[i]);
        zone.offsets_.push_back(type_offsets[index[i]]);
    }
    return zone;
}

TimeZone TimeZone::named(std::string_view name, const std::filesystem::path& zoneinfo_dir) {
    if (is_utc_name(name)) return utc();
    std::string bytes = is_safe_zone_name(name) ? read_file(zoneinfo_dir / std::string(name)) : std::string();
    if (bytes.empty()) {
        throw Error(ErrorKind::Usage, "unknown time zone '" + std::string(name) + "'",
                    "use an IANA name such as UTC, Europe/Berlin or America/New_York");
    }
    return from_tzif(std::string(name), bytes);
}

TimeZone TimeZone::local(const Environment& env) {
    if (auto tz = env.get("TZ")) {
        std::string_view name = *tz;
        if (!name.empty() && name.front() == ':') name.remove_prefix(1);
        // A POSIX rule string ("CET-1CEST,M3.5.0,M10.5.0/3") is not a database name: the
        // system zone below is then the best guess (an explicit --tz always wins).
        try {
            return named(name);
        } catch (const Error&) {
        }
    }
    std::error_code ec;
    std::filesystem::path target = std::filesystem::read_symlink("/etc/localtime", ec);
    std::string name = "localtime";
    if (!ec) {
        std::string text = target.string();
        if (auto pos = text.find("zoneinfo/"); pos != std::string::npos) name = text.substr(pos + 9);
    }
    if (is_utc_name(name)) return utc();
    std::string bytes = read_file("/etc/localtime");
    return bytes.empty() ? utc() : from_tzif(name, bytes);
}

std::int64_t TimeZone::offset_seconds(std::int64_t epoch_seconds) const {
    auto it = std::upper_bound(transitions_.begin(), transitions_.end(), epoch_seconds);
    if (it == transitions_.begin()) return initial_offset_;
    return offsets_[static_cast<std::size_t>(std::distance(transitions_.begin(), it)) - 1];
}

std::string TimeZone::local_date(std::int64_t epoch_ms) const {
    using namespace std::chrono;
    std::int64_t seconds = epoch_ms >= 0 ? epoch_ms / 1000 : -((-epoch_ms + 999) / 1000);
    std::int64_t local = seconds + offset_seconds(seconds);
    auto days = sys_days{} + std::chrono::days{local >= 0 ? local / 86400 : -((-local + 86399) / 86400)};
    year_month_day ymd{days};
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                  static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
    return buf;
}

}  // namespace ccu::report
