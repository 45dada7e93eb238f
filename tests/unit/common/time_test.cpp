#include <catch2/catch.hpp>

#include "ccu/common/time.hpp"

using namespace ccu::timeutil;

TEST_CASE("RFC 3339 timestamps parse to UTC milliseconds", "[time]") {
    CHECK(parse_rfc3339_ms("1970-01-01T00:00:00Z") == 0);
    CHECK(parse_rfc3339_ms("1970-01-01T00:00:00.5Z") == 500);
    CHECK(parse_rfc3339_ms("2025-06-01T12:00:00.123456Z") == parse_rfc3339_ms("2025-06-01T12:00:00.123Z"));
    // the origin Python tool writes +00:00
    CHECK(parse_rfc3339_ms("2025-06-01T12:00:00+00:00") == parse_rfc3339_ms("2025-06-01T12:00:00Z"));
    CHECK(parse_rfc3339_ms("2025-06-01T14:30:00+02:30") == parse_rfc3339_ms("2025-06-01T12:00:00Z"));
    CHECK(parse_rfc3339_ms("2025-06-01T00:30:00-01:00") == parse_rfc3339_ms("2025-06-01T01:30:00Z"));
}

TEST_CASE("malformed timestamps are rejected", "[time]") {
    for (const char* bad : {"", "2025-06-01", "2025-06-01T12:00:00", "2025-13-01T00:00:00Z",
                            "2025-02-30T00:00:00Z", "2025-06-01T24:00:00Z", "2025-06-01T12:00:00.Z",
                            "2025-06-01T12:00:00Zjunk", "not a time at all!!"}) {
        INFO(bad);
        CHECK_FALSE(parse_rfc3339_ms(bad).has_value());
    }
}

TEST_CASE("formatting round-trips and normalizes", "[time]") {
    const auto ms = parse_rfc3339_ms("2024-02-29T23:59:59.999Z");
    REQUIRE(ms);
    CHECK(format_rfc3339_ms(*ms) == "2024-02-29T23:59:59.999Z");
    CHECK(normalize_rfc3339("2025-01-02T03:04:05+00:00") == "2025-01-02T03:04:05.000Z");
    CHECK(utc_date(*ms) == "2024-02-29");
    CHECK(format_rfc3339_ms(-1) == "1969-12-31T23:59:59.999Z");
}

TEST_CASE("formatted instants from year 0 to 9999 and beyond read back as the same millisecond", "[time]") {
    // year 0 .. 9999 take the hand-written digits, the years around them snprintf
    std::uint64_t state = 88172645463325252ULL;
    for (int i = 0; i < 20000; ++i) {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        const auto ms = static_cast<std::int64_t>(state % 315'537'897'600'000ULL) - 62'167'219'200'000LL;
        const std::string text = format_rfc3339_ms(ms);
        INFO(ms << " " << text);
        REQUIRE(text.size() == 24);
        CHECK(parse_rfc3339_ms(text) == ms);
    }
    CHECK(format_rfc3339_ms(-62'167'219'200'000LL) == "0000-01-01T00:00:00.000Z");
    CHECK(format_rfc3339_ms(253'402'300'799'999LL) == "9999-12-31T23:59:59.999Z");
    CHECK(format_rfc3339_ms(253'402'300'800'000LL) == "10000-01-01T00:00:00.000Z");
    CHECK(format_rfc3339_ms(1'740'823'200'007LL) == "2025-03-01T10:00:00.007Z");
}

TEST_CASE("date arguments accept both spellings", "[time]") {
    CHECK(parse_date_arg("2025-11-03") == "20251103");
    CHECK(parse_date_arg("20251103") == "20251103");
    CHECK_FALSE(parse_date_arg("2025-11-31"));
    CHECK_FALSE(parse_date_arg("2025113"));
    CHECK_FALSE(parse_date_arg("../../etc"));
}
