// One record per response from the origin tool's one-row-per-line data (ingest/origin_rows.hpp)
// and the store's memory of every line uuid of a response (table record_lines).
#include <catch2/catch.hpp>

#include <algorithm>
#include <random>
#include <stdexcept>

#include <SQLiteCpp/SQLiteCpp.h>

#include "ccu/common/time.hpp"
#include "ccu/common/origin_rows.hpp"
#include "ccu/store/store.hpp"
#include "store_test_util.hpp"
#include "support/costs.hpp"
#include "support/sandbox.hpp"

using ccu::UsageRecord;
using ccu::OriginRow;
using ccu::store::OpenMode;
using ccu::store::Store;
using ccu::store::UpsertStats;
using ccu::test::make_record;

namespace {

OriginRow row(const std::string& session, const std::string& uuid, std::int64_t ms, std::int64_t output,
              std::int64_t cache_creation, std::int64_t cache_read = 1000) {
    UsageRecord r = make_record(session, uuid, output);
    r.timestamp = ccu::timeutil::format_rfc3339_ms(ms);
    r.cache_creation_tokens = cache_creation;
    r.cache_read_tokens = cache_read;
    return OriginRow{r, ms, ms};
}

constexpr std::int64_t kT = 1735787045000;  // 2025-01-02T03:04:05Z

}  // namespace

TEST_CASE("lines of one response merge into one record with the largest counts though cache creation differs",
          "[origin_rows]") {
    // Three streamed lines; the origin dropped the cache-creation count of the last one.
    auto out = ccu::collapse_origin_rows(
        {row("s", "l3", kT + 900, 300, 0), row("s", "l1", kT, 5, 200), row("s", "l2", kT + 400, 120, 200),
         row("s", "next", kT + 60000, 40, 0, 2500)});
    REQUIRE(out.records.size() == 2);
    const UsageRecord& first = out.records[0];
    CHECK(first.message_uuid == "l1");
    CHECK(first.output_tokens == 300);
    CHECK(first.cache_creation_tokens == 200);
    CHECK(first.total_tokens() == 10 + 300 + 200 + 1000);
    CHECK(out.lines[0] == ccu::LineUuids{{"s", "l2"}, {"s", "l3"}});
    CHECK(out.records[1].message_uuid == "next");
    CHECK(out.merged == 2);
}

TEST_CASE("rows far apart in time or of another session are separate responses", "[origin_rows]") {
    auto out = ccu::collapse_origin_rows({row("s", "a", kT, 5, 200),
                                                  row("s", "b", kT + ccu::kStreamGapMs + 1, 7, 200),
                                                  row("t", "c", kT + 10, 9, 200)});
    CHECK(out.records.size() == 3);
    CHECK(out.merged == 0);
}

TEST_CASE("a replay with a larger cache read and a resumed copy are the same response keeping the smaller read",
          "[origin_rows]") {
    auto out = ccu::collapse_origin_rows({row("s", "orig", kT, 300, 200, 1000),
                                                  row("s", "replay", kT, 300, 200, 51000),
                                                  row("resumed", "copy", kT, 300, 0, 1000)});
    REQUIRE(out.records.size() == 1);
    CHECK(out.records[0].message_uuid == "orig");
    CHECK(out.records[0].cache_read_tokens == 1000);
    CHECK(out.records[0].cache_creation_tokens == 200);
    CHECK(out.lines[0] == ccu::LineUuids{{"s", "replay"}, {"resumed", "copy"}});
}

TEST_CASE("prompt rows and rows without tokens are not billed responses", "[origin_rows]") {
    UsageRecord prompt = make_record("s", "p", 0);
    prompt.model.clear();
    prompt.input_tokens = prompt.cache_creation_tokens = prompt.cache_read_tokens = 0;
    CHECK(ccu::is_unbilled_origin_row(prompt));
    CHECK_FALSE(ccu::is_unbilled_origin_row(make_record("s", "r", 1)));
}

TEST_CASE("a row whose uuid is any line of a stored response is that response and never supplies its counts",
          "[store][record_lines]") {
    ccu::test::Sandbox box;
    Store store(box.data_dir() / "ccu.db", OpenMode::ReadWrite, ccu::test::embedded_costs());
    // From the logs: response with ids, first line l1, further lines l2 and l3.
    const UsageRecord logged = ccu::test::with_ids(make_record("s", "l1", 300), "msg_1", "req_1");
    REQUIRE(store.upsert({logged}, {{{"s", "l2"}, {"s", "l3"}}}).inserted == 1);
    // The origin's rows of the same response, split differently and larger (a flat cache count).
    UsageRecord late = make_record("s", "l3", 300);
    late.cache_creation_tokens = 1100;
    const auto stats = store.upsert({late, make_record("s", "l2", 120)});
    CHECK(stats.inserted == 0);
    CHECK(stats.unchanged == 2);
    const auto all = store.query({});
    REQUIRE(all.size() == 1);
    CHECK(all[0] == logged);
    // An unknown line is a new record, and its further lines are remembered for later copies.
    CHECK(store.upsert({make_record("s", "x1", 5)}, {{{"s", "x2"}}}).inserted == 1);
    UsageRecord bigger = make_record("s", "x2", 50);
    CHECK(store.upsert({bigger}).updated == 1);  // neither has ids: the larger total wins
    CHECK(store.count() == 2);
}

TEST_CASE("the logs' counts replace an origin row's larger counts when they arrive after it", "[store][record_lines]") {
    ccu::test::Sandbox box;
    Store store(box.data_dir() / "ccu.db", OpenMode::ReadWrite, ccu::test::embedded_costs());
    UsageRecord origin = make_record("s", "l1", 300);
    origin.cache_creation_tokens = 1100;  // the origin's flat count disagreed with the buckets
    store.upsert({origin}, {{{"s", "l2"}}});
    const UsageRecord logged = ccu::test::with_ids(make_record("s", "l2", 300), "msg_1", "req_1");
    CHECK(store.upsert({logged}).updated == 1);
    const auto all = store.query({});
    REQUIRE(all.size() == 1);
    CHECK(all[0].message_uuid == "l1");  // identity stays
    CHECK(all[0].cache_creation_tokens == 100);
    CHECK(all[0].message_id == "msg_1");
}

TEST_CASE("origin fragments of one response stored before the logs are folded into the logs' record",
          "[store][record_lines]") {
    ccu::test::Sandbox box;
    Store store(box.data_dir() / "ccu.db", OpenMode::ReadWrite, ccu::test::embedded_costs());
    // The origin split one response into two records (its rows disagreed); pulled before a scan.
    store.upsert({make_record("s", "l1", 120), make_record("s", "l3", 300)}, {{{"s", "l2"}}, {}});
    REQUIRE(store.count() == 2);
    const UsageRecord logged = ccu::test::with_ids(make_record("s", "l1", 300), "msg_1", "req_1");
    store.upsert({logged}, {{{"s", "l2"}, {"s", "l3"}}});
    const auto all = store.query({});
    REQUIRE(all.size() == 1);
    CHECK(all[0] == logged);
    // The folded fragment's line now names the logs' record.
    CHECK(store.upsert({make_record("s", "l3", 900)}).unchanged == 1);
}

TEST_CASE("replacing a machine's records drops them and their lines in one transaction", "[store][record_lines]") {
    ccu::test::Sandbox box;
    Store store(box.data_dir() / "ccu.db", OpenMode::ReadWrite, ccu::test::embedded_costs());
    store.upsert({make_record("s", "a", 5, 0, "old"), make_record("s", "b", 6, 1, "old"),
                  make_record("s", "c", 7, 2, "laptop")},
                 {{{"s", "a2"}}, {}, {}});
    const auto stats = store.replace_machine_records("old", {make_record("s", "n", 9, 3, "old")});
    CHECK(stats.inserted == 1);
    CHECK(store.count(std::string("old")) == 1);
    CHECK(store.count(std::string("laptop")) == 1);
    // "a2" no longer points anywhere: a row with that uuid is a new record.
    CHECK(store.upsert({make_record("s", "a2", 5, 4, "old")}).inserted == 1);
}

namespace {

// prefix + n, without `"literal" + std::to_string()` (a false -Wstringop-overflow of GCC 12 at -O3).
std::string numbered(const char* prefix, std::uint64_t n) {
    std::string out(prefix);
    out += std::to_string(n);
    return out;
}

// Origin-like rows: streams of lines, copies at the same millisecond, sessions and models that
// repeat, gaps around kStreamGapMs; `order` is the row id.
std::vector<OriginRow> random_rows(std::mt19937& rng, std::size_t n) {
    std::vector<OriginRow> rows;
    std::int64_t ms = kT;
    for (std::size_t i = 0; i < n; ++i) {
        const int step = static_cast<int>(rng() % 8);
        if (step == 0) ms += ccu::kStreamGapMs + 1;  // a gap that ends every stream
        if (step >= 3) ms += static_cast<std::int64_t>(rng() % 200'000);
        const std::string session = numbered("s", rng() % 3);
        OriginRow r = row(session, numbered("u", i), ms, static_cast<std::int64_t>(rng() % 4),
                          static_cast<std::int64_t>(rng() % 3) * 100, 1000 + static_cast<std::int64_t>(rng() % 2));
        r.record.model = rng() % 4 == 0 ? "claude-opus-4-20250514" : "claude-sonnet-4-20250514";
        r.order = static_cast<std::int64_t>(i);
        rows.push_back(std::move(r));
    }
    return rows;
}

}  // namespace

TEST_CASE("the streaming collapse hands on exactly what the whole-input collapse makes and holds little back",
          "[origin_rows][stream]") {
    for (std::uint32_t seed = 1; seed <= 40; ++seed) {
        std::mt19937 rng(seed);
        const std::vector<OriginRow> rows = random_rows(rng, 300);
        const ccu::OriginCollapse whole = ccu::collapse_origin_rows(rows);

        ccu::OriginStream stream;
        ccu::OriginCollapse streamed;
        std::size_t most_pending = 0;
        for (const OriginRow& r : rows) {  // already in (timestamp, order) order
            stream.add(r);
            if (rng() % 3 == 0) stream.take_ready(streamed);
            most_pending = std::max(most_pending, stream.pending());
        }
        stream.finish(streamed);
        INFO("seed " << seed);
        REQUIRE(streamed.records.size() == whole.records.size());
        CHECK(streamed.records == whole.records);
        CHECK(streamed.lines == whole.lines);
        CHECK(streamed.merged == whole.merged);
        CHECK(most_pending < rows.size() / 2);  // responses are handed on as time moves past them
    }
}

TEST_CASE("the streaming collapse refuses a row that sorts before the previous one", "[origin_rows][stream]") {
    ccu::OriginStream stream;
    stream.add(row("s", "b", kT + 10, 5, 0));
    CHECK_THROWS_AS(stream.add(row("s", "a", kT, 5, 0)), std::logic_error);
}

namespace {

// Every line of every record as (session, line uuid -> the identity of its record), read from
// the file: each record's own uuid (its key) and its further lines (record_lines).
std::vector<std::string> line_map(const std::filesystem::path& file) {
    SQLite::Database db(file.string(), SQLite::OPEN_READONLY);
    SQLite::Statement q(db, "SELECT l.session_id || '/' || l.line_uuid || ' -> ' || r.session_id || '/' || "
                            "r.message_uuid FROM record_lines l JOIN records r ON r.id = l.record_id "
                            "UNION ALL SELECT session_id || '/' || message_uuid || ' -> ' || session_id || '/' || "
                            "message_uuid FROM records ORDER BY 1");
    std::vector<std::string> out;
    while (q.executeStep()) out.push_back(q.getColumn(0).getString());
    return out;
}

}  // namespace

TEST_CASE("origin rows upserted as plain inserts when all are new give the store the one-by-one upsert gives",
          "[store][record_lines][fresh]") {
    // The reference store sees each record in a batch that starts with a record it already
    // holds: that batch cannot be inserted as it is, so each record takes the one-by-one path.
    for (std::uint32_t seed = 1; seed <= 12; ++seed) {
        ccu::test::Sandbox box;
        Store fast(box.data_dir() / "fast.db", OpenMode::ReadWrite, ccu::test::embedded_costs());
        Store reference(box.data_dir() / "reference.db", OpenMode::ReadWrite, ccu::test::embedded_costs());
        const UsageRecord sentinel = make_record("sentinel", "x", 1);
        fast.upsert({sentinel});
        reference.upsert({sentinel});
        std::mt19937 rng(seed);
        int next = 0;
        std::vector<std::string> seen;  // uuids used so far, all in session "s"
        for (int batch = 0; batch < 12; ++batch) {
            std::vector<UsageRecord> records;
            std::vector<ccu::LineUuids> lines;
            const bool collide = rng() % 3 == 0;  // some batches repeat a uuid seen before
            for (int i = 0; i < 20; ++i) {
                const bool repeat = collide && i == 10 + static_cast<int>(rng() % 10) && !seen.empty();
                const std::string uuid = repeat ? seen[rng() % seen.size()] : numbered("u", static_cast<std::uint64_t>(next++));
                records.push_back(make_record("s", uuid, static_cast<std::int64_t>(rng() % 500), next % 1000));
                ccu::LineUuids further;
                if (rng() % 2 == 0) further.push_back({"s", numbered("u", static_cast<std::uint64_t>(next++))});
                lines.push_back(further);
                seen.push_back(uuid);
                for (const auto& l : further) seen.push_back(l.uuid);
            }
            const UpsertStats got = fast.upsert(records, lines);
            UpsertStats want;
            for (std::size_t i = 0; i < records.size(); ++i) {
                const UpsertStats s = reference.upsert({sentinel, records[i]}, {{}, lines[i]});
                want.inserted += s.inserted;
                want.updated += s.updated;
                want.unchanged += s.unchanged - 1;  // the sentinel
            }
            INFO("seed " << seed << " batch " << batch);
            CHECK(got.inserted == want.inserted);
            CHECK(got.updated == want.updated);
            CHECK(got.unchanged == want.unchanged);
        }
        INFO("seed " << seed);
        CHECK(fast.query({}) == reference.query({}));
        CHECK(fast.max_sequence() == reference.max_sequence());
        CHECK(fast.changed_since("laptop", fast.max_sequence() / 2) ==
              reference.changed_since("laptop", reference.max_sequence() / 2));
        CHECK(ccu::test::bucket_rows(fast) == ccu::test::bucket_rows(reference));
        CHECK(line_map(fast.file()) == line_map(reference.file()));
    }
}

TEST_CASE("a batch write leaves nothing behind without commit and equals one upsert with it", "[store][batch]") {
    ccu::test::Sandbox box;
    Store store(box.data_dir() / "ccu.db", OpenMode::ReadWrite, ccu::test::embedded_costs());
    const std::vector<UsageRecord> first{make_record("s", "a", 5), make_record("s", "b", 6, 1)};
    const std::vector<UsageRecord> second{make_record("s", "c", 7, 2), make_record("s", "a", 50)};
    {
        ccu::store::BatchWrite write = store.begin_batches();
        CHECK(write.add(first, {}).inserted == 2);
        CHECK(write.add(second, {}).updated == 1);  // sees the first batch: same transaction
    }
    CHECK(store.count() == 0);
    CHECK(store.max_sequence() == 0);
    CHECK(ccu::test::bucket_rows(store).empty());

    {
        ccu::store::BatchWrite write = store.begin_batches();
        write.add(first, {});
        write.add(second, {});
        write.commit();
    }
    Store reference(box.data_dir() / "reference.db", OpenMode::ReadWrite, ccu::test::embedded_costs());
    std::vector<UsageRecord> both = first;
    both.insert(both.end(), second.begin(), second.end());
    reference.upsert(both);
    CHECK(store.query({}) == reference.query({}));
    CHECK(store.max_sequence() == reference.max_sequence());
    CHECK(ccu::test::bucket_rows(store) == ccu::test::bucket_rows(reference));
}
