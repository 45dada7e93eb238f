// libFuzzer target: manifest.json (sync::Manifest::parse). A manifest that parses must
// serialize to text that parses back to the same value, and merging it with itself or
// reconciling it twice must be stable (the join laws the sync relies on).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <set>
#include <string>
#include <string_view>

#include "ccu/common/error.hpp"
#include "ccu/sync/manifest.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    ccu::sync::Manifest manifest;
    try {
        manifest = ccu::sync::Manifest::parse(text);
    } catch (const ccu::Error&) {
        return 0;  // rejected with a typed error: the expected outcome for garbage
    }
    const std::string written = manifest.serialize();
    const ccu::sync::Manifest reread = ccu::sync::Manifest::parse(written);
    if (reread.serialize() != written) std::abort();
    if (manifest.merge_with(manifest).serialize() != written) std::abort();
    std::set<std::string> files{"manifest.json"};
    for (const auto& m : manifest.machines()) {
        files.insert(m.current_file);
        files.insert(m.backups.begin(), m.backups.end());
    }
    const ccu::sync::Manifest once = manifest.reconciled_with(files);
    if (once.reconciled_with(files) != once) std::abort();
    return 0;
}
