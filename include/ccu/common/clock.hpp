#pragma once
#include <chrono>

namespace ccu {

// The seam for time: everything that reads the wall clock or sleeps takes a Clock&,
// so tests can simulate days and backoff without waiting.
class Clock {
public:
    using time_point = std::chrono::system_clock::time_point;
    virtual ~Clock() = default;
    virtual time_point now() const = 0;
    virtual void sleep_for(std::chrono::milliseconds duration) = 0;
};

class SystemClock final : public Clock {
public:
    time_point now() const override;
    void sleep_for(std::chrono::milliseconds duration) override;
};

// A clock for tests: starts at `start`, sleep_for() advances it instantly.
class ManualClock final : public Clock {
public:
    explicit ManualClock(time_point start) : now_(start) {}
    time_point now() const override { return now_; }
    void sleep_for(std::chrono::milliseconds duration) override { now_ += duration; slept_ += duration; }
    void advance(std::chrono::system_clock::duration d) { now_ += d; }
    std::chrono::milliseconds total_slept() const { return slept_; }

private:
    time_point now_;
    std::chrono::milliseconds slept_{0};
};

}  // namespace ccu
