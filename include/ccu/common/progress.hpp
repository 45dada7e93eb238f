#pragma once
#include <cstdint>
#include <string_view>

namespace ccu {

// How far a long operation (scan, pull, push) has come, for a person watching a terminal.
// Totals may be 0 when unknown; `done` never needs to reach `total` (a file may grow).
struct Progress {
    std::string_view what;  // "Scanning", "Pulling", "Pushing"
    std::uint64_t files_done = 0;
    std::uint64_t files_total = 0;
    std::uint64_t bytes_done = 0;
    std::uint64_t bytes_total = 0;
    std::string_view item = "file";  // what files_* count, singular ("object" for a git fetch)
};

// The seam for progress: library code reports at a few points, the CLI decides whether and how
// often anything is drawn (src/cli/progress.cpp: only on a TTY, never with --quiet or --json).
// Calls come from one thread at a time.
class ProgressSink {
public:
    virtual ~ProgressSink() = default;
    virtual void update(const Progress& progress) = 0;
    virtual void finish() = 0;  // the operation ended (or failed): whatever was drawn goes away
};

// Draws nothing (not a terminal, --quiet, --json, tests that do not look).
class NullProgress final : public ProgressSink {
public:
    void update(const Progress&) override {}
    void finish() override {}
};

}  // namespace ccu
