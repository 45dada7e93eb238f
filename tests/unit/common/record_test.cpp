#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "ccu/common/record.hpp"

using nlohmann::json;

namespace {

ccu::UsageRecord sample() {
    ccu::UsageRecord r;
    r.session_id = "s-1";
    r.message_uuid = "u-1";
    r.timestamp = "2025-06-01T12:00:00.000Z";
    r.model = "claude-sonnet-4-5-20250929";
    r.input_tokens = 10;
    r.output_tokens = 20;
    r.cache_creation_tokens = 30;
    r.cache_read_tokens = 40;
    r.folder = "proj";
    r.git_branch = "main";
    r.message_id = "msg_1";
    r.request_id = "req_1";
    r.machine_name = "laptop";
    return r;
}

}  // namespace

TEST_CASE("wire records round-trip with seed field names", "[record]") {
    const auto r = sample();
    const json j = ccu::to_wire_json(r, 0.25);
    CHECK(j["total_tokens"] == 100);
    CHECK(j["cache_creation_tokens"] == 30);
    CHECK(j["version"].is_null());
    CHECK(j["cost_usd"] == 0.25);
    const auto parsed = ccu::from_wire_json(j, "laptop");
    REQUIRE(parsed.record);
    auto expected = r;
    expected.cost_usd = 0.25;
    CHECK(*parsed.record == expected);
}

TEST_CASE("the 1h cache-write part travels as an additive field", "[record]") {
    auto r = sample();
    CHECK_FALSE(ccu::to_wire_json(r, std::nullopt).contains("cache_creation_1h_tokens"));
    r.cache_creation_1h_tokens = 12;
    const json j = ccu::to_wire_json(r, std::nullopt);
    CHECK(j["cache_creation_1h_tokens"] == 12);
    CHECK(j["total_tokens"] == 100);  // part of cache_creation_tokens, not added again
    const auto parsed = ccu::from_wire_json(j, "laptop");
    REQUIRE(parsed.record);
    CHECK(parsed.record->cache_creation_1h_tokens == 12);
    json bad = j;
    bad["cache_creation_1h_tokens"] = 31;  // more than cache_creation_tokens (30)
    CHECK_THAT(ccu::from_wire_json(bad, "m").error, Catch::Contains("exceeds"));
}

TEST_CASE("origin-tool record variants are accepted", "[record]") {
    json j = ccu::to_wire_json(sample(), std::nullopt);
    j["timestamp"] = "2025-06-01T12:00:00+00:00";
    j["date"] = "2025-06-01";      // extra key written by the Python tool
    j["input_tokens"] = 10.0;      // integral float
    const auto parsed = ccu::from_wire_json(j, "old_box");
    REQUIRE(parsed.record);
    CHECK(parsed.record->timestamp == "2025-06-01T12:00:00.000Z");
    CHECK(parsed.record->input_tokens == 10);
    CHECK(parsed.record->machine_name == "old_box");
}

TEST_CASE("invalid wire records are rejected with a reason", "[record]") {
    const json good = ccu::to_wire_json(sample(), std::nullopt);
    struct Case {
        const char* field;
        json value;
        const char* reason;
    };
    const std::vector<Case> cases = {
        {"session_id", json(""), "session_id"},
        {"message_uuid", json(nullptr), "message_uuid"},
        {"timestamp", json("yesterday"), "RFC 3339"},
        {"input_tokens", json(-1), "negative"},
        {"output_tokens", json("12"), "not a number"},
        {"cache_read_tokens", json(1.5), "whole number"},
        {"cost_usd", json(-0.1), "cost_usd"},
    };
    for (const auto& c : cases) {
        json bad = good;
        bad[c.field] = c.value;
        const auto parsed = ccu::from_wire_json(bad, "m");
        INFO(c.field);
        CHECK_FALSE(parsed.record);
        CHECK_THAT(parsed.error, Catch::Contains(c.reason));
    }
    CHECK_FALSE(ccu::from_wire_json(json::array(), "m").record);
}
