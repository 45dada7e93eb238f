#pragma once
// Internals shared by manifest.cpp and manifest_merge.cpp.
#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "ccu/sync/manifest.hpp"

namespace ccu::sync::detail {

inline constexpr const char* kEpoch = "1970-01-01T00:00:00.000Z";

nlohmann::json entry_to_json(const MachineEntry& entry);
// Canonical text of the entry without the union fields (backups, data_files): the last
// tiebreak of the merge, so that picking the winner is a max under a total order.
std::string entry_identity_text(const MachineEntry& entry);
// The join of two entries of the same machine.
MachineEntry merge_entries(const MachineEntry& a, const MachineEntry& b);
std::optional<std::int64_t> instant(const std::string& rfc3339);

}  // namespace ccu::sync::detail
