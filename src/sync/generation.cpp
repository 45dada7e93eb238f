#include "sync/generation.hpp"

#include "ccu/common/error.hpp"
#include "ccu/common/origin_rows.hpp"
#include "ccu/common/time.hpp"

namespace ccu::sync {

std::int64_t entry_generation(const MachineEntry& entry) {
    const auto it = entry.extra.find("generation");
    if (it == entry.extra.end() || !it->is_number_integer()) return 0;
    return std::max<std::int64_t>(0, it->get<std::int64_t>());
}

void set_entry_generation(MachineEntry& entry, std::int64_t generation) {
    if (generation > 0) {
        entry.extra["generation"] = generation;
    } else {
        entry.extra.erase("generation");
    }
}

namespace {
std::string generation_key(const std::string& gist_id, const std::string& machine) {
    return "sync.pulled_generation:" + gist_id + ":" + machine;
}
}  // namespace

std::int64_t pulled_generation(const store::Store& store, const std::string& gist_id, const std::string& machine) {
    const auto value = store.get_meta(generation_key(gist_id, machine));
    if (!value) return 0;
    try {
        return std::stoll(*value);
    } catch (const std::exception&) {
        return 0;
    }
}

void set_pulled_generation(store::Store& store, const std::string& gist_id, const std::string& machine,
                           std::int64_t generation) {
    store.set_meta(generation_key(gist_id, machine), std::to_string(generation));
}

ImportBatch import_batch(DataFile&& file) {
    ImportBatch batch;
    if (!written_by_origin_tool(file)) {
        batch.records = std::move(file.records);
        return batch;
    }
    std::vector<OriginRow> rows;
    rows.reserve(file.records.size());
    std::int64_t order = 0;
    for (auto& r : file.records) {
        if (is_unbilled_origin_row(r)) continue;
        const std::int64_t ms = timeutil::parse_rfc3339_ms(r.timestamp).value_or(0);
        rows.push_back(OriginRow{std::move(r), ms, order++});
    }
    OriginCollapse collapsed = collapse_origin_rows(std::move(rows));
    batch.records = std::move(collapsed.records);
    batch.lines = std::move(collapsed.lines);
    return batch;
}

std::vector<std::string> files_of(const MachineEntry& entry, const std::set<std::string>& listing) {
    std::set<std::string> names;
    if (!entry.current_file.empty() && listing.count(entry.current_file)) names.insert(entry.current_file);
    for (const auto& f : entry.data_files) {
        if (listing.count(f)) names.insert(f);
    }
    return {names.begin(), names.end()};
}

ReplaceOutcome replace_machine(RemoteSnapshot& remote, const MachineEntry& entry, const std::set<std::string>& listing,
                               store::Store& store) {
    ReplaceOutcome out;
    const std::int64_t generation = entry_generation(entry);
    ImportBatch all;
    for (const auto& name : files_of(entry, listing)) {
        ++out.files_fetched;
        ParsedDataFile parsed = parse_data_file(remote.content(name), name);
        if (!parsed.file) {
            out.invalid_files.push_back(InvalidFile{name, parsed.fatal_error});
            continue;
        }
        out.seen[name] = SeenFile{remote.content_id(name), remote.size(name)};
        if (parsed.file->generation != generation) continue;  // superseded by this generation
        ImportBatch batch = import_batch(std::move(*parsed.file));
        batch.lines.resize(batch.records.size());
        for (std::size_t i = 0; i < batch.records.size(); ++i) {
            all.records.push_back(std::move(batch.records[i]));
            all.lines.push_back(std::move(batch.lines[i]));
        }
    }
    if (!out.invalid_files.empty()) return out;
    out.stats = store.replace_machine_records(entry.machine_name, all.records, all.lines);
    out.replaced = true;
    return out;
}

}  // namespace ccu::sync
