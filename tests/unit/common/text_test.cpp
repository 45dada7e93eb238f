#include <catch2/catch.hpp>

#include <string>
#include <string_view>
#include <vector>

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

TEST_CASE("split_trimmed keeps the non-empty trimmed items between separators", "[text]") {
    using V = std::vector<std::string>;
    CHECK(ccu::split_trimmed("gist, repo ,,read:user ", ',') == V{"gist", "repo", "read:user"});
    CHECK(ccu::split_trimmed("/a, /b ,/a", ',') == V{"/a", "/b", "/a"});
    CHECK(ccu::split_trimmed("one", ',') == V{"one"});
    CHECK(ccu::split_trimmed(" , ,", ',').empty());
    CHECK(ccu::split_trimmed("", ',').empty());
}

// The hash is persisted (scan cursors, `line-<hex>` ids), so a change to the function must fail
// here before it changes stored values. ccu has always used the offset basis 1469598103934665603,
// not FNV's published 14695981039346656037 (0xcbf29ce484222325; a digit was lost): the expected
// values are FNV-1a 64 with ccu's basis, computed outside ccu (Python).
TEST_CASE("fnv1a64 keeps the values ccu has always persisted", "[text]") {
    CHECK(ccu::fnv1a64("") == 1469598103934665603ULL);
    CHECK(ccu::fnv1a64("") == 0x14650fb0739d0383ULL);
    CHECK(ccu::fnv1a64("a") == 0x44bd8ad473cd9906ULL);
    CHECK(ccu::fnv1a64("foobar") == 0x88fad7c0a8ff07f2ULL);
    CHECK(ccu::fnv1a64("foobar") != 0x85944171f73967e8ULL);  // the published FNV-1a value
    CHECK(ccu::fnv1a64(std::string_view("a\0b", 3)) != ccu::fnv1a64("ab"));
}
