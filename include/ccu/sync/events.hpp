#pragma once
#include <string_view>

#include "ccu/common/progress.hpp"

namespace ccu::sync {

// A mark the CLI turns into ✓ / ⚠️ / 🔄 (or an ASCII fallback via Ui::symbol).
enum class Mark { None, Check, Cross, Warning, Sync };

// Where sync operations report progress; the CLI adapts it to its Ui, tests record it.
class EventSink {
public:
    virtual ~EventSink() = default;
    virtual void say(Mark mark, std::string_view text) = 0;  // normal progress (hidden by --quiet)
    virtual void warn(std::string_view text) = 0;            // always shown
    // Where pull (files fetched, bytes) and every commit (files and bytes uploaded) report
    // progress; the CLI's sink draws it on a TTY. Nothing by default.
    virtual ProgressSink& progress() { return no_progress_; }

private:
    NullProgress no_progress_;
};

// Discards everything (auto-sync in the background, tests that do not look).
class NullSink final : public EventSink {
public:
    void say(Mark, std::string_view) override {}
    void warn(std::string_view) override {}
};

}  // namespace ccu::sync
