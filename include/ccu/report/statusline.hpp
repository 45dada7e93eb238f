#pragma once
// The one line `ccu statusline` prints for Claude Code's statusLine setting.
#include <cstdint>
#include <string>

#include "ccu/report/timezone.hpp"
#include "ccu/store/store.hpp"

namespace ccu::report {

struct StatusInputs {
    std::string model;        // Claude Code's model.display_name (or id)
    std::string session_id;
    std::int64_t now_ms = 0;
    store::BucketSet session;  // this session's buckets (any machine)
    store::BucketSet recent;   // every machine's buckets of the last two days
    std::int64_t block_ms = 5 * 3'600'000;
};

// "🤖 Opus | 💰 $0.23 session / $1.23 today / $0.45 block (2h 45m left) | 🔥 $0.12/hr"
// (ccusage's statusline layout). "today" is the local day in `zone` over every machine; the
// block is the active 5-hour block over every machine. Pure.
std::string status_line(const StatusInputs& inputs, const TimeZone& zone);

// The line for input that could not be used (never an error: the status bar stays calm).
std::string status_fallback(const std::string& reason);

}  // namespace ccu::report
