// Manifest::merge_with, reconciled_with, rebuild_from_files: the join and the listing rules.
#include <algorithm>
#include <tuple>

#include "ccu/sync/file_names.hpp"
#include "ccu/sync/manifest.hpp"
#include "manifest_detail.hpp"

namespace ccu::sync {
namespace detail {
namespace {

using nlohmann::json;

// Total order on entries of one machine: last_sync instant (unreadable sorts oldest), then
// total_records, then the canonical text without the union fields (built only on a tie).
bool ranks_below(const MachineEntry& a, const MachineEntry& b) {
    const auto ta = instant(a.last_sync);
    const auto tb = instant(b.last_sync);
    if (ta != tb) return ta < tb;
    if (a.total_records != b.total_records) return a.total_records < b.total_records;
    return entry_identity_text(a) < entry_identity_text(b);
}

std::vector<std::string> union_of(const std::vector<std::string>& a, const std::vector<std::string>& b) {
    std::vector<std::string> out = a;
    out.insert(out.end(), b.begin(), b.end());
    return out;  // caller canonicalizes (sort + unique)
}

}  // namespace

std::string entry_identity_text(const MachineEntry& e) {
    json j = entry_to_json(e);
    j.erase("backups");
    j.erase("data_files");
    return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

MachineEntry merge_entries(const MachineEntry& a, const MachineEntry& b) {
    MachineEntry out = ranks_below(a, b) ? b : a;
    out.backups = union_of(a.backups, b.backups);
    out.data_files = union_of(a.data_files, b.data_files);
    canonicalize(out);
    return out;
}

}  // namespace detail

namespace {

using nlohmann::json;

// The manifest-level fields travel together: the newer last_updated instant wins, ties broken
// by the text of last_updated, then version, then backup_retention_days.
std::tuple<std::optional<std::int64_t>, std::string, std::string, int> header_rank(const Manifest& m) {
    return {detail::instant(m.get_last_updated()), m.get_last_updated(), m.version(),
            m.backup_retention_days()};
}

// Unknown top-level keys: union by key; the same key with different values keeps the value
// whose compact JSON text is larger (a deterministic, order-free rule).
json merge_extras(const json& a, const json& b) {
    json out = a;
    for (const auto& [key, value] : b.items()) {
        const auto it = out.find(key);
        if (it == out.end() || it->dump() < value.dump()) out[key] = value;
    }
    return out;
}

bool is_file_of_entry(FileRole role) {
    return role == FileRole::Current || role == FileRole::Part || role == FileRole::Backup ||
           role == FileRole::LegacyChunk;
}

// Which machine (and role) owns an unlisted file: a known machine first (longest name first, so
// origin names with '_' beat shorter prefixes), else a ccu-pattern name of an unknown machine.
FileNameInfo owner_of(const std::string& file, const std::vector<std::string>& machines_by_length) {
    for (const std::string& machine : machines_by_length) {
        FileNameInfo info = classify_for_machine(file, machine);
        if (is_file_of_entry(info.role)) return info;
    }
    FileNameInfo info = classify_file_name(file);
    // Origin-style chunk names of an unknown machine are ambiguous ("usage_data_a_2024.json" may be
    // machine "a_2024"'s current file), so only the unambiguous name patterns of docs/format.md §2 create entries.
    if (info.role == FileRole::Current || info.role == FileRole::Part || info.role == FileRole::Backup) {
        return info;
    }
    return {};
}

void keep_existing(std::vector<std::string>& names, const std::set<std::string>& files) {
    names.erase(std::remove_if(names.begin(), names.end(),
                               [&](const std::string& n) { return !files.count(n); }),
                names.end());
}

}  // namespace

Manifest Manifest::merge_with(const Manifest& other) const {
    Manifest out = header_rank(*this) < header_rank(other) ? other : *this;
    out.extra_ = merge_extras(extra_, other.extra_);
    out.machines_.clear();
    for (const MachineEntry& e : machines_) out.upsert(e);
    for (const MachineEntry& e : other.machines_) {
        const MachineEntry* mine = out.find(e.machine_name);
        out.upsert(mine ? detail::merge_entries(*mine, e) : e);
    }
    return out;
}

Manifest Manifest::reconciled_with(const std::set<std::string>& gist_files) const {
    Manifest out = *this;
    std::set<std::string> listed;
    for (MachineEntry& e : out.machines_) {
        keep_existing(e.backups, gist_files);
        keep_existing(e.data_files, gist_files);
        // Readers of ccu and the origin tool use data_files when it is non-empty: it must hold
        // the current file whenever that exists.
        if (gist_files.count(e.current_file)) e.data_files.push_back(e.current_file);
        canonicalize(e);
        listed.insert(e.backups.begin(), e.backups.end());
        listed.insert(e.data_files.begin(), e.data_files.end());
    }
    std::vector<std::string> by_length;
    for (const MachineEntry& e : out.machines_) by_length.push_back(e.machine_name);
    std::stable_sort(by_length.begin(), by_length.end(),
                     [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
    for (const std::string& file : gist_files) {
        if (listed.count(file)) continue;
        const FileNameInfo info = owner_of(file, by_length);
        if (!is_file_of_entry(info.role)) continue;
        const MachineEntry* found = out.find(info.machine);
        MachineEntry entry = found ? *found : placeholder_entry(info.machine);
        (info.role == FileRole::Backup ? entry.backups : entry.data_files).push_back(file);
        out.upsert(std::move(entry));
    }
    return out;
}

Manifest Manifest::rebuild_from_files(const std::set<std::string>& gist_files,
                                      const std::map<std::string, MachineEntry>& hints,
                                      std::string now_rfc3339) {
    Manifest base = make_empty(std::move(now_rfc3339));
    for (const auto& [name, hint] : hints) {
        MachineEntry entry = hint;
        entry.machine_name = name;
        entry.backups.clear();
        entry.data_files.clear();
        base.upsert(std::move(entry));
    }
    Manifest out = base.reconciled_with(gist_files);
    // A hinted machine with no file in the gist is not part of the rebuilt index.
    std::vector<std::string> empty;
    for (const MachineEntry& e : out.machines_) {
        if (e.backups.empty() && e.data_files.empty()) empty.push_back(e.machine_name);
    }
    for (const std::string& name : empty) out.remove(name);
    return out;
}

}  // namespace ccu::sync
