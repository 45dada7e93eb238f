#include <catch2/catch.hpp>

#include "ccu/common/text.hpp"

TEST_CASE("byte sizes read like a person writes them", "[text]") {
    CHECK(ccu::human_bytes(0) == "0 B");
    CHECK(ccu::human_bytes(1023) == "1023 B");
    CHECK(ccu::human_bytes(1536) == "1.5 KiB");
    CHECK(ccu::human_bytes(4 * 1024 * 1024) == "4.0 MiB");
    CHECK(ccu::human_bytes(3ULL * 1024 * 1024 * 1024) == "3.0 GiB");
}

TEST_CASE("lower case and trimming", "[text]") {
    CHECK(ccu::to_lower("X-RateLimit-Remaining") == "x-ratelimit-remaining");
    CHECK(ccu::trim("  Bearer x \r\n") == "Bearer x");
    CHECK(ccu::trim(" \t ").empty());
}
