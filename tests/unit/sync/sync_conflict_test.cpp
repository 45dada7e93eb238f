// Lost updates: a real second writer (its own client, store and clock) commits between our read
// and our PATCH. Detection is by the gist's commit list, not by comparing wall clocks.
#include <catch2/catch.hpp>
#include <functional>

#include "ccu/sync/conflict_error.hpp"
#include "ccu/sync/manifest.hpp"
#include "ccu/sync/sync_state.hpp"
#include "sync_fixture.hpp"

using namespace ccu;
using namespace ccu::test;

namespace {

// Forwards everything to the real client; before a PATCH it lets `rival` write first.
class RacingApi final : public gist::GistApi {
public:
    RacingApi(gist::GistApi& inner, std::function<void()> rival, int races)
        : inner_(inner), rival_(std::move(rival)), races_(races) {}
    gist::Gist get_gist(const std::string& id) override { return inner_.get_gist(id); }
    std::optional<gist::Gist> get_gist_if_none_match(const std::string& id, const std::string& etag) override {
        return inner_.get_gist_if_none_match(id, etag);
    }
    std::string get_raw(const std::string& url) override { return inner_.get_raw(url); }
    gist::Gist create_gist(const std::string& d, const std::map<std::string, std::string>& f,
                           gist::Visibility v) override {
        return inner_.create_gist(d, f, v);
    }
    gist::Gist patch_gist(const std::string& id, const gist::GistPatch& patch,
                          const std::optional<std::string>& description) override {
        if (races_ > 0) {
            --races_;
            rival_();
        }
        return inner_.patch_gist(id, patch, description);
    }
    std::vector<gist::GistCommit> list_commits(const std::string& id, std::size_t limit) override {
        return inner_.list_commits(id, limit);
    }
    gist::Gist get_revision(const std::string& id, const std::string& sha) override {
        return inner_.get_revision(id, sha);
    }
    std::vector<gist::GistSummary> list_user_gists() override { return inner_.list_user_gists(); }
    gist::GistUser get_user() override { return inner_.get_user(); }

private:
    gist::GistApi& inner_;
    std::function<void()> rival_;
    int races_;
};

struct Race {
    explicit Race(FakeFixture& fx, std::chrono::system_clock::time_point rival_time)
        : rival_clock(rival_time), a(fx.fake, fx.gist_id, "laptop", fx.clock), b(fx.fake, fx.gist_id, "desktop", rival_clock) {}
    void rival_push() {
        b.add_records(next, next + 3);
        next += 3;
        auto m = b.manager();
        m.push(sync::ConflictMode::Detect);
    }
    ManualClock rival_clock;
    SimMachine a;
    SimMachine b;
    int next = 0;
};

}  // namespace

TEST_CASE("a lost manifest update is detected by commits and merged, even with a skewed rival clock",
          "[sync][conflict]") {
    FakeFixture fx;
    // The rival's clock is 100 days behind: a "remote newer than local?" timestamp check never fires.
    Race race(fx, day(-100));
    race.rival_push();
    race.a.add_records(0, 10);
    RacingApi api(*race.a.api, [&] { race.rival_push(); }, 1);
    sync::RestRemoteStore racing(api, fx.clock, fx.gist_id, nullptr);
    sync::SyncManager m = race.a.manager_over(racing);
    const auto r = m.push(sync::ConflictMode::Detect);
    CHECK(r.conflicts_resolved == 1);
    CHECK(race.a.sink.said("Conflict detected: Gist has newer changes"));
    CHECK(race.a.sink.said("Auto-merging... (attempt 1/3)"));
    const auto manifest = sync::Manifest::parse(fx.files()["manifest.json"].get<std::string>());
    REQUIRE(manifest.find("laptop"));
    REQUIRE(manifest.find("desktop"));
    CHECK(manifest.find("desktop")->total_records == 6);
    CHECK(manifest.find("laptop")->total_records == 10);
    CHECK(fx.clock.total_slept() >= std::chrono::milliseconds(1000));  // backoff went through the Clock
}

TEST_CASE("a conflict that keeps recurring ends in ConflictError after 3 retries", "[sync][conflict]") {
    FakeFixture fx;
    Race race(fx, day(0));
    race.a.add_records(0, 10);
    RacingApi api(*race.a.api, [&] { race.rival_push(); }, 100);
    sync::RestRemoteStore racing(api, fx.clock, fx.gist_id, nullptr);
    sync::SyncManager m = race.a.manager_over(racing);
    try {
        m.push(sync::ConflictMode::Detect);
        FAIL("expected ConflictError");
    } catch (const sync::ConflictError& e) {
        CHECK(e.kind() == ErrorKind::Conflict);
        CHECK(std::string(e.what()).find("Cannot auto-resolve conflict after 3 retries.") == 0);
    }
    CHECK(race.a.sink.said("Auto-merging... (attempt 3/3)"));
    // The last error is recorded for `ccu gist status`.
    sync::SyncState state(*race.a.store, fx.gist_id);
    REQUIRE(state.last_error());
    CHECK(state.last_error()->command == "push");
}

TEST_CASE("sync.conflict_backoff_ms sets the waits between re-merges: b, 2b, 4b plus up to b of jitter each",
          "[sync][conflict]") {
    FakeFixture fx;
    Race race(fx, day(0));
    race.a.add_records(0, 10);
    const std::int64_t base = GENERATE(100, 1000);
    race.a.config.conflict_backoff_ms = base;
    RacingApi api(*race.a.api, [&] { race.rival_push(); }, 100);
    sync::RestRemoteStore racing(api, fx.clock, fx.gist_id, nullptr);
    sync::SyncManager m = race.a.manager_over(racing);
    const auto before = fx.clock.total_slept();
    CHECK_THROWS_AS(m.push(sync::ConflictMode::Detect), sync::ConflictError);
    const auto waited = (fx.clock.total_slept() - before).count();
    INFO("waited " << waited << " ms with base " << base << " ms");
    CHECK(waited >= 7 * base);   // 1 + 2 + 4
    CHECK(waited < 10 * base);   // plus under 3 bases of jitter
}

TEST_CASE("force mode skips detection: no commit list is read", "[sync][conflict]") {
    FakeFixture fx;
    SimMachine a(fx.fake, fx.gist_id, "laptop", fx.clock);
    a.add_records(0, 5);
    auto m = a.manager();
    fx.fake.control("DELETE", "/_fake/requests");
    CHECK(m.push(sync::ConflictMode::Force).uploaded);
    for (const auto& r : fx.requests()) CHECK(r["path"].get<std::string>().find("/commits") == std::string::npos);
}

TEST_CASE("interleaved pushes of two machines over several rounds lose nothing", "[sync][conflict]") {
    FakeFixture fx;
    Race race(fx, day(0));
    for (int round = 0; round < 3; ++round) {
        race.a.add_records(round * 10, round * 10 + 10);
        // Between laptop's read and its PATCH, desktop reads, writes and is done (once a round):
        // laptop's PATCH lands on desktop's commit, so every round it must see the conflict and
        // re-merge.
        RacingApi api(*race.a.api, [&] { race.rival_push(); }, 1);
        sync::RestRemoteStore racing(api, fx.clock, fx.gist_id, nullptr);
        auto m = race.a.manager_over(racing);
        const sync::PushResult pushed = m.push(sync::ConflictMode::Detect);
        CHECK(pushed.uploaded);
        CHECK(pushed.conflicts_resolved == 1);
        const auto manifest = sync::Manifest::parse(fx.files()["manifest.json"].get<std::string>());
        REQUIRE(manifest.find("desktop"));
        REQUIRE(manifest.find("laptop"));
        CHECK(manifest.find("laptop")->total_records == (round + 1) * 10);
        CHECK(manifest.find("desktop")->total_records == race.next);
    }
    CHECK(race.a.sink.said("Conflict detected: Gist has newer changes"));
    SimMachine reader(fx.fake, fx.gist_id, "reader", fx.clock);
    auto mr = reader.manager();
    mr.pull();
    CHECK(reader.store->count(std::string("laptop")) == 30);
    CHECK(reader.store->count(std::string("desktop")) == race.next);
}
