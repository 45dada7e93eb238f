// Requests and bytes per push/pull, from the fake's request log (requests, upload bytes) and a
// counting wrapper around the real client (downloaded file payload). Bounds are asserted; the
// figures are printed with -s for docs/parts/sync-design.md.
#include <catch2/catch.hpp>
#include <iostream>

#include "ccu/sync/auto_sync.hpp"
#include "sync_fixture.hpp"

using namespace ccu;
using namespace ccu::test;

namespace {

struct Cost {
    std::size_t requests = 0, patches = 0, upload_bytes = 0;
};

Cost cost_of(FakeGistServer& fake) {
    Cost c;
    for (const auto& r : fake.requests()) {
        ++c.requests;
        if (r["method"] == "PATCH") ++c.patches;
        c.upload_bytes += r["body"].get<std::string>().size();
    }
    fake.control("DELETE", "/_fake/requests");
    return c;
}

void print(const char* what, const Cost& c) {
    std::cout << "MEASURE " << what << ": requests=" << c.requests << " patches=" << c.patches
              << " upload_bytes=" << c.upload_bytes << "\n";
}

}  // namespace

TEST_CASE("requests and bytes per push and pull", "[sync][measure][rest]") {
    FakeFixture fx;
    SimMachine a(fx.fake, fx.gist_id, "laptop", fx.clock);
    a.add_records(0, 1000);
    auto m = a.manager();
    fx.fake.control("DELETE", "/_fake/requests");
    m.push(sync::ConflictMode::Detect);
    const Cost first = cost_of(fx.fake);
    print("first push (1000 records)", first);
    CHECK(first.patches == 1);
    CHECK(first.requests <= 4);

    a.add_records(1000, 1010);
    m.push(sync::ConflictMode::Detect);
    const Cost incremental = cost_of(fx.fake);
    print("incremental push (10 records)", incremental);
    CHECK(incremental.patches == 1);
    CHECK(incremental.requests <= 4);

    a.add_records(1010, 1020);
    m.push(sync::ConflictMode::Detect);
    const Cost incremental2 = cost_of(fx.fake);
    print("incremental push, same day (10 records)", incremental2);
    CHECK(incremental2.upload_bytes < incremental.upload_bytes);  // no second backup the same day

    m.push(sync::ConflictMode::Detect);
    const Cost noop1 = cost_of(fx.fake);
    m.push(sync::ConflictMode::Detect);
    const Cost noop2 = cost_of(fx.fake);
    print("no-op push (after own write)", noop1);
    print("no-op push (ETag, 304)", noop2);
    CHECK(noop1.requests == 1);
    CHECK(noop2.requests == 1);
    CHECK(noop1.upload_bytes + noop2.upload_bytes == 0);

    SimMachine b(fx.fake, fx.gist_id, "desktop", fx.clock);
    auto mb = b.manager();
    mb.pull();
    const Cost pull = cost_of(fx.fake);
    print("first pull (1020 records)", pull);
    CHECK(pull.requests == 1);  // content inline: no raw fetch below the 1 MiB truncation
    a.add_records(2000, 2005);
    m.push(sync::ConflictMode::Detect);
    cost_of(fx.fake);
    const auto r = mb.pull();
    const Cost pull2 = cost_of(fx.fake);
    print("incremental pull", pull2);
    CHECK(r.records_new == 5);
    CHECK(pull2.requests == 1);
}

TEST_CASE("auto-sync: crontab line, disabled and not-due paths make no request", "[sync][auto]") {
    CHECK(sync::crontab_line(30) == "*/30 * * * * ccu gist sync --quiet");
    CHECK(sync::crontab_line(60) == "0 * * * * ccu gist sync --quiet");
    CHECK(sync::crontab_line(120) == "0 */2 * * * ccu gist sync --quiet");
    CHECK(sync::crontab_line(90) == "0 */2 * * * ccu gist sync --quiet");  // rounded up: cron has no 90-minute step
    CHECK(sync::crontab_line(24 * 60) == "0 0 * * * ccu gist sync --quiet");
    FakeFixture fx;
    SimMachine a(fx.fake, fx.gist_id, "laptop", fx.clock);
    save_config(a.paths.config_file(), a.config);
    int syncs = 0;
    const sync::SyncNow sync_now = [&](const Config& config) {
        ++syncs;
        CHECK(config.gist_id == fx.gist_id);
        a.manager().sync(sync::ConflictMode::Detect);
    };
    CHECK(sync::maybe_auto_sync(a.paths, *a.store, fx.clock, sync_now).outcome == sync::AutoSyncOutcome::Disabled);
    CHECK(syncs == 0);
    sync::set_auto_sync(a.paths, true, 30);
    a.add_records(0, 3);
    fx.fake.control("DELETE", "/_fake/requests");
    const auto first = sync::maybe_auto_sync(a.paths, *a.store, fx.clock, sync_now);
    INFO(first.message);
    CHECK(first.outcome == sync::AutoSyncOutcome::Synced);
    CHECK(fx.files().contains("usage_data_laptop.json"));
    fx.clock.advance(std::chrono::minutes(10));
    fx.fake.control("DELETE", "/_fake/requests");
    CHECK(sync::maybe_auto_sync(a.paths, *a.store, fx.clock, sync_now).outcome == sync::AutoSyncOutcome::NotDue);
    CHECK(fx.requests().empty());
    CHECK(syncs == 1);
}
