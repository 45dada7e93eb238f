#include <catch2/catch.hpp>

#include <string>

#include "ccu/ingest/collapse.hpp"

using ccu::ingest::Collapser;
using ccu::ingest::UsageLine;

namespace {

UsageLine line(const std::string& uuid, std::optional<std::string> message_id, std::optional<std::string> request_id,
               std::int64_t output, bool sidechain = false, std::int64_t cache_read = 0) {
    UsageLine l;
    l.record.session_id = "s";
    l.record.message_uuid = uuid;
    l.record.message_id = std::move(message_id);
    l.record.request_id = std::move(request_id);
    l.record.output_tokens = output;
    l.record.cache_read_tokens = cache_read;
    l.record.timestamp = "2025-01-01T00:00:0" + std::to_string(output % 10) + ".000Z";
    l.is_sidechain = sidechain;
    return l;
}

}  // namespace

TEST_CASE("streamed lines of one response collapse: largest total wins, first uuid kept", "[ingest][dedup]") {
    Collapser c;
    c.add(line("u1", "m", "r", 1));
    c.add(line("u2", "m", "r", 7));
    c.add(line("u3", "m", "r", 3));
    const auto out = c.take();
    REQUIRE(out.size() == 1);
    CHECK(out[0].record.message_uuid == "u1");
    CHECK(out[0].record.output_tokens == 7);
    CHECK(out[0].record.timestamp == "2025-01-01T00:00:07.000Z");  // fields of the kept line
}

TEST_CASE("a tie keeps the earlier line", "[ingest][dedup]") {
    Collapser c;
    c.add(line("u1", "m", "r", 5));
    auto later = line("u2", "m", "r", 5);
    later.record.model = "other";
    c.add(std::move(later));
    const auto out = c.take();
    REQUIRE(out.size() == 1);
    CHECK(out[0].record.model.empty());
}

TEST_CASE("same message id with another request id is another response", "[ingest][dedup]") {
    Collapser c;
    c.add(line("u1", "m", "r1", 5));
    c.add(line("u2", "m", "r2", 5));
    c.add(line("u3", "m", std::nullopt, 5));
    CHECK(c.take().size() == 3);
}

TEST_CASE("a sidechain replay of a main-session message is not a new record", "[ingest][dedup]") {
    Collapser c;
    c.add(line("main", "m", "r-main", 10, false, 20));
    c.add(line("replay", "m", "r-replay", 10, true, 50000));  // bigger, but a sidechain copy
    c.add(line("answer", "m2", "r-answer", 30, true, 700));
    const auto out = c.take();
    REQUIRE(out.size() == 2);
    CHECK(out[0].record.request_id == "r-main");
    CHECK(out[0].record.cache_read_tokens == 20);
    CHECK(out[1].record.message_id == "m2");
}

TEST_CASE("a main line replaces an earlier sidechain copy and stays indexed", "[ingest][dedup]") {
    Collapser c;
    c.add(line("replay", "m", "r-replay", 10, true, 50000));
    c.add(line("main", "m", "r-main", 10, false, 20));
    c.add(line("main-2", "m", "r-main", 5, false, 0));  // a smaller streamed line of the main response
    const auto out = c.take();
    REQUIRE(out.size() == 1);
    CHECK(out[0].record.request_id == "r-main");
    CHECK(out[0].record.cache_read_tokens == 20);
    CHECK(out[0].record.message_uuid == "replay");  // identity of the first line seen
    CHECK_FALSE(out[0].is_sidechain);
}

TEST_CASE("lines without message.id are each their own record", "[ingest][dedup]") {
    Collapser c;
    c.add(line("a", std::nullopt, "r", 5));
    c.add(line("b", std::nullopt, "r", 5));
    c.add(line("a", std::nullopt, "r", 5));
    CHECK(c.take().size() == 3);
}

TEST_CASE("reported cost breaks a token tie", "[ingest][dedup]") {
    Collapser c;
    auto a = line("a", "m", "r", 5);
    a.record.cost_usd = 0.1;
    auto b = line("b", "m", "r", 5);
    b.record.cost_usd = 0.2;
    c.add(std::move(a));
    c.add(std::move(b));
    const auto out = c.take();
    REQUIRE(out.size() == 1);
    CHECK(out[0].record.cost_usd == Approx(0.2));
    CHECK(out[0].record.message_uuid == "a");
}

TEST_CASE("a sidechain replay of a message id held by several responses joins the newest of them", "[ingest][dedup]") {
    Collapser c;
    c.add(line("a", "m", "r1", 1));
    c.add(line("b", "m", "r2", 2));   // same message.id, another request: a second response
    c.add(line("x", "other", "r9", 3));
    c.add(line("replay", "m", "r-replay", 4, true));
    const auto out = c.take();
    REQUIRE(out.size() == 3);
    CHECK(out[0].lines.empty());
    REQUIRE(out[1].lines.size() == 1);
    CHECK(out[1].lines[0].uuid == "replay");  // remembered as a line of b's response
}

TEST_CASE("collapsing thousands of responses finds every earlier line of each, past the indexes' growth",
          "[ingest][dedup]") {
    Collapser c;
    constexpr int kResponses = 5000;
    for (int i = 0; i < kResponses; ++i) c.add(line("first-" + std::to_string(i), "m" + std::to_string(i), "r", 1));
    for (int i = kResponses - 1; i >= 0; --i) c.add(line("more-" + std::to_string(i), "m" + std::to_string(i), "r", 5));
    const auto out = c.take();
    REQUIRE(out.size() == static_cast<std::size_t>(kResponses));
    for (int i = 0; i < kResponses; ++i) {
        CHECK(out[static_cast<std::size_t>(i)].record.message_uuid == "first-" + std::to_string(i));
        CHECK(out[static_cast<std::size_t>(i)].record.output_tokens == 5);
    }
    // A taken collapser starts empty: the same ids are new responses again.
    c.add(line("again", "m0", "r", 1));
    CHECK(c.take().size() == 1);
}
