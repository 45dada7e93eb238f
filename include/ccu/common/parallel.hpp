#pragma once
#include <algorithm>
#include <atomic>
#include <cstddef>
#include <exception>
#include <mutex>
#include <system_error>
#include <thread>
#include <vector>

namespace ccu {

// The one thread pool: runs the indexes 0..count-1 on up to `threads` threads, the caller's
// included (0: one per core). Each thread calls make_worker() once, so a worker can keep
// per-thread state (a parser, a buffer), then worker(index) for every index it claims, in no
// fixed order. The first exception stops the claiming of further indexes and is rethrown here
// once every thread has finished. When no more threads can be started, fewer do the work.
template <typename MakeWorker>
void parallel_for(std::size_t count, unsigned threads, MakeWorker make_worker) {
    if (threads == 0) threads = std::max(1U, std::thread::hardware_concurrency());
    const std::size_t wanted = std::max<std::size_t>(1, std::min<std::size_t>(threads, count));
    std::atomic<std::size_t> next{0};
    std::exception_ptr failure;
    std::mutex failure_mutex;
    const auto run = [&] {
        try {
            auto worker = make_worker();
            for (std::size_t i = next++; i < count; i = next++) worker(i);
        } catch (...) {
            const std::lock_guard lock(failure_mutex);
            if (!failure) failure = std::current_exception();
            next = count;
        }
    };
    std::vector<std::thread> pool;
    for (std::size_t i = 1; i < wanted; ++i) {
        try {
            pool.emplace_back(run);
        } catch (const std::system_error&) {
            break;
        }
    }
    run();
    for (auto& thread : pool) thread.join();
    if (failure) std::rethrow_exception(failure);
}

}  // namespace ccu
