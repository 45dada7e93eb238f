#include <catch2/catch.hpp>

#include <atomic>
#include <mutex>
#include <set>
#include <stdexcept>
#include <thread>
#include <vector>

#include "ccu/common/parallel.hpp"

TEST_CASE("parallel_for runs every index exactly once with one worker per thread", "[parallel]") {
    std::vector<std::atomic<int>> runs(1000);
    std::atomic<int> workers{0};
    std::mutex mutex;
    std::set<std::thread::id> threads;
    ccu::parallel_for(runs.size(), 4, [&] {
        ++workers;
        return [&](std::size_t i) {
            ++runs[i];
            const std::lock_guard lock(mutex);
            threads.insert(std::this_thread::get_id());
        };
    });
    for (const auto& r : runs) CHECK(r.load() == 1);
    CHECK(workers.load() == 4);
    CHECK(threads.size() <= 4);
}

TEST_CASE("parallel_for never starts more workers than indexes and one for none", "[parallel]") {
    std::atomic<int> workers{0};
    std::atomic<int> calls{0};
    ccu::parallel_for(2, 8, [&] {
        ++workers;
        return [&](std::size_t) { ++calls; };
    });
    CHECK(workers.load() == 2);
    CHECK(calls.load() == 2);
    workers = 0;
    calls = 0;
    ccu::parallel_for(0, 0, [&] {
        ++workers;
        return [&](std::size_t) { ++calls; };
    });
    CHECK(workers.load() == 1);
    CHECK(calls.load() == 0);
}

TEST_CASE("parallel_for rethrows the first failure and stops handing out indexes", "[parallel]") {
    std::atomic<int> calls{0};
    const auto failing = [&] {
        ccu::parallel_for(100000, 1, [&] {
            return [&](std::size_t i) {
                ++calls;
                if (i == 10) throw std::runtime_error("index 10 failed");
            };
        });
    };
    CHECK_THROWS_WITH(failing(), "index 10 failed");
    CHECK(calls.load() == 11);  // one thread: indexes 0..10, then nothing more
}
