#pragma once
// A ProgressSink that keeps every update (tests of what scan, pull and commits report).
#include <cstdint>
#include <string>
#include <vector>

#include "ccu/common/progress.hpp"

namespace ccu::test {

class RecordingProgress final : public ProgressSink {
public:
    struct Seen {
        std::string what;
        std::uint64_t files_done = 0, files_total = 0, bytes_done = 0, bytes_total = 0;
    };
    void update(const Progress& p) override {
        updates.push_back({std::string(p.what), p.files_done, p.files_total, p.bytes_done, p.bytes_total});
    }
    void finish() override { ++finished; }
    std::vector<Seen> of(const std::string& what) const {
        std::vector<Seen> out;
        for (const auto& u : updates) {
            if (u.what == what) out.push_back(u);
        }
        return out;
    }

    std::vector<Seen> updates;
    int finished = 0;
};

}  // namespace ccu::test
