// Regression tests for hostile TZif files (tests/fuzz/fuzz_tzif.cpp): counts in the header that
// promise more data than the file has must be refused before anything is allocated for them.
#include <catch2/catch.hpp>

#include <cstdint>
#include <string>

#include "ccu/common/error.hpp"
#include "ccu/report/timezone.hpp"

using ccu::report::TimeZone;

namespace {

void put32(std::string& out, std::uint32_t v) {
    for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>((v >> shift) & 0xff));
}

// A version-1 TZif header with the given counts, followed by `body`.
std::string tzif_v1(std::uint32_t timecnt, std::uint32_t typecnt, const std::string& body) {
    std::string out = "TZif";
    out.append(16, '\0');
    for (const std::uint32_t count : {0u, 0u, 0u, timecnt, typecnt, 0u}) put32(out, count);
    return out + body;
}

std::string type_entry(std::uint32_t offset) {
    std::string out;
    put32(out, offset);
    return out + std::string("\0\0", 2);
}

}  // namespace

TEST_CASE("a TZif header claiming 2^31 transitions is refused without allocating them", "[report][hostile]") {
    CHECK_THROWS_AS(TimeZone::from_tzif("X", tzif_v1(0x7fffffffu, 1, type_entry(3600))), ccu::Error);
}

TEST_CASE("a TZif count with the top bit set is not read as a negative number", "[report][hostile]") {
    CHECK_THROWS_AS(TimeZone::from_tzif("X", tzif_v1(0xffffffffu, 1, type_entry(3600))), ccu::Error);
    CHECK_THROWS_AS(TimeZone::from_tzif("X", tzif_v1(0, 0x80000000u, type_entry(3600))), ccu::Error);
}

TEST_CASE("TZif transitions out of order are refused as corrupt", "[report][hostile]") {
    std::string body;
    put32(body, 2000000000);
    put32(body, 1000000000);
    body += std::string("\0\0", 2) + type_entry(3600);
    CHECK_THROWS_AS(TimeZone::from_tzif("X", tzif_v1(2, 1, body)), ccu::Error);
}

TEST_CASE("a well-formed small TZif file still reads", "[report][hostile]") {
    std::string body;
    put32(body, 1000000000);
    body += std::string("\1", 1) + type_entry(3600) + type_entry(7200);
    const TimeZone zone = TimeZone::from_tzif("X", tzif_v1(1, 2, body));
    CHECK(zone.offset_seconds(0) == 3600);
    CHECK(zone.offset_seconds(1000000000) == 7200);
}
