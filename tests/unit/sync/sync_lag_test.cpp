// The REST store against a lagging replica (the fake's read_lag_reads): reads right after a write
// serve the commit from before it, so the read-back after a PATCH must look again, and a writer
// that planned on a stale head must detect it and re-merge.
#include <catch2/catch.hpp>

#include "ccu/sync/data_file.hpp"
#include "ccu/sync/manifest.hpp"
#include "sync_fixture.hpp"

using namespace ccu;
using namespace ccu::test;

namespace {

std::size_t commit_list_reads(const nlohmann::json& requests) {
    std::size_t n = 0;
    for (const auto& r : requests) n += r["path"].get<std::string>().find("/commits") != std::string::npos ? 1 : 0;
    return n;
}

}  // namespace

TEST_CASE("under read lag a push looks again until its own commit is listed", "[sync][lag][rest]") {
    FakeFixture fx;
    fx.fake.configure({{"read_lag_reads", 2}});
    SimMachine a(fx.fake, fx.gist_id, "laptop", fx.clock);
    a.add_records(0, 10);
    auto m = a.manager();
    fx.fake.control("DELETE", "/_fake/requests");
    const auto r = m.push(sync::ConflictMode::Detect);
    CHECK(r.uploaded);
    CHECK(r.conflicts_resolved == 0);
    // Two stale commit lists, then the one that shows our commit on the base.
    CHECK(commit_list_reads(fx.requests()) == 3);
    CHECK(fx.clock.total_slept() >= std::chrono::milliseconds(1500));
    CHECK_FALSE(a.sink.said("Conflict detected"));
}

TEST_CASE("under read lag a writer that planned on a stale head re-merges and loses nothing", "[sync][lag][rest]") {
    FakeFixture fx;
    SimMachine a(fx.fake, fx.gist_id, "laptop", fx.clock);
    SimMachine b(fx.fake, fx.gist_id, "desktop", fx.clock);
    a.add_records(0, 10);
    b.add_records(0, 7);
    fx.fake.configure({{"read_lag_reads", 2}});
    a.manager().push(sync::ConflictMode::Detect);
    // laptop's next write starts a new window and (--force: no read-back) leaves it unused, so
    // desktop's first GET sees the gist from before that write.
    a.add_records(10, 15);
    a.manager().push(sync::ConflictMode::Force);
    auto mb = b.manager();
    const auto r = mb.push(sync::ConflictMode::Detect);
    CHECK(r.uploaded);
    CHECK(r.conflicts_resolved >= 1);
    CHECK(b.sink.said("Conflict detected: Gist has newer changes"));
    fx.fake.configure({{"read_lag_reads", 0}});
    const auto manifest = sync::Manifest::parse(fx.files()["manifest.json"].get<std::string>());
    REQUIRE(manifest.find("laptop"));
    REQUIRE(manifest.find("desktop"));
    CHECK(manifest.find("laptop")->total_records == 15);
    CHECK(manifest.find("desktop")->total_records == 7);
    SimMachine c(fx.fake, fx.gist_id, "server", fx.clock);
    c.manager().pull();
    CHECK(c.store->count(std::string("laptop")) == 15);
    CHECK(c.store->count(std::string("desktop")) == 7);
}

TEST_CASE("a stale read of this machine's own current file keeps the records of its last push", "[sync][lag][rest]") {
    FakeFixture fx;
    SimMachine a(fx.fake, fx.gist_id, "laptop", fx.clock);
    a.add_records(0, 10);
    auto m = a.manager();
    m.push(sync::ConflictMode::Detect);
    const std::string first_current = fx.files()["usage_data_laptop.json"];
    a.add_records(10, 20);
    m.push(sync::ConflictMode::Detect);
    // The head shows the current file as it was before the second push (what a replica that has
    // not caught up serves): records 10..19 are not in it, but the local copy of the last push is.
    a.api->patch_gist(fx.gist_id, {{"usage_data_laptop.json", gist::FileChange::write(first_current)}});
    a.add_records(20, 25);
    m.push(sync::ConflictMode::Detect);
    const auto parsed = sync::parse_data_file(fx.files()["usage_data_laptop.json"].get<std::string>(), "usage_data_laptop.json");
    REQUIRE(parsed.file);
    CHECK(parsed.file->records.size() == 25);
}
