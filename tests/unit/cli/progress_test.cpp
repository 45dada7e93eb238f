// The terminal progress line: its text, and how often it is redrawn (cli/progress.cpp).
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "cli/progress.hpp"

using ccu::Progress;
using ccu::cli::progress_line;
using std::chrono::milliseconds;

TEST_CASE("the progress line shows files, bytes of the total and the rate once time has passed", "[cli][progress]") {
    const Progress scan{"Scanning", 12, 40, 3 * 1024 * 1024, 9 * 1024 * 1024, "file"};
    CHECK(progress_line(scan, milliseconds(1500)) == "Scanning 12/40 files, 3.0 MiB of 9.0 MiB, 2.0 MiB/s...");
    // Too early for a meaningful rate: none.
    CHECK(progress_line(scan, milliseconds(50)) == "Scanning 12/40 files, 3.0 MiB of 9.0 MiB...");
    CHECK(progress_line(Progress{"Uploading", 0, 1, 0, 2048, "file"}, milliseconds(0)) == "Uploading 0/1 file, 0 B of 2.0 KiB...");
    CHECK(progress_line(Progress{"Pulling", 0, 0, 0, 0, "file"}, milliseconds(900)) == "Pulling...");
}

TEST_CASE("terminal progress draws at once, then at most once per interval, and clears only what it drew",
          "[cli][progress]") {
    ccu::ManualClock clock(std::chrono::system_clock::time_point{} + std::chrono::hours(1000));
    std::vector<std::string> drawn;
    int cleared = 0;
    ccu::cli::TerminalProgress progress([&](std::string_view line) { drawn.emplace_back(line); },
                                        [&] { ++cleared; }, clock, milliseconds(100));
    Progress p{"Pulling", 0, 10, 0, 0, "file"};
    for (int step = 1; step <= 10; ++step) {  // one update every 30 ms: 0, 30, ... 270 ms
        p.files_done = static_cast<std::uint64_t>(step);
        progress.update(p);
        clock.advance(milliseconds(30));
    }
    // Drawn at 0, 120 and 240 ms (steps 1, 5 and 9); the other seven updates were throttled.
    CHECK(drawn == std::vector<std::string>{"Pulling 1/10 files...", "Pulling 5/10 files...", "Pulling 9/10 files..."});
    progress.finish();
    CHECK(cleared == 1);
    progress.finish();  // nothing on the screen any more: nothing to clear
    CHECK(cleared == 1);
    progress.update(p);  // a new operation draws at once again
    CHECK(drawn.size() == 4);
}
