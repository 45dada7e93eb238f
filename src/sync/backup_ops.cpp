#include "ccu/sync/backup_ops.hpp"

#include <algorithm>

#include "ccu/common/atomic_file.hpp"
#include "ccu/common/error.hpp"
#include "ccu/common/time.hpp"
#include "ccu/store/store.hpp"
#include "ccu/sync/data_file.hpp"
#include "ccu/sync/file_names.hpp"
#include "ccu/sync/lock.hpp"
#include "ccu/sync/remote_store.hpp"
#include "sync/push_support.hpp"

namespace ccu::sync {
namespace fs = std::filesystem;

namespace {

std::string dashed(const std::string& yyyymmdd) {
    return yyyymmdd.substr(0, 4) + "-" + yyyymmdd.substr(4, 2) + "-" + yyyymmdd.substr(6, 2);
}

std::unique_ptr<RemoteSnapshot> read_head(RemoteStore& remote) {
    LoadResult loaded = remote.load(std::nullopt);
    if (!loaded.snapshot) throw Error(ErrorKind::Unexpected, "the remote store answered 'unchanged' to a full read");
    return std::move(loaded.snapshot);
}

std::set<std::string> listing_of(const RemoteSnapshot& snapshot) {
    const std::vector<std::string> names = snapshot.file_names();
    return {names.begin(), names.end()};
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

BackupOps::BackupOps(RemoteStore& remote, store::Store& store, Clock& clock, Config config, Paths paths,
                     EventSink& events)
    : remote_(remote), store_(store), clock_(clock), config_(std::move(config)), paths_(std::move(paths)), events_(events) {}

std::string BackupOps::create() {
    require_configured(config_);
    SyncLock lock(paths_.lock_file());
    const std::string& machine = config_.machine_name;
    const std::string current = current_file_name(machine);
    const std::string name = backup_file_name(machine, timeutil::utc_compact_date(clock_.now()));
    const std::string now = timeutil::format_rfc3339(clock_.now());
    // A byte-identical copy of the current file as the head holds it, with the manifest joined
    // again on each head (commit_joined).
    const PlanFn plan = [&](RemoteSnapshot& head, const std::vector<Manifest>& overwritten) {
        if (!head.has(current)) {
            throw Error(ErrorKind::Usage, "there is no " + current + " in the gist to back up",
                        "run 'ccu gist push' first");
        }
        std::optional<Manifest> manifest = read_manifest(head);
        check_identity(manifest ? manifest->find(machine) : nullptr, config_);
        std::set<std::string> after = listing_of(head);
        after.insert(name);
        Manifest next = manifest ? *manifest : Manifest::rebuild_from_files(after, {}, now);
        for (const auto& lost : overwritten) next = next.merge_with(lost);
        MachineEntry entry = next.find(machine) ? *next.find(machine) : placeholder_entry(machine);
        entry.backups.push_back(name);
        entry.last_sync = now;  // this machine changed its files: its entry must win the merge
        if (!config_.machine_id.empty()) entry.machine_id = config_.machine_id;
        canonicalize(entry);
        next.upsert(entry);
        next = next.reconciled_with(after);
        next.set_last_updated(now);
        ChangeSet changes;
        const std::string& content = head.content(current);
        if (!holds(head, name, content)) changes[name] = content;
        const std::string text = next.serialize();
        if (!changes.empty() || !holds(head, std::string(kManifestFileName), text)) {
            changes[std::string(kManifestFileName)] = text;
        }
        assert_only_own_files(changes, machine);
        return changes;
    };
    const SyncContext ctx{remote_, store_, clock_, events_, config_, machine_jitter_seed(config_, clock_)};
    commit_joined(ctx, read_head(remote_), ConflictMode::Detect, plan, "ccu backup " + name);
    return name;
}

std::vector<BackupInfo> BackupOps::list() {
    require_configured(config_);
    const std::unique_ptr<RemoteSnapshot> head = read_head(remote_);
    RemoteSnapshot& remote = *head;
    std::optional<Manifest> manifest;
    try {
        manifest = read_manifest(remote);
    } catch (const Error& e) {
        if (e.kind() != ErrorKind::InvalidRemote) throw;
        events_.warn(std::string("manifest.json is invalid: ") + e.what());
    }
    std::vector<BackupInfo> out;
    for (const auto& name : remote.file_names()) {
        const auto info = backup_of(name, manifest);
        if (!info) continue;
        BackupInfo b{info->machine, dashed(info->backup_date), name, remote.size(name), std::nullopt};
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
    const std::unique_ptr<RemoteSnapshot> head = read_head(remote_);
    RemoteSnapshot& remote = *head;
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

namespace {

// The manifest rebuilt from the head's listing, keeping what names cannot tell from the old one
// (docs/format.md §3: unknown fields survive); the old manifest itself when that is the same.
Manifest rebuilt_manifest(RemoteSnapshot& head, EventSink& events, const std::string& now, std::optional<Manifest>& old) {
    std::map<std::string, MachineEntry> hints;
    old.reset();
    if (head.has(std::string(kManifestFileName))) {
        try {
            old = Manifest::parse(head.content(std::string(kManifestFileName)));
            for (const auto& e : old->machines()) hints[e.machine_name] = e;
        } catch (const Error& e) {
            events.warn(std::string("the old manifest.json is invalid (") + e.what() + "); rebuilding from file names");
        }
    }
    Manifest rebuilt = Manifest::rebuild_from_files(listing_of(head), hints, now);
    if (!old) return rebuilt;
    rebuilt.set_backup_retention_days(old->backup_retention_days());
    rebuilt.set_extra(old->extra());
    Manifest unchanged_candidate = rebuilt;
    unchanged_candidate.set_last_updated(old->get_last_updated());
    return unchanged_candidate == *old ? *old : rebuilt;
}

}  // namespace

RepairResult BackupOps::repair() {
    require_configured(config_);
    SyncLock lock(paths_.lock_file());
    RepairResult result;
    const std::string now = timeutil::format_rfc3339(clock_.now());
    const PlanFn plan = [&](RemoteSnapshot& head, const std::vector<Manifest>&) {
        std::optional<Manifest> old;
        const Manifest rebuilt = rebuilt_manifest(head, events_, now, old);
        result.machines = rebuilt.machines().size();
        result.files = head.file_names().size();
        ChangeSet changes;
        if (old && rebuilt == *old) return changes;  // already matches the files: no write
        changes[std::string(kManifestFileName)] = rebuilt.serialize();
        return changes;
    };
    const SyncContext ctx{remote_, store_, clock_, events_, config_, machine_jitter_seed(config_, clock_)};
    result.changed = commit_joined(ctx, read_head(remote_), ConflictMode::Detect, plan, "ccu repair").wrote;
    return result;
}

}  // namespace ccu::sync
