// Regression tests for hostile remote JSON (tests/fuzz/fuzz_manifest.cpp, fuzz_data_file.cpp and
// the crafted-gist e2e tests): nesting deep enough to overflow nlohmann's recursive copy/dump.
#include <catch2/catch.hpp>

#include <string>

#include "ccu/common/error.hpp"
#include "ccu/common/json_depth.hpp"
#include "ccu/sync/data_file.hpp"
#include "ccu/sync/manifest.hpp"

using namespace ccu;

namespace {

std::string nested(std::size_t depth) { return std::string(depth, '[') + std::string(depth, ']'); }

}  // namespace

TEST_CASE("json_nesting_exceeds counts brackets outside strings only", "[sync][hostile]") {
    CHECK_FALSE(json_nesting_exceeds(nested(64), 64));
    CHECK(json_nesting_exceeds(nested(65), 64));
    CHECK_FALSE(json_nesting_exceeds("{\"a\":\"" + std::string(1000, '[') + "\"}", 64));
    CHECK_FALSE(json_nesting_exceeds(R"({"a":"\"[[[[","b":[1]})", 2));
    CHECK(json_nesting_exceeds(R"({"a":"\\","b":[[1]]})", 2));  // the escaped backslash ends the string
    CHECK_FALSE(json_nesting_exceeds("]]]]{}", 1));             // stray closers do not go negative
}

TEST_CASE("a manifest nested 100000 levels deep is invalid, not a stack overflow", "[sync][hostile]") {
    const std::string text = R"({"version":"1.0","last_updated":"2026-01-01T00:00:00.000Z","machines":[],"x":)" +
                             nested(100000) + "}";
    try {
        (void)sync::Manifest::parse(text);
        FAIL("parsed");
    } catch (const Error& e) {
        CHECK(e.kind() == ErrorKind::InvalidRemote);
        CHECK(std::string(e.what()) == "manifest.json is invalid: JSON nested deeper than 64 levels");
    }
}

TEST_CASE("a manifest with ordinary extra nesting still round-trips", "[sync][hostile]") {
    const std::string text = R"({"version":"1.0","last_updated":"2026-01-01T00:00:00.000Z","machines":[],"x":)" +
                             nested(40) + "}";
    const sync::Manifest m = sync::Manifest::parse(text);
    CHECK(sync::Manifest::parse(m.serialize()) == m);
}

TEST_CASE("a data file nested 100000 levels deep is skipped with the reason", "[sync][hostile]") {
    const std::string text = R"({"machine_name":"m","records":[],"x":)" + nested(100000) + "}";
    const sync::ParsedDataFile parsed = sync::parse_data_file(text, "usage_data_m.json");
    CHECK_FALSE(parsed.file);
    CHECK(parsed.fatal_error == "usage_data_m.json: JSON nested deeper than 64 levels");
}

// fuzz_data_file found it: nlohmann::json throws out_of_range (406), not parse_error, for a
// number beyond double, which escaped the parsers and ended the whole pull.
TEST_CASE("a number beyond double range makes a data file invalid instead of escaping as an exception",
          "[sync][hostile]") {
    const sync::ParsedDataFile parsed =
        sync::parse_data_file(R"({"machine_name":"m","records":[{"cost_usd":0.09e02210006}]})", "usage_data_m.json");
    CHECK_FALSE(parsed.file);
    CHECK(parsed.fatal_error.find("usage_data_m.json: not valid JSON (") == 0);
    CHECK(parsed.fatal_error.find("number overflow") != std::string::npos);
}

TEST_CASE("a number beyond double range makes a manifest invalid with the repair hint", "[sync][hostile]") {
    try {
        (void)sync::Manifest::parse(R"({"version":"1.0","last_updated":"2026-01-01T00:00:00.000Z","machines":[],"x":1e99999})");
        FAIL("parsed");
    } catch (const Error& e) {
        CHECK(e.kind() == ErrorKind::InvalidRemote);
        CHECK(std::string(e.what()).find("number overflow") != std::string::npos);
        CHECK(e.hint().find("ccu gist repair") != std::string::npos);
    }
}
