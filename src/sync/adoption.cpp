#include "sync/adoption.hpp"

#include "sync/generation.hpp"

namespace ccu::sync {
namespace {

bool tool_is_ccu(const std::optional<std::string>& tool) { return tool && tool->starts_with("ccu"); }

std::string own_key(const std::string& gist_id) { return "sync.own_generation:" + gist_id; }

}  // namespace

Adoption plan_adoption(const MachineEntry* entry, const DataFile* current, std::int64_t own,
                       const std::set<std::string>& listing) {
    Adoption a;
    const std::int64_t known = std::max(own, entry ? entry_generation(*entry) : 0);
    a.generation = known;
    // A placeholder (reconciliation made it from file names: epoch last_sync) says nothing.
    const bool placeholder = entry != nullptr && entry->last_sync.starts_with("1970-01-01");
    const bool origin_entry = entry != nullptr && !placeholder && !tool_is_ccu(entry->tool);
    const bool origin_current = current != nullptr && written_by_origin_tool(*current);
    if (!origin_entry && !origin_current) return a;
    a.adopt = true;
    a.generation = known + 1;
    if (entry) {
        for (const auto& name : files_of(*entry, listing)) a.origin_files.push_back(name);
    }
    return a;
}

std::size_t import_origin_files(RemoteSnapshot& remote, const Adoption& adoption, store::Store& store,
                                const std::string& machine) {
    std::size_t added = 0;
    for (const auto& name : adoption.origin_files) {
        ParsedDataFile parsed = parse_data_file(remote.content(name), name);
        if (!parsed.file || !written_by_origin_tool(*parsed.file)) continue;
        parsed.file->machine_name = machine;
        ImportBatch batch = import_batch(std::move(*parsed.file));
        for (auto& r : batch.records) r.machine_name = machine;
        added += store.upsert(batch.records, batch.lines).inserted;
    }
    return added;
}

std::int64_t own_generation(const store::Store& store, const std::string& gist_id) {
    const auto value = store.get_meta(own_key(gist_id));
    if (!value) return 0;
    try {
        return std::stoll(*value);
    } catch (const std::exception&) {
        return 0;
    }
}

void set_own_generation(store::Store& store, const std::string& gist_id, std::int64_t generation) {
    store.set_meta(own_key(gist_id), std::to_string(generation));
}

}  // namespace ccu::sync
