#include "ccu/common/clock.hpp"

#include <thread>

namespace ccu {

Clock::time_point SystemClock::now() const { return std::chrono::system_clock::now(); }

void SystemClock::sleep_for(std::chrono::milliseconds duration) {
    std::this_thread::sleep_for(duration);
}

}  // namespace ccu
