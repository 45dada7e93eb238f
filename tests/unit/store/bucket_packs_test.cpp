// The bucket packs (store/bucket_packs.hpp) are a cache of the bucket tables: whatever wrote the
// store, a read through them returns exactly what the tables hold; a stored pack is what later
// reads use; a report never waits for the write lock to store one; a read-only store stores none.
#include <SQLiteCpp/SQLiteCpp.h>
#include <catch2/catch.hpp>

#include <chrono>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "ccu/common/time.hpp"
#include "ccu/store/store.hpp"
#include "store_test_util.hpp"
#include "support/costs.hpp"
#include "support/sandbox.hpp"

using ccu::UsageRecord;
using ccu::store::BucketGrain;
using ccu::store::BucketQuery;
using ccu::store::BucketSet;
using ccu::store::OpenMode;
using ccu::store::PackUse;
using ccu::store::Store;

namespace {

constexpr std::int64_t kStartMs = 1735787045000LL;  // 2025-01-02
constexpr std::int64_t kDayMs = 86'400'000;

// Records over 50 days (five pack chunks of 10.7 days), three machines, sessions and models.
std::vector<UsageRecord> records_of(std::mt19937& rng, std::size_t n, const std::string& tag) {
    const char* models[] = {"claude-sonnet-4-20250514", "claude-opus-4-6", "claude-mystery-9"};
    const char* machines[] = {"laptop", "desktop", "server"};
    std::vector<UsageRecord> out;
    for (std::size_t i = 0; i < n; ++i) {
        UsageRecord r = ccu::test::make_record("s" + std::to_string(rng() % 9), tag + std::to_string(i),
                                               static_cast<std::int64_t>(rng() % 500), 0, machines[rng() % 3]);
        r.timestamp = ccu::timeutil::format_rfc3339_ms(kStartMs + static_cast<std::int64_t>(rng() % (50 * kDayMs)));
        r.model = models[rng() % 3];
        r.folder = "f" + std::to_string(rng() % 4);
        out.push_back(r);
    }
    return out;
}

// A bucket as text with its names resolved: comparable between two reads.
std::vector<std::string> rows_of(const BucketSet& set) {
    std::vector<std::string> out;
    for (const auto& b : set.buckets) {
        out.push_back(std::to_string(b.quarter) + " " + set.names[b.machine] + " " + set.names[b.session] + " " +
                      set.names[b.model] + " " + set.names[b.project] + " " + set.names[b.folder] + " " +
                      std::to_string(b.input_tokens) + " " + std::to_string(b.output_tokens) + " " +
                      std::to_string(b.cache_creation_tokens) + " " + std::to_string(b.cache_read_tokens) + " " +
                      std::to_string(b.cost) + " " + std::to_string(b.records) + " " + std::to_string(b.unpriced) +
                      " " + std::to_string(b.first_ms) + " " + std::to_string(b.last_ms));
    }
    return out;
}

BucketQuery random_query(std::mt19937& rng) {
    BucketQuery q;
    q.grain = static_cast<BucketGrain>(rng() % 4);
    if (q.grain != BucketGrain::WholeSession && rng() % 2 == 0) {
        q.since_ms = kStartMs + static_cast<std::int64_t>(rng() % (40 * kDayMs)) - kDayMs;
        q.until_ms = *q.since_ms + static_cast<std::int64_t>(rng() % (20 * kDayMs));
    }
    switch (rng() % 4) {
        case 0: q.machines = {"laptop"}; break;
        case 1: q.machines = {"desktop", "server", "nowhere"}; break;
        default: break;
    }
    return q;
}

std::int64_t pack_count(const Store& store) {
    SQLite::Database db(store.file().string(), SQLite::OPEN_READONLY);
    return db.execAndGet("SELECT count(*) FROM bucket_packs").getInt64();
}

void require_packs_match_tables(const Store& store, std::mt19937& rng) {
    for (int i = 0; i < 12; ++i) {
        BucketQuery q = random_query(rng);
        const auto through_packs = rows_of(store.buckets(q));
        q.packs = PackUse::TableOnly;
        REQUIRE(through_packs == rows_of(store.buckets(q)));
    }
}

}  // namespace

TEST_CASE("reads through the bucket packs equal the tables after upserts, updates, replaces and renames",
          "[store][packs]") {
    for (unsigned seed = 1; seed <= 6; ++seed) {
        ccu::test::Sandbox sandbox;
        Store store(sandbox.data_dir() / "store.db", OpenMode::ReadWrite, ccu::test::embedded_costs());
        std::mt19937 rng(seed);
        store.upsert(records_of(rng, 400, "a"));
        require_packs_match_tables(store, rng);
        REQUIRE(pack_count(store) > 0);  // the reads above stored packs, so the next ones use them
        for (int step = 0; step < 8; ++step) {
            switch (rng() % 4) {
                case 0: store.upsert(records_of(rng, 30, "n" + std::to_string(step))); break;
                case 1: {
                    auto again = records_of(rng, 40, "a");  // the same uuids: updates of stored records
                    for (auto& r : again) r.output_tokens += 1000;
                    store.upsert(again);
                    break;
                }
                case 2: store.replace_machine_records("server", records_of(rng, 50, "r" + std::to_string(step))); break;
                default: store.rename_machine("desktop", "desktop" + std::to_string(step)); break;
            }
            require_packs_match_tables(store, rng);
        }
    }
}

TEST_CASE("a stored bucket pack is what later reads use, until a write to its chunk drops it", "[store][packs]") {
    ccu::test::Sandbox sandbox;
    Store store(sandbox.data_dir() / "store.db", OpenMode::ReadWrite, ccu::test::embedded_costs());
    std::mt19937 rng(11);
    store.upsert(records_of(rng, 200, "a"));
    BucketQuery q;
    q.grain = BucketGrain::Model;
    const auto before = rows_of(store.buckets(q));
    {
        // Behind the store's back, so no pack is dropped: only a read of the pack still sees 0.
        SQLite::Database db(store.file().string(), SQLite::OPEN_READWRITE);
        db.exec("UPDATE usage_models SET input_tokens = input_tokens + 1");
    }
    CHECK(rows_of(store.buckets(q)) == before);
    q.packs = PackUse::TableOnly;
    CHECK(rows_of(store.buckets(q)) != before);
    // Records every 2 days up to the last one (chunks are 10.7 days): each pack of the grain is
    // dropped and built again from the table.
    std::vector<UsageRecord> one_a_chunk;
    for (int day = 0; day <= 50; day += 2) {
        UsageRecord r = ccu::test::make_record("s1", "late" + std::to_string(day), 7);
        r.timestamp = ccu::timeutil::format_rfc3339_ms(kStartMs + day * kDayMs);
        one_a_chunk.push_back(r);
    }
    store.upsert(one_a_chunk);
    const auto tables = rows_of(store.buckets(q));
    q.packs = PackUse::ReadAndStore;
    CHECK(rows_of(store.buckets(q)) == tables);
}

TEST_CASE("a read does not wait for another writer to store packs, answers from the tables, and leaves the "
          "store's busy timeout as it was",
          "[store][packs]") {
    ccu::test::Sandbox sandbox;
    Store store(sandbox.data_dir() / "store.db", OpenMode::ReadWrite, std::chrono::milliseconds(5000),
                ccu::test::embedded_costs());
    std::mt19937 rng(5);
    store.upsert(records_of(rng, 300, "a"));
    store.upsert(records_of(rng, 10, "b"));  // the store is in WAL mode now
    BucketQuery q;
    q.grain = BucketGrain::Project;
    q.packs = PackUse::TableOnly;
    const auto tables = rows_of(store.buckets(q));
    q.packs = PackUse::ReadAndStore;
    {
        SQLite::Database other(store.file().string(), SQLite::OPEN_READWRITE);
        other.exec("BEGIN IMMEDIATE");  // holds the write lock
        const auto started = std::chrono::steady_clock::now();
        CHECK(rows_of(store.buckets(q)) == tables);
        // Far below the 5 s busy timeout it would have waited for the lock.
        CHECK(std::chrono::steady_clock::now() - started < std::chrono::milliseconds(2500));
        CHECK(pack_count(store) == 0);
        // The store's own busy timeout is back: its next write waits for the lock to go.
        std::thread release([&other] {
            std::this_thread::sleep_for(std::chrono::milliseconds(300));
            other.exec("ROLLBACK");
        });
        CHECK_NOTHROW(store.upsert(records_of(rng, 5, "c")));
        release.join();
    }
    q.packs = PackUse::TableOnly;
    const auto after_upsert = rows_of(store.buckets(q));
    CHECK(after_upsert != tables);
    q.packs = PackUse::ReadAndStore;
    CHECK(rows_of(store.buckets(q)) == after_upsert);
    CHECK(pack_count(store) > 0);
}

TEST_CASE("a read-only store reads the tables and stores no pack", "[store][packs]") {
    ccu::test::Sandbox sandbox;
    const auto file = sandbox.data_dir() / "store.db";
    std::mt19937 rng(3);
    {
        Store writer(file, OpenMode::ReadWrite, ccu::test::embedded_costs());
        writer.upsert(records_of(rng, 200, "a"));
    }
    const Store reader(file, OpenMode::ReadOnly, ccu::test::embedded_costs());
    BucketQuery q;
    q.grain = BucketGrain::Session;
    const auto through_packs = rows_of(reader.buckets(q));
    q.packs = PackUse::TableOnly;
    CHECK(through_packs == rows_of(reader.buckets(q)));
    CHECK(!through_packs.empty());
    CHECK(pack_count(reader) == 0);
}
