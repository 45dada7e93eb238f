#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
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

TEST_CASE("pipeline hands every item to the consumer on the calling thread in emitted order while another thread produces",
          "[parallel][pipeline]") {
    const std::thread::id caller = std::this_thread::get_id();
    std::thread::id producer_thread;
    std::vector<int> got;
    std::set<std::thread::id> consumer_threads;
    ccu::pipeline<int>(
        2,
        [&](const auto& emit) {
            producer_thread = std::this_thread::get_id();
            for (int i = 0; i < 1000; ++i) emit(int{i});
        },
        [&](int& item) {
            got.push_back(item);
            consumer_threads.insert(std::this_thread::get_id());
        });
    REQUIRE(got.size() == 1000);
    for (int i = 0; i < 1000; ++i) CHECK(got[static_cast<std::size_t>(i)] == i);
    CHECK(consumer_threads == std::set<std::thread::id>{caller});
    CHECK(producer_thread != caller);
}

TEST_CASE("pipeline lets the producer run at most depth items ahead of the consumer", "[parallel][pipeline]") {
    std::atomic<int> emitted{0};
    int max_ahead = 0;
    bool reached = false;
    ccu::pipeline<int>(
        3,
        [&](const auto& emit) {
            for (int i = 0; i < 50; ++i) {
                emit(int{i});
                ++emitted;
            }
        },
        [&](int& item) {
            if (item == 0) {
                // The producer fills the queue (3 behind item 0) and then waits for room.
                for (int i = 0; i < 5000 && emitted.load() < 4; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(1));
                reached = emitted.load() >= 4;
                std::this_thread::sleep_for(std::chrono::milliseconds(50));
            }
            max_ahead = std::max(max_ahead, emitted.load() - item);
        });
    CHECK(reached);
    CHECK(max_ahead <= 4);  // the item being consumed plus 3 pending
    CHECK(emitted.load() == 50);
}

TEST_CASE("pipeline stops the producer at its next emit when the consumer throws and rethrows the consumer's exception",
          "[parallel][pipeline]") {
    std::atomic<int> emitted{0};
    std::atomic<bool> stopped{false};
    const auto run = [&] {
        ccu::pipeline<int>(
            2,
            [&](const auto& emit) {
                for (int i = 0; i < 1'000'000; ++i) {
                    try {
                        emit(int{i});
                    } catch (const ccu::PipelineStopped&) {
                        stopped = true;
                        throw;
                    }
                    ++emitted;
                }
            },
            [&](int& item) {
                if (item == 3) throw std::runtime_error("consumer failed at 3");
            });
    };
    CHECK_THROWS_WITH(run(), "consumer failed at 3");
    CHECK(stopped.load());
    CHECK(emitted.load() <= 3 + 1 + 2);  // items 0..3, at most 2 pending, nothing after the stop
}

TEST_CASE("pipeline consumes what the producer emitted before it threw, then rethrows the producer's exception",
          "[parallel][pipeline]") {
    std::vector<int> got;
    const auto run = [&] {
        ccu::pipeline<int>(
            2,
            [](const auto& emit) {
                for (int i = 0; i < 5; ++i) emit(int{i});
                throw std::runtime_error("producer failed after 5");
            },
            [&](int& item) { got.push_back(item); });
    };
    CHECK_THROWS_WITH(run(), "producer failed after 5");
    CHECK(got == std::vector<int>{0, 1, 2, 3, 4});
}
