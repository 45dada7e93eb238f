#include "ccu/sync/backup_ops.hpp"

#include <algorithm>

#include "ccu/common/atomic_file.hpp"
#include "ccu/common/error.hpp"
#include "ccu/common/time.hpp"
#include "ccu/gist/gist_api.hpp"
#include "ccu/store/store.hpp"
#include "ccu/sync/data_file.hpp"
#include "ccu/sync/file_names.hpp"
#include "ccu/sync/lock.hpp"
#include "ccu/sync/remote_gist.hpp"
#include "sync/push_support.hpp"
#include "sync/write_verifier.hpp"

namespace ccu::sync {
namespace fs = std::filesystem;

namespace {

std::string dashed(const std::string& yyyymmdd) {
    return yyyymmdd.substr(0, 4) + "-" + yyyymmdd.substr(4, 2) + "-" + yyyymmdd.substr(6, 2);
}

RemoteGist read_gist(gist::GistApi& api, const Config& config) {
    return RemoteGist(api, *api.get_gist(config.gist_id, "").gist);
}

bool is_within(const fs::path& inner, const fs::path& outer) {
    const auto i = fs::weakly_canonical(inner);
    const auto o = fs::weakly_canonical(outer);
    auto it = i.begin();
    for (auto ot = o.begin(); ot != o.end(); ++ot, ++it) {
        if (it == i.end() || *it != *ot) return false;
    }
    return true;
}

// Machine names to classify backups with: ccu names parse alone, origin names need the manifest.
std::optional<FileNameInfo> backup_of(const std::string& name, const std::optional<Manifest>& manifest) {
    FileNameInfo info = classify_file_name(name);
    if (info.role == FileRole::Backup) return info;
    if (!manifest) return std::nullopt;
    for (const auto& entry : manifest->machines()) {
        info = classify_for_machine(name, entry.machine_name);
        if (info.role == FileRole::Backup) return info;
    }
    return std::nullopt;
}

}  // namespace

BackupOps::BackupOps(gist::GistApi& api, store::Store& store, Clock& clock, Config config, Paths paths,
                     EventSink& events)
    : api_(api), store_(store), clock_(clock), config_(std::move(config)), paths_(std::move(paths)), events_(events) {}

std::string BackupOps::create() {
    require_configured(config_);
    SyncLock lock(paths_.lock_file());
    RemoteGist remote = read_gist(api_, config_);
    const std::string& machine = config_.machine_name;
    const std::string current = current_file_name(machine);
    if (!remote.has(current)) {
        throw Error(ErrorKind::Usage, "there is no " + current + " in the gist to back up",
                    "run 'ccu gist push' first");
    }
    std::optional<Manifest> manifest = remote.manifest();
    check_identity(manifest ? manifest->find(machine) : nullptr, config_);
    const std::string now = timeutil::format_rfc3339(clock_.now());
    const std::string name = backup_file_name(machine, timeutil::utc_compact_date(clock_.now()));
    std::set<std::string> after = remote.file_names();
    after.insert(name);
    Manifest next = manifest ? *manifest : Manifest::rebuild_from_files(after, {}, now);
    MachineEntry entry = next.find(machine) ? *next.find(machine) : placeholder_entry(machine);
    entry.backups.push_back(name);
    entry.last_sync = now;  // this machine changed its files: its entry must win the merge
    if (!config_.machine_id.empty()) entry.machine_id = config_.machine_id;
    canonicalize(entry);
    next.upsert(entry);
    next = next.reconciled_with(after);
    next.set_last_updated(now);
    gist::GistPatch patch{{name, gist::FileChange::write(remote.content(current))},
                          {std::string(kManifestFileName), gist::FileChange::write(next.serialize())}};
    assert_only_own_files(patch, machine);
    const gist::Gist patched = api_.patch_gist(config_.gist_id, patch);
    const MachineEntry written = *next.find(machine);
    WriteVerifier verifier(api_, clock_, events_, config_.gist_id, written,
                           static_cast<std::uint64_t>(timeutil::to_epoch_ms(clock_.now())));
    verifier.verify(WrittenState{remote.head_version(),
                                 patched.history.empty() ? std::string() : patched.history.front().version, next});
    return name;
}

std::vector<BackupInfo> BackupOps::list() {
    require_configured(config_);
    RemoteGist remote = read_gist(api_, config_);
    std::optional<Manifest> manifest;
    try {
        manifest = remote.manifest();
    } catch (const Error& e) {
        if (e.kind() != ErrorKind::InvalidRemote) throw;
        events_.warn(std::string("manifest.json is invalid: ") + e.what());
    }
    std::vector<BackupInfo> out;
    for (const auto& name : remote.file_names()) {
        const auto info = backup_of(name, manifest);
        if (!info) continue;
        BackupInfo b{info->machine, dashed(info->backup_date), name, remote.file(name)->size, std::nullopt};
        const ParsedDataFile parsed = parse_data_file(remote.content(name), name);
        if (parsed.file) b.records = parsed.file->records.size();
        out.push_back(std::move(b));
    }
    std::sort(out.begin(), out.end(),
              [](const BackupInfo& a, const BackupInfo& b) { return std::tie(a.machine, a.date) < std::tie(b.machine, b.date); });
    return out;
}

void check_restore_dir(const fs::path& dir, const Paths& paths) {
    if (is_within(dir, paths.claude_dir) && !is_within(dir, paths.data_dir)) {
        throw Error(ErrorKind::Usage, "refusing to write into " + dir.string() + ": ccu never writes under " +
                                          paths.claude_dir.string() + " outside its data dir",
                    "choose another --to DIR");
    }
}

RestoreResult BackupOps::restore(const std::string& date, const std::optional<std::string>& machine,
                                 const std::optional<fs::path>& to_dir, Overwrite overwrite) {
    require_configured(config_);
    const auto compact = timeutil::parse_date_arg(date);
    if (!compact) throw Error(ErrorKind::Usage, "'" + date + "' is not a date", "use YYYY-MM-DD or YYYYMMDD");
    const std::string who = machine.value_or(config_.machine_name);
    const std::string name = backup_file_name(who, *compact);
    if (!is_safe_gist_file_name(name)) throw Error(ErrorKind::Usage, "'" + who + "' is not a usable machine name");
    if (to_dir) check_restore_dir(*to_dir, paths_);
    SyncLock lock(paths_.lock_file());
    RemoteGist remote = read_gist(api_, config_);
    if (!remote.has(name)) {
        throw Error(ErrorKind::Usage, "no backup " + name + " in the gist", "see 'ccu gist backup list'");
    }
    const std::string& content = remote.content(name);
    ParsedDataFile parsed = parse_data_file(content, name);
    if (!parsed.file) throw Error(ErrorKind::InvalidRemote, name + " is invalid: " + parsed.fatal_error);
    RestoreResult result;
    result.file = name;
    result.records = parsed.file->records.size();
    if (to_dir) {
        const fs::path target = *to_dir / name;  // name built locally from a validated date
        if (fs::exists(target) && overwrite == Overwrite::Refuse) {
            throw Error(ErrorKind::Usage, target.string() + " already exists", "add --force to overwrite it");
        }
        write_file_atomically(target, content);
        result.written_to = target;
        return result;
    }
    const store::UpsertStats stats = store_.upsert(parsed.file->records);
    result.inserted = stats.inserted;
    result.updated = stats.updated;
    result.unchanged = stats.unchanged;
    return result;
}

RepairResult BackupOps::repair() {
    require_configured(config_);
    SyncLock lock(paths_.lock_file());
    RemoteGist remote = read_gist(api_, config_);
    std::map<std::string, MachineEntry> hints;
    std::optional<Manifest> old;
    if (remote.has(std::string(kManifestFileName))) {
        try {
            old = Manifest::parse(remote.content(std::string(kManifestFileName)));
            for (const auto& e : old->machines()) hints[e.machine_name] = e;
        } catch (const Error& e) {
            events_.warn(std::string("the old manifest.json is invalid (") + e.what() + "); rebuilding from file names");
        }
    }
    const std::set<std::string> listing = remote.file_names();
    Manifest rebuilt = Manifest::rebuild_from_files(listing, hints, timeutil::format_rfc3339(clock_.now()));
    if (old) {
        // What file names cannot tell is kept from the old manifest (docs/format.md §3 keeps
        // unknown fields).
        rebuilt.set_backup_retention_days(old->backup_retention_days());
        rebuilt.set_extra(old->extra());
        Manifest unchanged_candidate = rebuilt;
        unchanged_candidate.set_last_updated(old->get_last_updated());
        if (unchanged_candidate == *old) rebuilt = *old;
    }
    RepairResult result;
    result.machines = rebuilt.machines().size();
    result.files = listing.size();
    if (old && rebuilt == *old) return result;  // already matches the files: no PATCH (docs/format.md §10)
    api_.patch_gist(config_.gist_id,
                    {{std::string(kManifestFileName), gist::FileChange::write(rebuilt.serialize())}});
    result.changed = true;
    return result;
}

}  // namespace ccu::sync
