// Regression tests for hostile wire records (tests/fuzz/fuzz_data_file.cpp found the overflow):
// the limits of ccu::record_limit_violation hold on the wire as in the logs.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "ccu/common/record.hpp"

using nlohmann::json;

namespace {

json wire() {
    return {{"session_id", "s"}, {"message_uuid", "u"}, {"timestamp", "2025-09-01T10:00:00.000Z"},
            {"model", "m"},      {"input_tokens", 1},   {"output_tokens", 2}};
}

}  // namespace

TEST_CASE("wire counts that each fit int64 but overflow when added are refused", "[common][record][hostile]") {
    json v = wire();
    v["input_tokens"] = INT64_MAX;
    v["output_tokens"] = INT64_MAX;
    const auto parsed = ccu::from_wire_json(v, "m");
    CHECK_FALSE(parsed.record);
    CHECK(parsed.error == "token counts add up to more than 1000000000000");
}

TEST_CASE("the token limit is inclusive", "[common][record][hostile]") {
    json v = wire();
    v["input_tokens"] = ccu::kMaxRecordTotalTokens - 2;
    REQUIRE(ccu::from_wire_json(v, "m").record);
    v["input_tokens"] = ccu::kMaxRecordTotalTokens - 1;
    CHECK_FALSE(ccu::from_wire_json(v, "m").record);
}

TEST_CASE("a 10 MB string field is refused without echoing it", "[common][record][hostile]") {
    json v = wire();
    v["folder"] = std::string(10'000'000, 'f');
    const auto parsed = ccu::from_wire_json(v, "m");
    CHECK_FALSE(parsed.record);
    CHECK(parsed.error == "field 'folder' is longer than 4096 bytes");
    v["folder"] = std::string(ccu::kMaxRecordTextBytes, 'f');
    CHECK(ccu::from_wire_json(v, "m").record);
}

TEST_CASE("a record within the limits has no violation", "[common][record][hostile]") {
    ccu::UsageRecord r;
    r.session_id = "s";
    r.message_uuid = "u";
    r.input_tokens = 5;
    CHECK(ccu::record_limit_violation(r).empty());
    r.git_branch = std::string(ccu::kMaxRecordTextBytes + 1, 'b');
    CHECK(ccu::record_limit_violation(r) == "field 'git_branch' is longer than 4096 bytes");
}
