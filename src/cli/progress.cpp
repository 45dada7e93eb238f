#include "cli/progress.hpp"

#include <utility>

#include "ccu/common/text.hpp"

namespace ccu::cli {

std::string progress_line(const Progress& p, std::chrono::milliseconds elapsed) {
    std::string line(p.what);
    if (p.files_total > 0) {
        line += " " + std::to_string(p.files_done) + "/" + std::to_string(p.files_total) + " " +
                std::string(p.item) + (p.files_total == 1 ? "" : "s");
    }
    if (p.bytes_total > 0) {
        line += ", " + human_bytes(p.bytes_done) + " of " + human_bytes(p.bytes_total);
    } else if (p.bytes_done > 0) {
        line += ", " + human_bytes(p.bytes_done);
    }
    if (elapsed.count() >= 200 && p.bytes_done > 0) {
        const auto per_second = p.bytes_done * 1000 / static_cast<std::uint64_t>(elapsed.count());
        line += ", " + human_bytes(per_second) + "/s";
    }
    return line + "...";
}

TerminalProgress::TerminalProgress(Ui& ui, const Clock& clock)
    : TerminalProgress([&ui](std::string_view line) { ui.draw_progress(line); }, [&ui] { ui.progress_done(); }, clock,
                       kInterval) {}

TerminalProgress::TerminalProgress(DrawFn draw, ClearFn clear, const Clock& clock, std::chrono::milliseconds interval)
    : draw_(std::move(draw)), clear_(std::move(clear)), clock_(clock), interval_(interval) {}

void TerminalProgress::update(const Progress& progress) {
    const Clock::time_point now = clock_.now();
    if (!started_) started_ = now;
    if (drawn_ && now - *drawn_ < interval_) return;  // throttled: a terminal redraw per interval
    drawn_ = now;
    draw_(progress_line(progress, std::chrono::duration_cast<std::chrono::milliseconds>(now - *started_)));
}

void TerminalProgress::finish() {
    if (drawn_) clear_();
    started_.reset();
    drawn_.reset();
}

}  // namespace ccu::cli
