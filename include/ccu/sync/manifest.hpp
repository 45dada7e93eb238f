#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

// manifest.json (docs/format.md §3): parse/validate, serialize, join-merge, reconcile with the gist listing.
// Pure value-in/value-out: no clock, no I/O. See docs/parts/manifest-format.md.
namespace ccu::sync {

struct MachineEntry {
    std::string machine_name;
    std::string last_sync;                        // RFC 3339, kept as written (Z or +00:00)
    std::optional<std::string> last_record_date;  // "YYYY-MM-DD"; null when the machine has no records
    std::int64_t total_records = 0;
    std::string current_file;
    std::vector<std::string> backups;             // canonical order: ascending
    std::optional<std::string> machine_id;        // additive (ccu)
    std::vector<std::string> data_files;          // additive; canonical order: current, parts asc, rest asc
    std::optional<std::string> tool;              // additive, "ccu X.Y.Z"
    nlohmann::json extra = nlohmann::json::object();  // unknown keys, preserved

    friend bool operator==(const MachineEntry&, const MachineEntry&) = default;
};

// Puts backups and data_files into canonical order without duplicates (upsert does this too).
void canonicalize(MachineEntry& entry);

// An entry for a machine known only from its files: epoch last_sync so any real entry wins a merge.
MachineEntry placeholder_entry(std::string machine_name);

class Manifest {
public:
    static constexpr int kDefaultRetentionDays = 30;

    // Validates every seed field and the additive ones (types, formats). Throws
    // ccu::Error(ErrorKind::InvalidRemote) with the reason: an invalid manifest is never "empty".
    static Manifest parse(std::string_view text);
    static Manifest make_empty(std::string now_rfc3339);

    // Stable, pretty (2 spaces), keys sorted, trailing newline.
    std::string serialize() const;
    nlohmann::json to_json() const;

    const std::string& get_last_updated() const { return last_updated_; }
    void set_last_updated(std::string rfc3339) { last_updated_ = std::move(rfc3339); }
    // True when last_updated is a strictly later instant than `ts`; false if either is malformed.
    bool is_newer_than(std::string_view ts) const;

    // Join (commutative, associative, idempotent). Rules in docs/parts/manifest-format.md.
    Manifest merge_with(const Manifest& other) const;
    // Drops listed names not in `gist_files`; adds existing docs/format.md §2 / origin-chunk files no entry lists
    // (creating placeholder entries for unlisted ccu machines).
    Manifest reconciled_with(const std::set<std::string>& gist_files) const;
    // `ccu gist repair`: a manifest built from the listing alone; `hints` supply what files
    // cannot tell (last_sync, totals, machine_id, extras) for machines that have files.
    static Manifest rebuild_from_files(const std::set<std::string>& gist_files,
                                       const std::map<std::string, MachineEntry>& hints,
                                       std::string now_rfc3339);

    const MachineEntry* find(std::string_view machine) const;
    // Replaces (or inserts) the entry with the same machine_name, canonicalized. To keep unknown
    // fields, copy the found entry, modify it, and upsert the copy.
    void upsert(MachineEntry entry);
    bool remove(std::string_view machine);
    const std::vector<MachineEntry>& machines() const { return machines_; }  // sorted by name

    int backup_retention_days() const { return backup_retention_days_; }
    void set_backup_retention_days(int days) { backup_retention_days_ = days; }
    const std::string& version() const { return version_; }
    const nlohmann::json& extra() const { return extra_; }
    void set_extra(nlohmann::json extra) { extra_ = std::move(extra); }  // unknown top-level fields

    friend bool operator==(const Manifest&, const Manifest&) = default;

private:
    std::string version_ = "1.0";
    std::string last_updated_;
    int backup_retention_days_ = kDefaultRetentionDays;
    std::vector<MachineEntry> machines_;
    nlohmann::json extra_ = nlohmann::json::object();
};

}  // namespace ccu::sync
