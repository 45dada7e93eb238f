#pragma once
#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <deque>
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

// Thrown by a pipeline's emit() once the consumer has failed: the producer unwinds (it must not
// swallow it) and pipeline() rethrows the consumer's exception.
struct PipelineStopped {};

// Two stages on two threads: produce(emit) runs on a new thread and hands items over with
// emit(T&&), which waits while `depth` items are pending; consume(T&) runs on the caller's
// thread, once per item, in emitted order. So the caller's thread (which may own a connection,
// a store) does its work while the next items are being made. Returns when both are done; an
// exception of consume stops the producer (at its next emit) and is rethrown here, else one of
// produce is. When no thread can be started, produce runs on the caller's thread and emit
// consumes at once.
template <typename T, typename Produce, typename Consume>
void pipeline(std::size_t depth, Produce produce, Consume consume) {
    std::mutex mutex;
    std::condition_variable changed;
    std::deque<T> pending;
    bool produced = false;
    bool stopped = false;
    std::exception_ptr failure;
    const auto emit = [&](T&& item) {
        std::unique_lock lock(mutex);
        changed.wait(lock, [&] { return stopped || pending.size() < std::max<std::size_t>(depth, 1); });
        if (stopped) throw PipelineStopped{};
        pending.push_back(std::move(item));
        changed.notify_all();
    };
    std::thread producer;
    try {
        producer = std::thread([&] {
            try {
                produce(emit);
            } catch (const PipelineStopped&) {
            } catch (...) {
                const std::lock_guard lock(mutex);
                failure = std::current_exception();
            }
            const std::lock_guard lock(mutex);
            produced = true;
            changed.notify_all();
        });
    } catch (const std::system_error&) {
        produce([&](T&& item) { consume(item); });
        return;
    }
    try {
        for (;;) {
            T item;
            {
                std::unique_lock lock(mutex);
                changed.wait(lock, [&] { return produced || !pending.empty(); });
                if (pending.empty()) break;
                item = std::move(pending.front());
                pending.pop_front();
                changed.notify_all();
            }
            consume(item);
        }
    } catch (...) {
        {
            const std::lock_guard lock(mutex);
            stopped = true;
            changed.notify_all();
        }
        producer.join();
        throw;
    }
    producer.join();
    if (failure) std::rethrow_exception(failure);
}

}  // namespace ccu
