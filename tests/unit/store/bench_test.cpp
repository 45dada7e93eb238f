// Timing figures for the report; hidden from ctest (tag [.]): run test_store "[bench]".
#include <catch2/catch.hpp>

#include <chrono>
#include <iostream>

#include "ccu/store/store.hpp"
#include "store_test_util.hpp"
#include "support/sandbox.hpp"
#include "support/costs.hpp"

TEST_CASE("upsert throughput", "[.][bench]") {
    ccu::test::Sandbox box;
    ccu::store::Store store(box.data_dir() / "ccu.db", ccu::store::OpenMode::ReadWrite, ccu::test::embedded_costs());
    std::vector<ccu::UsageRecord> batch;
    for (int i = 0; i < 100000; ++i) {
        batch.push_back(ccu::test::with_ids(ccu::test::make_record("s" + std::to_string(i / 100), "u" + std::to_string(i), 5, i),
                                            "msg" + std::to_string(i), "req" + std::to_string(i)));
    }
    const auto timed = [&](const char* label, auto&& body) {
        const auto start = std::chrono::steady_clock::now();
        body();
        const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
        std::cout << label << ": " << ms.count() << " ms\n";
    };
    timed("insert 100k", [&] { CHECK(store.upsert(batch).inserted == 100000); });
    timed("re-upsert 100k unchanged", [&] { CHECK(store.upsert(batch).unchanged == 100000); });
    timed("query all 100k", [&] { CHECK(store.query({}).size() == 100000); });
    timed("changed_since (none)", [&] { CHECK(store.changed_since("laptop", store.max_sequence()).empty()); });
}
