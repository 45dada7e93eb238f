#include <catch2/catch.hpp>

#include "ccu/common/error.hpp"
#include "ccu/pricing/price_table.hpp"

using ccu::UsageRecord;
using ccu::pricing::PriceTable;
using ccu::pricing::TokenCounts;

namespace {

UsageRecord record(std::string model, std::int64_t in, std::int64_t out, std::int64_t cw = 0, std::int64_t cr = 0) {
    UsageRecord r;
    r.session_id = std::string("s");  // move-assign: GCC 12 -O3 -Wrestrict false positive on = "literal"
    r.message_uuid = std::string("u");
    r.timestamp = std::string("2025-01-01T00:00:00.000Z");
    r.model = std::move(model);
    r.input_tokens = in;
    r.output_tokens = out;
    r.cache_creation_tokens = cw;
    r.cache_read_tokens = cr;
    return r;
}

const char* kSmallTable = R"({"updated":"2026-01-01","source":"test","models":{
  "claude-sonnet-4-20250514":{"input":3,"output":15,"cache_write_5m":3.75,"cache_read":0.3,
     "input_above_200k":6,"output_above_200k":22.5,"cache_write_5m_above_200k":7.5,"cache_read_above_200k":0.6},
  "claude-sonnet-4-5":{"input":3,"output":15,"cache_write_5m":3.75,"cache_read":0.3},
  "claude-opus-4-20250514":{"input":15,"output":75,"cache_write_5m":18.75,"cache_read":1.5},
  "claude-opus-4-6":{"input":5,"output":25,"cache_write_5m":6.25,"cache_read":0.5},
  "anthropic.claude-haiku-4-5-20251001-v1:0":{"input":1,"output":5}
}})";

}  // namespace

TEST_CASE("exact model id uses its rates", "[pricing]") {
    auto table = PriceTable::parse(kSmallTable);
    CHECK(table.size() == 5);
    CHECK(table.updated() == "2026-01-01");
    // 1000 in * 5e-6 + 100 out * 25e-6 + 2000 cw * 6.25e-6 + 10000 cr * 0.5e-6
    CHECK(table.computed_cost(record("claude-opus-4-6", 1000, 100, 2000, 10000)) ==
          Approx(0.005 + 0.0025 + 0.0125 + 0.005).epsilon(1e-12));
}

TEST_CASE("family fallback by date suffix, prefix, separator, never another version", "[pricing]") {
    auto table = PriceTable::parse(kSmallTable);
    const auto* sonnet45 = table.find("claude-sonnet-4-5");
    REQUIRE(sonnet45 != nullptr);
    CHECK(table.find("claude-sonnet-4-5-20250929") == sonnet45);   // date suffix
    CHECK(table.find("anthropic/claude-sonnet-4-5") == sonnet45);  // provider prefix
    CHECK(table.find("claude-sonnet-4.5") == sonnet45);            // '.' separator
    CHECK(table.find("Claude-Sonnet-4-5") == sonnet45);            // case
    CHECK(table.find("claude-opus-4-6-20260205") == table.find("claude-opus-4-6"));
    // "claude-opus-4" (as contained in claude-opus-4-20250514) must not price opus 4.6's
    // sibling 4.7: a numeric version after the key is a different model.
    CHECK(table.find("claude-opus-4-7") == nullptr);
    CHECK(table.find("claude-opus-4") == table.find("claude-opus-4-20250514"));
    // Bedrock form found from the bare id, and the bare id from the bedrock form.
    CHECK(table.find("claude-haiku-4-5-20251001") == table.find("anthropic.claude-haiku-4-5-20251001-v1:0"));
    CHECK(table.knows("claude-haiku-4-5-20251001"));
}

TEST_CASE("unknown model costs 0 and is collected once", "[pricing]") {
    auto table = PriceTable::parse(kSmallTable);
    CHECK_FALSE(table.knows("gpt-4o"));
    CHECK(table.computed_cost(record("gpt-4o", 1000, 1000)) == 0.0);
    CHECK_FALSE(table.knows("<synthetic>"));
    ccu::pricing::UnknownModels unknown;
    unknown.note(table, record("gpt-4o", 10, 10));
    unknown.note(table, record("gpt-4o", 20, 10));
    unknown.note(table, record("<synthetic>", 0, 0));
    unknown.note(table, record("mystery", 0, 0));  // no tokens: nothing to price
    auto priced = record("other-unknown", 5, 5);
    priced.cost_usd = 0.5;  // auto mode uses the reported cost: not missing
    unknown.note(table, priced);
    unknown.note(table, record("claude-opus-4-6", 1, 1));
    CHECK(unknown.names() == std::set<std::string>{"gpt-4o"});
}

TEST_CASE("long-context tier is marginal per bucket above 200k", "[pricing]") {
    auto table = PriceTable::parse(kSmallTable);
    // 300k input: 200k * 3e-6 + 100k * 6e-6 = 0.6 + 0.6
    CHECK(table.computed_cost(record("claude-sonnet-4-20250514", 300000, 0)) == Approx(1.2).epsilon(1e-12));
    // 1M of each bucket
    CHECK(table.computed_cost(record("claude-sonnet-4-20250514", 1000000, 1000000, 1000000, 1000000)) ==
          Approx(5.4 + 21.0 + 6.75 + 0.54).epsilon(1e-12));
    // Buckets are tiered separately: 150k input + 150k cache read stays at base rates.
    CHECK(table.computed_cost(record("claude-sonnet-4-20250514", 150000, 0, 0, 150000)) ==
          Approx(0.45 + 0.045).epsilon(1e-12));
    // A model without tier rates is flat.
    CHECK(table.computed_cost(record("claude-opus-4-6", 1000000, 0)) == Approx(5.0).epsilon(1e-12));
}

TEST_CASE("1h cache writes cost twice the input rate unless given", "[pricing]") {
    auto table = PriceTable::parse(kSmallTable);
    TokenCounts t;
    t.cache_write_5m = 1000000;
    t.cache_write_1h = 1000000;
    CHECK(table.computed_cost("claude-opus-4-6", t) == Approx(6.25 + 10.0).epsilon(1e-12));

    // A record's cache writes: the 1h part at the 1h rate, the rest at the 5m rate.
    auto r = record("claude-opus-4-6", 0, 0);
    r.cache_creation_tokens = 2000000;
    r.cache_creation_1h_tokens = 1000000;
    CHECK(table.cost_of(r) == Approx(6.25 + 10.0).epsilon(1e-12));
    r.cache_creation_1h_tokens = 0;  // no breakdown known: all 5m, as ccusage does
    CHECK(table.cost_of(r) == Approx(2 * 6.25).epsilon(1e-12));
}

TEST_CASE("cost_of follows ccusage auto mode", "[pricing]") {
    auto table = PriceTable::parse(kSmallTable);
    auto r = record("claude-opus-4-6", 1000000, 0);
    CHECK(table.cost_of(r) == Approx(5.0));
    r.cost_usd = 1.25;
    CHECK(table.cost_of(r) == 1.25);
    CHECK(table.computed_cost(r) == Approx(5.0));
    r.model = "unknown";
    CHECK(table.cost_of(r) == 1.25);
}

TEST_CASE("embedded table is ccusage's snapshot", "[pricing]") {
    const auto& table = PriceTable::embedded();
    CHECK(table.size() > 50);
    CHECK_FALSE(table.updated().empty());
    CHECK(table.source().find("ccusage") != std::string::npos);
    // Figures measured with ccusage 20.0.24 --offline (tests/ccusage): 1M tokens per bucket.
    CHECK(table.computed_cost(record("claude-sonnet-4-20250514", 1000000, 0)) == Approx(5.4));
    CHECK(table.computed_cost(record("claude-sonnet-4-5-20250929", 0, 1000000)) == Approx(21.0));
    CHECK(table.computed_cost(record("claude-opus-4-6", 0, 0, 1000000)) == Approx(6.25));
    CHECK(table.computed_cost(record("claude-3-5-haiku-20241022", 0, 0, 0, 1000000)) == Approx(0.08));
    CHECK(table.computed_cost(record("claude-3-haiku-20240307", 0, 0, 1000000)) == Approx(0.3));
    CHECK(table.computed_cost(record("us.anthropic.claude-opus-4-6-v1", 1000000, 0)) == Approx(5.5));
    CHECK(table.computed_cost(record("claude-opus-4-1", 0, 1000000)) == Approx(75.0));
    CHECK(table.computed_cost(record("claude-sonnet-4-5-20991231", 1000000, 0)) == Approx(5.4));
    // Fast mode (ingest names it "<model>-fast"): base rates times ccusage's multiplier.
    CHECK(table.computed_cost(record("claude-opus-4-6-fast", 1000000, 0)) == Approx(30.0));
    CHECK(table.computed_cost(record("claude-opus-4-8-fast", 1000000, 0)) == Approx(10.0));
    CHECK(table.computed_cost(record("claude-sonnet-4-5-fast", 1000000, 0)) == Approx(5.4));
    CHECK_FALSE(table.knows("gpt-unknown-fast"));
}

TEST_CASE("malformed price table is an error", "[pricing]") {
    CHECK_THROWS_AS(PriceTable::parse("not json"), ccu::Error);
    CHECK_THROWS_AS(PriceTable::parse(R"({"models":[]})"), ccu::Error);
    CHECK_THROWS_AS(PriceTable::parse(R"({"models":{"m":{"input":"x"}}})"), ccu::Error);
}
