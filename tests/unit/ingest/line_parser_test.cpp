#include <catch2/catch.hpp>

#include <string>

#include "ccu/ingest/line_parser.hpp"
#include "unit/ingest/lines.hpp"

using ccu::ingest::LineContext;
using ccu::ingest::LineKind;
using ccu::ingest::LineParser;
using ccu::ingest::UsageLine;
using ccu::ingest::testing::assistant_line;
using nlohmann::json;

namespace {

const LineContext kContext{"file-session", "-home-alice-work-project-x"};

LineKind parse(const std::string& text, UsageLine* out = nullptr) {
    static LineParser parser;
    UsageLine line;
    const LineKind kind = parser.parse(text, kContext, line);
    if (out != nullptr) *out = line;
    return kind;
}

}  // namespace

TEST_CASE("a usual assistant line becomes one usage record with every field", "[ingest][parser]") {
    UsageLine out;
    REQUIRE(parse(assistant_line("u-1", "msg_1", "req_1", 42).dump(), &out) == LineKind::Usage);
    const auto& r = out.record;
    CHECK(r.session_id == "session-1");
    CHECK(r.message_uuid == "u-1");
    CHECK(r.timestamp == "2025-09-30T10:00:00.000Z");
    CHECK(r.model == "claude-sonnet-4-5-20250929");
    CHECK(r.input_tokens == 10);
    CHECK(r.output_tokens == 42);
    CHECK(r.cache_creation_tokens == 100);
    CHECK(r.cache_read_tokens == 1000);
    CHECK(r.total_tokens() == 1152);
    CHECK(r.folder == "project-x");
    CHECK(r.git_branch == "main");
    CHECK(r.version == "2.0.1");
    CHECK(r.message_id == "msg_1");
    CHECK(r.request_id == "req_1");
    CHECK_FALSE(r.cost_usd.has_value());
    CHECK_FALSE(out.is_sidechain);
}

TEST_CASE("lines without message.usage are not records", "[ingest][parser]") {
    CHECK(parse(R"({"type":"user","message":{"role":"user","content":"hi"},"uuid":"x"})") == LineKind::NotUsage);
    CHECK(parse(R"({"type":"summary","summary":"s","leafUuid":"l"})") == LineKind::NotUsage);
    // A tool result that quotes usage JSON inside a string is not a usage line.
    CHECK(parse(R"({"type":"user","message":{"content":"{\"usage\":{\"input_tokens\":5}}"}})") == LineKind::NotUsage);
    // Real JSON usage outside message.usage (a Task tool result) is not a record either.
    CHECK(parse(R"({"type":"user","timestamp":"2025-09-30T10:00:00.000Z","message":{"role":"user"},"toolUseResult":{"usage":{"input_tokens":5,"output_tokens":1}}})") ==
          LineKind::NotUsage);
    CHECK(parse("") == LineKind::NotUsage);
    CHECK(parse("   ") == LineKind::NotUsage);
}

TEST_CASE("missing optional fields fall back, missing required ones reject the line", "[ingest][parser]") {
    UsageLine out;
    auto line = assistant_line("u-1", "msg_1", "req_1", 5);
    line.erase("cwd");
    line.erase("sessionId");
    line.erase("gitBranch");
    line.erase("version");
    line.erase("requestId");
    line["message"]["usage"].erase("cache_read_input_tokens");
    line["message"]["usage"].erase("cache_creation_input_tokens");
    REQUIRE(parse(line.dump(), &out) == LineKind::Usage);
    CHECK(out.record.folder == "-home-alice-work-project-x");
    CHECK(out.record.session_id == "file-session");
    CHECK_FALSE(out.record.git_branch.has_value());
    CHECK_FALSE(out.record.version.has_value());
    CHECK_FALSE(out.record.request_id.has_value());
    CHECK(out.record.cache_read_tokens == 0);
    CHECK(out.record.cache_creation_tokens == 0);

    auto no_input = assistant_line("u-1", "msg_1", "req_1", 5);
    no_input["message"]["usage"].erase("input_tokens");
    CHECK(parse(no_input.dump()) == LineKind::Rejected);
    auto no_timestamp = assistant_line("u-1", "msg_1", "req_1", 5);
    no_timestamp.erase("timestamp");
    CHECK(parse(no_timestamp.dump()) == LineKind::Rejected);
}

TEST_CASE("numbers as strings, negatives, floats and null counts are rejected like ccusage", "[ingest][parser]") {
    for (const json& bad : {json("5"), json(-5), json(5.0), json(1e3), json(nullptr), json(true)}) {
        auto line = assistant_line("u-1", "msg_1", "req_1", 5);
        line["message"]["usage"]["output_tokens"] = bad;
        INFO(line.dump());
        CHECK(parse(line.dump()) == LineKind::Rejected);
    }
    auto cache_bucket = assistant_line("u-1", "msg_1", "req_1", 5);
    cache_bucket["message"]["usage"]["cache_creation"] = {{"ephemeral_5m_input_tokens", "3"}};
    CHECK(parse(cache_bucket.dump()) == LineKind::Rejected);
    // Beyond int64: ccu stores signed 64-bit counts, so such a line is rejected.
    auto huge = assistant_line("u-1", "msg_1", "req_1", 5);
    huge["message"]["usage"]["output_tokens"] = 18446744073709551615ULL;
    CHECK(parse(huge.dump()) == LineKind::Rejected);
}

TEST_CASE("wrong types and ccusage's validity rules reject a usage line", "[ingest][parser]") {
    const auto with = [](const char* key, const json& value) {
        auto line = assistant_line("u-1", "msg_1", "req_1", 5);
        line[key] = value;
        return line.dump();
    };
    CHECK(parse(with("isSidechain", "yes")) == LineKind::Rejected);
    CHECK(parse(with("version", 3)) == LineKind::Rejected);
    CHECK(parse(with("version", "1.0")) == LineKind::Rejected);       // not a semver prefix
    CHECK(parse(with("version", "2.0.3-beta")) == LineKind::Usage);
    CHECK(parse(with("sessionId", "")) == LineKind::Rejected);
    CHECK(parse(with("requestId", "")) == LineKind::Rejected);
    CHECK(parse(with("costUSD", "0.1")) == LineKind::Rejected);
    CHECK(parse(with("costUSD", nullptr)) == LineKind::Rejected);     // ccusage's :null rule
    CHECK(parse(with("timestamp", "2025-09-30T10:00:00.12Z")) == LineKind::Rejected);
    CHECK(parse(with("timestamp", "2025-09-30 10:00:00.000Z")) == LineKind::Rejected);
    CHECK(parse(with("timestamp", "yesterday")) == LineKind::Rejected);
    auto empty_model = assistant_line("u-1", "msg_1", "req_1", 5);
    empty_model["message"]["model"] = "";
    CHECK(parse(empty_model.dump()) == LineKind::Rejected);
    auto bad_speed = assistant_line("u-1", "msg_1", "req_1", 5);
    bad_speed["message"]["usage"]["speed"] = "warp";
    CHECK(parse(bad_speed.dump()) == LineKind::Rejected);
    // `"id":null` anywhere in the line (e.g. inside content) makes ccusage skip it.
    auto null_id = assistant_line("u-1", "msg_1", "req_1", 5);
    null_id["message"]["content"] = json::array({{{"type", "tool_use"}, {"id", nullptr}}});
    CHECK(parse(null_id.dump()) == LineKind::Rejected);
    // Unrelated nulls are fine.
    auto other_null = assistant_line("u-1", "msg_1", "req_1", 5);
    other_null["message"]["stop_reason"] = nullptr;
    CHECK(parse(other_null.dump()) == LineKind::Usage);
}

TEST_CASE("text that is not JSON is malformed, never fatal", "[ingest][parser]") {
    CHECK(parse("this is not json") == LineKind::Malformed);
    CHECK(parse("[1,2,3]") == LineKind::Malformed);
    CHECK(parse(R"({"message":{"usage":{"input_tokens":1,"output_tokens":2}})") == LineKind::Malformed);
    const std::string ok = assistant_line("u-1", "msg_1", "req_1", 5).dump();
    CHECK(parse(ok + " trailing") == LineKind::Malformed);
    CHECK(parse(ok.substr(0, ok.size() / 2)) == LineKind::Malformed);  // torn line
}

TEST_CASE("invalid UTF-8 anywhere in a usage line rejects it", "[ingest][parser]") {
    std::string text = assistant_line("u-1", "msg_1", "req_1", 5).dump();
    const auto at = text.find("hello");
    text.replace(at, 5, "he\xff\xfeo");
    CHECK(parse(text) == LineKind::Malformed);
}

TEST_CASE("CRLF line endings and surrounding blanks are accepted", "[ingest][parser]") {
    UsageLine out;
    CHECK(parse("  " + assistant_line("u-1", "msg_1", "req_1", 5).dump() + "\r", &out) == LineKind::Usage);
    CHECK(out.record.output_tokens == 5);
}

TEST_CASE("a line with a 10 MB content block parses", "[ingest][parser]") {
    auto line = assistant_line("u-big", "msg_big", "req_big", 77);
    line["message"]["content"][0]["text"] = std::string(10 * 1024 * 1024, 'x');
    UsageLine out;
    REQUIRE(parse(line.dump(), &out) == LineKind::Usage);
    CHECK(out.record.output_tokens == 77);
    CHECK(out.record.message_uuid == "u-big");
}

TEST_CASE("cache creation: the 5m/1h object wins over the flat field, never both", "[ingest][parser]") {
    UsageLine out;
    auto line = assistant_line("u-1", "msg_1", "req_1", 5);
    line["message"]["usage"]["cache_creation_input_tokens"] = 50;
    line["message"]["usage"]["cache_creation"] = {{"ephemeral_5m_input_tokens", 3}, {"ephemeral_1h_input_tokens", 4}};
    REQUIRE(parse(line.dump(), &out) == LineKind::Usage);
    CHECK(out.record.cache_creation_tokens == 7);
    CHECK(out.record.cache_creation_1h_tokens == 4);  // priced at the 1h rate

    line["message"]["usage"]["cache_creation"] = json::object();  // exists, empty: 0
    REQUIRE(parse(line.dump(), &out) == LineKind::Usage);
    CHECK(out.record.cache_creation_tokens == 0);

    line["message"]["usage"]["cache_creation"] = nullptr;  // null: as if absent
    REQUIRE(parse(line.dump(), &out) == LineKind::Usage);
    CHECK(out.record.cache_creation_tokens == 50);
}

TEST_CASE("<synthetic> model lines carry no billed usage", "[ingest][parser]") {
    auto line = assistant_line("u-1", "msg_1", "req_1", 5);
    line["message"]["model"] = "<synthetic>";
    CHECK(parse(line.dump()) == LineKind::Synthetic);
}

TEST_CASE("costUSD, sidechain flag, fast speed and fallbacks for the uuid", "[ingest][parser]") {
    UsageLine out;
    auto line = assistant_line("u-1", "msg_1", "req_1", 5);
    line["costUSD"] = 0.25;
    line["isSidechain"] = true;
    line["message"]["usage"]["speed"] = "fast";
    REQUIRE(parse(line.dump(), &out) == LineKind::Usage);
    CHECK(out.record.cost_usd == Approx(0.25));
    CHECK(out.is_sidechain);
    CHECK(out.record.model == "claude-sonnet-4-5-20250929-fast");

    line.erase("uuid");
    REQUIRE(parse(line.dump(), &out) == LineKind::Usage);
    CHECK(out.record.message_uuid == "msg_1:req_1");
    line["message"].erase("id");
    UsageLine again;
    REQUIRE(parse(line.dump(), &out) == LineKind::Usage);
    REQUIRE(parse(line.dump(), &again) == LineKind::Usage);
    CHECK(out.record.message_uuid.rfind("line-", 0) == 0);
    CHECK(out.record.message_uuid == again.record.message_uuid);  // stable across scans
}

// The id of a line without uuid and message.id is stored and synced: it must not change between
// versions. The expected value is ccu's FNV-1a 64 (see text_test.cpp) of the exact line text,
// computed outside ccu.
TEST_CASE("a line without uuid or message id gets the pinned id line-<fnv1a64 of the line>", "[ingest][parser]") {
    const std::string text =
        R"({"type":"assistant","sessionId":"s-1","timestamp":"2025-01-02T03:04:05.000Z",)"
        R"("message":{"model":"claude-sonnet-4-5-20250929","usage":{"input_tokens":5,"output_tokens":1}}})";
    UsageLine out;
    REQUIRE(parse(text, &out) == LineKind::Usage);
    CHECK(out.record.message_uuid == "line-cedd4a0be9ce68c6");
}

TEST_CASE("timestamps are normalized to UTC milliseconds", "[ingest][parser]") {
    UsageLine out;
    auto line = assistant_line("u-1", "msg_1", "req_1", 5, "2025-01-10T12:00:00+05:30");
    REQUIRE(parse(line.dump(), &out) == LineKind::Usage);
    CHECK(out.record.timestamp == "2025-01-10T06:30:00.000Z");
}

TEST_CASE("a subagent progress line replaying an assistant message counts", "[ingest][parser]") {
    const auto inner = assistant_line("u-inner", "msg_p", "req_p", 9);
    json progress = {{"type", "progress"},
                     {"uuid", "u-outer"},
                     {"sessionId", "session-9"},
                     {"cwd", "/w/proj"},
                     {"timestamp", "2025-09-30T10:00:00.000Z"},
                     {"data",
                      {{"type", "agent_progress"},
                       {"message",
                        {{"timestamp", "2025-09-30T11:00:00.000Z"},
                         {"requestId", "req_p"},
                         {"uuid", "u-inner"},
                         {"message", inner["message"]}}}}}};
    UsageLine out;
    REQUIRE(parse(progress.dump(), &out) == LineKind::Usage);
    CHECK(out.record.output_tokens == 9);
    CHECK(out.record.timestamp == "2025-09-30T11:00:00.000Z");
    CHECK(out.record.message_uuid == "u-inner");
    CHECK(out.record.session_id == "session-9");
    CHECK(out.record.folder == "proj");
}

TEST_CASE("cheap pre-checks", "[ingest][parser]") {
    using namespace ccu::ingest;
    CHECK(has_usage_marker(R"({"usage":{"a":1}})"));
    CHECK_FALSE(has_usage_marker(R"({"usage": {"a":1}})"));  // ccusage's marker has no blank
    CHECK(has_unsupported_null_field(R"({"message":{"model":null}})"));
    CHECK_FALSE(has_unsupported_null_field(R"({"message":{"content":null}})"));
    CHECK(is_semver_prefix("1.0.128"));
    CHECK_FALSE(is_semver_prefix("1.0"));
    CHECK_FALSE(is_semver_prefix("v1.0.0"));
    CHECK(normalize_claude_timestamp("2025-09-30T10:00:00Z") == "2025-09-30T10:00:00.000Z");
    CHECK(normalize_claude_timestamp("2025-09-30T10:00:60.000Z").empty());
}
