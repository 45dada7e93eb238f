// libFuzzer target: Claude Code JSONL lines (ingest::LineParser), split like the scanner does.
// Invariant checked beyond "no crash": every line accepted as usage yields a record that the
// wire codec writes and reads back unchanged (a push must never produce what a pull rejects).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include <nlohmann/json.hpp>

#include "ccu/common/record.hpp"
#include "ccu/ingest/line_parser.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static ccu::ingest::LineParser parser;
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    const ccu::ingest::LineContext context{"fuzz-session", "fuzz-folder"};
    std::size_t start = 0;
    while (start <= input.size()) {
        std::size_t end = input.find('\n', start);
        if (end == std::string_view::npos) end = input.size();
        const std::string_view line = input.substr(start, end - start);
        ccu::ingest::UsageLine out;
        if (parser.parse(line, context, out) == ccu::ingest::LineKind::Usage) {
            const ccu::UsageRecord& r = out.record;
            if (r.input_tokens < 0 || r.output_tokens < 0 || r.cache_creation_tokens < 0 ||
                r.cache_read_tokens < 0 || r.cache_creation_1h_tokens > r.cache_creation_tokens) {
                std::abort();
            }
            const auto back = ccu::from_wire_json(ccu::to_wire_json(r, r.cost_usd), "m");
            if (!back.record) std::abort();
        }
        (void)ccu::ingest::normalize_claude_timestamp(line.substr(0, 40));
        start = end + 1;
    }
    return 0;
}
