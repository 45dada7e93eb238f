// Regression tests for hostile usage lines (found while fuzzing tests/fuzz/fuzz_line_parser.cpp):
// counts that wrap around when added, and fields too long to be a real id.
#include <catch2/catch.hpp>

#include <string>

#include "ccu/common/record.hpp"
#include "ccu/ingest/line_parser.hpp"
#include "unit/ingest/lines.hpp"

using ccu::ingest::LineKind;
using ccu::ingest::LineParser;
using ccu::ingest::UsageLine;
using ccu::ingest::testing::assistant_line;
using nlohmann::json;

namespace {

LineKind parse(const json& line, UsageLine* out = nullptr) {
    static LineParser parser;
    UsageLine parsed;
    const LineKind kind = parser.parse(line.dump(), {"file-session", "folder"}, parsed);
    if (out != nullptr) *out = parsed;
    return kind;
}

}  // namespace

TEST_CASE("token counts whose uint64 sum wraps around are rejected, never stored wrapped", "[ingest][hostile]") {
    json line = assistant_line("u-1", "msg-1", "req-1", 5);
    auto& usage = line["message"]["usage"];
    usage["input_tokens"] = 9223372036854775807ULL;  // each fits int64, the sum wraps past 2^64
    usage["output_tokens"] = 9223372036854775807ULL;
    usage["cache_creation_input_tokens"] = 2;
    usage["cache_read_input_tokens"] = 0;
    CHECK(parse(line) == LineKind::Rejected);
}

TEST_CASE("cache buckets whose sum wraps around are rejected", "[ingest][hostile]") {
    json line = assistant_line("u-1", "msg-1", "req-1", 5);
    line["message"]["usage"]["cache_creation"] = {{"ephemeral_5m_input_tokens", 18446744073709551615ULL},
                                                  {"ephemeral_1h_input_tokens", 2}};
    CHECK(parse(line) == LineKind::Rejected);
}

TEST_CASE("a record at the token limit is kept, one token more is rejected", "[ingest][hostile]") {
    json line = assistant_line("u-1", "msg-1", "req-1", 0);
    auto& usage = line["message"]["usage"];
    usage["input_tokens"] = ccu::kMaxRecordTotalTokens;
    usage["cache_creation_input_tokens"] = 0;
    usage["cache_read_input_tokens"] = 0;
    UsageLine out;
    REQUIRE(parse(line, &out) == LineKind::Usage);
    CHECK(out.record.total_tokens() == ccu::kMaxRecordTotalTokens);
    usage["output_tokens"] = 1;
    CHECK(parse(line) == LineKind::Rejected);
}

TEST_CASE("an id or branch longer than the record text limit is rejected", "[ingest][hostile]") {
    const std::string huge(ccu::kMaxRecordTextBytes + 1, 'x');
    json line = assistant_line("u-1", "msg-1", "req-1", 5);
    CHECK(parse(line) == LineKind::Usage);
    // The check sits inside each section: Catch counts a section's assertions only within it.
    SECTION("model") {
        line["message"]["model"] = huge;
        CHECK(parse(line) == LineKind::Rejected);
    }
    SECTION("uuid") {
        line["uuid"] = huge;
        CHECK(parse(line) == LineKind::Rejected);
    }
    SECTION("gitBranch") {
        line["gitBranch"] = huge;
        CHECK(parse(line) == LineKind::Rejected);
    }
    SECTION("cwd folder") {
        line["cwd"] = "/home/" + huge;
        CHECK(parse(line) == LineKind::Rejected);
    }
}
