#pragma once
// Progress on the terminal: the one real ProgressSink (include/ccu/common/progress.hpp).
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "ccu/cli/ui.hpp"
#include "ccu/common/clock.hpp"
#include "ccu/common/progress.hpp"

namespace ccu::cli {

// One progress line: "Scanning 12/40 files, 3.1 MiB of 9.0 MiB, 8.2 MiB/s". The rate needs
// some elapsed time; totals of 0 are left out.
std::string progress_line(const Progress& progress, std::chrono::milliseconds elapsed);

// Draws the line on stderr through Ui (so a warning or the summary clears it first): the first
// update at once, then at most one redraw per `interval`; finish() clears the line, and the
// command's summary takes its place.
class TerminalProgress final : public ProgressSink {
public:
    static constexpr std::chrono::milliseconds kInterval{100};
    using DrawFn = std::function<void(std::string_view line)>;
    using ClearFn = std::function<void()>;
    TerminalProgress(Ui& ui, const Clock& clock);
    // Tests watch what would be drawn.
    TerminalProgress(DrawFn draw, ClearFn clear, const Clock& clock, std::chrono::milliseconds interval);
    void update(const Progress& progress) override;
    void finish() override;

private:
    DrawFn draw_;
    ClearFn clear_;
    const Clock& clock_;
    std::chrono::milliseconds interval_;
    std::optional<Clock::time_point> started_;
    std::optional<Clock::time_point> drawn_;
};

}  // namespace ccu::cli
