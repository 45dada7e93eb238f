// Requests and bytes per push/pull, from the fake's request log (requests, upload bytes) and a
// counting wrapper around the real client (downloaded file payload). Bounds are asserted; the
// figures are printed with -s for docs/parts/sync-design.md.
#include <catch2/catch.hpp>
#include <iostream>

#include "sync_fixture.hpp"

using namespace ccu;
using namespace ccu::test;

namespace {

struct Cost {
    std::size_t requests = 0, patches = 0, upload_bytes = 0, download_bytes = 0, wire_bytes = 0;
};

Cost cost_of(FakeGistServer& fake) {
    Cost c;
    for (const auto& r : fake.requests()) {
        ++c.requests;
        if (r["method"] == "PATCH") ++c.patches;
        c.upload_bytes += r["body"].get<std::string>().size();
        c.download_bytes += r.value("bytes_sent", std::size_t{0});  // the whole response as on the wire
        c.wire_bytes += r.value("bytes_sent", std::size_t{0}) + r.value("bytes_received", std::size_t{0});
    }
    fake.control("DELETE", "/_fake/requests");
    return c;
}

void print(const char* what, const Cost& c) {
    std::cout << "MEASURE " << what << ": requests=" << c.requests << " patches=" << c.patches
              << " upload_bytes=" << c.upload_bytes << " download_bytes=" << c.download_bytes << "\n";
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
    // docs/format.md §8: a push with nothing new is one small request, both ways on the wire.
    CHECK(noop1.wire_bytes <= 4096);
    CHECK(noop2.wire_bytes <= 4096);

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

