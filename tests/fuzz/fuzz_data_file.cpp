// libFuzzer target: gist data files (sync::parse_data_file). The simdjson path must answer as the
// nlohmann reference does, word for word; what parses must serialize and parse back to the same
// records (a pull followed by a push must not change or lose data).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "ccu/sync/data_file.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const ccu::sync::ParsedDataFile parsed = ccu::sync::parse_data_file(text, "usage_data_fuzz.json");
    const ccu::sync::ParsedDataFile reference =
        ccu::sync::parse_data_file(text, "usage_data_fuzz.json", ccu::sync::DataFileParser::NlohmannOnly);
    if (parsed.fatal_error != reference.fatal_error || parsed.record_errors != reference.record_errors ||
        parsed.warnings != reference.warnings || parsed.prompt_rows != reference.prompt_rows ||
        !(parsed.file == reference.file)) {
        std::abort();
    }
    if (!parsed.file) {
        if (parsed.fatal_error.empty()) std::abort();  // a rejection always says why
        return 0;
    }
    const ccu::sync::RecordCostFn cost = [](const ccu::UsageRecord& r) { return r.cost_usd.value_or(0.0); };
    const std::string written = ccu::sync::serialize_data_file(*parsed.file, cost);
    const ccu::sync::ParsedDataFile reread = ccu::sync::parse_data_file(written, "usage_data_fuzz.json");
    if (!reread.file || !reread.record_errors.empty()) std::abort();
    if (reread.file->records.size() != parsed.file->records.size()) std::abort();
    return 0;
}
