// SyncManager::push — docs/format.md §8. The algorithm, in order:
//   lock → refresh local → load the head (one small request when nothing is new) → identity check
//   → daily backup + retention → new current file (+ sealed parts) → manifest = head ⊔ what a REST
//   write overwrote ⊔ our entry, reconciled with the listing → commit only changed files → on
//   conflict reload and plan again (commit_joined).
#include <algorithm>
#include <functional>

#include "ccu/common/error.hpp"
#include "ccu/common/time.hpp"
#include "ccu/common/version.hpp"
#include "ccu/pricing/price_table.hpp"
#include "ccu/store/store.hpp"
#include "ccu/sync/blob_id.hpp"
#include "ccu/sync/exporter.hpp"
#include "ccu/sync/file_names.hpp"
#include "ccu/sync/lock.hpp"
#include "ccu/sync/retention.hpp"
#include "ccu/sync/sync_manager.hpp"
#include "ccu/sync/sync_state.hpp"
#include "sync/adoption.hpp"
#include "sync/fold_plan.hpp"
#include "sync/generation.hpp"
#include "sync/push_support.hpp"

namespace ccu::sync {
namespace {

class PushRun {
public:
    PushRun(const SyncContext& ctx, const pricing::PriceTable& prices, ConflictMode conflict, WriteMode write)
        : ctx_(ctx), prices_(prices), conflict_(conflict), write_(write), state_(ctx.store, ctx.config.gist_id),
          machine_(ctx.config.machine_name), now_(timeutil::format_rfc3339(ctx.clock.now())) {}

    PushResult execute() {
        ctx_.events.say(Mark::None, "Pushing to Gist...");
        unpushed_ = unpushed_records(ctx_.store, machine_, state_.pushed_sequence());
        result_.new_records = static_cast<std::size_t>(unpushed_.count);
        const bool nothing_new = unpushed_.count == 0;
        if (nothing_new && machine_records() == 0) return nothing_to_do();
        std::optional<std::string> known;
        if (nothing_new && write_ == WriteMode::Write && !state_.push_version().empty()) known = state_.push_version();
        // With nothing new, our files are as our last push left them (only this machine writes
        // them) and every ccu writer joins manifest.json, so a head the store would have to
        // download is not read (docs/format.md §8 step 4): over git the check of our entry below
        // is made on the next head the mirror holds (a pull fetches it) or by the next push with
        // records. REST holds no copy and reads the head (its writers race: a rival's PATCH can
        // put back an older copy of our entry).
        LoadResult loaded = known ? ctx_.remote.load_held(known) : ctx_.remote.load(known);
        if (loaded.unchanged || !loaded.not_held.empty()) return nothing_to_do();
        std::unique_ptr<RemoteSnapshot> head = std::move(loaded.snapshot);
        const std::optional<Manifest> base = read_manifest(*head);
        check_identity(base ? base->find(machine_) : nullptr, ctx_.config);
        if (nothing_new && own_entry_intact(*head, base)) {
            state_.set_push_version(head->version());
            return nothing_to_do();
        }
        if (write_ == WriteMode::DryRun) {
            plan(*head, {});
            return result_;
        }
        const JoinedCommit done = commit_joined(
            ctx_, std::move(head), conflict_,
            [this](RemoteSnapshot& on, const std::vector<Manifest>& overwritten) { return plan(on, overwritten); },
            "ccu push from " + machine_);
        result_.uploaded = done.wrote;
        result_.conflicts_resolved = done.remerges;
        finish(done.version);
        return result_;
    }

private:
    bool own_entry_intact(RemoteSnapshot& head, const std::optional<Manifest>& base) {
        const MachineEntry* mine = base ? base->find(machine_) : nullptr;
        if (mine == nullptr) return false;
        // A rival's PATCH of manifest.json can put back an older copy of this entry after our
        // verify passed (tests/unit/e2e/many_writers_test.cpp saw 57 for 60): the next push
        // repairs it rather than leaving the manifest's totals stale for good.
        // An entry that lost this machine's generation (another tool rewrote it) is repaired too.
        return head.has(current_file_name(machine_)) && mine->machine_id == machine_id() &&
               mine->total_records == machine_records() &&
               entry_generation(*mine) >= own_generation(ctx_.store, ctx_.config.gist_id);
    }

    // This machine's records in the store: a COUNT(*) over its rows (a year: ~10^5), so counted
    // once a push (again only after an adoption imported rows), not on every plan and check.
    std::int64_t machine_records() {
        if (!machine_records_) machine_records_ = ctx_.store.count(machine_);
        return *machine_records_;
    }

    std::optional<std::string> machine_id() const {
        if (ctx_.config.machine_id.empty()) return std::nullopt;
        return ctx_.config.machine_id;
    }

    PushResult nothing_to_do() {
        result_.nothing_to_do = true;
        ctx_.events.say(Mark::None, "Nothing to sync");
        return result_;
    }

    // Everything this push writes on top of `head`. Called again on each re-merge.
    ChangeSet plan(RemoteSnapshot& head, const std::vector<Manifest>& overwritten) {
        const std::optional<Manifest> base = read_manifest(head);
        check_identity(base ? base->find(machine_) : nullptr, ctx_.config);
        const std::vector<std::string> names = head.file_names();
        std::set<std::string> listing(names.begin(), names.end());
        result_.files.clear();
        current_parsed_.reset();
        ChangeSet changes;
        adopt_if_origin(head, base ? base->find(machine_) : nullptr, listing);
        plan_merges(head, listing, changes);
        plan_backups(head, listing, changes);
        std::set<std::string> after = listing;
        for (const auto& [name, content] : changes) {
            if (content) after.insert(name);
            else after.erase(name);
        }
        after.insert(current_file_name(machine_));
        // The files the gist will hold besides the parts this push seals (the manifest included).
        const std::size_t other_files = after.size() + (after.count(std::string(kManifestFileName)) ? 0 : 1);
        std::vector<PlannedFile> part_notes;
        ShardedFile current = export_records(head, listing, other_files, changes, part_notes);
        add_write(changes, head, current.file_name, current.content, current.file.records.size());
        result_.files.insert(result_.files.end(), part_notes.begin(), part_notes.end());
        for (const auto& part : written_parts_) after.insert(part.name);
        consider_newest(current.file.records);
        Manifest manifest = base ? *base : Manifest::rebuild_from_files(listing, {}, now_);
        if (!base) manifest.set_backup_retention_days(ctx_.config.backup_retention_days);
        for (const auto& lost : overwritten) manifest = manifest.merge_with(lost);
        manifest.upsert(make_entry(base ? base->find(machine_) : nullptr, after, current.file_name));
        manifest = manifest.reconciled_with(after);
        manifest.set_last_updated(now_);
        const std::string text = manifest.serialize();
        if (!changes.empty() || !holds(head, std::string(kManifestFileName), text)) {
            add_write(changes, head, std::string(kManifestFileName), text, 0);
        }
        assert_only_own_files(changes, machine_);
        written_current_ = std::move(current);
        return changes;
    }

    // This machine's current file as the head holds it: the local copy of our last push when the
    // head still has those bytes (no download), else the head's content.
    std::optional<std::string> head_current(RemoteSnapshot& head) {
        const std::string name = current_file_name(machine_);
        if (!head.has(name)) return std::nullopt;
        if (const auto own = state_.own_current(); own && own->first == name && holds(head, name, own->second)) {
            return own->second;
        }
        return head.content(name);
    }

    // Near the file budget (docs/format.md §6 step 0): this machine's backups beyond the newest
    // three, then full folds of its parts, then any fold, before any other backup is given up.
    // `listing` becomes the listing after them.
    void plan_merges(RemoteSnapshot& head, std::set<std::string>& listing, ChangeSet& changes) {
        RoomRequest request;
        request.machine = machine_;
        request.today = timeutil::utc_compact_date(ctx_.clock.now());
        request.now = now_;
        request.retention_days = ctx_.config.backup_retention_days;
        request.seal_bytes = effective_seal_bytes(ctx_.config, ctx_.remote.transport());
        request.merge_limit = merge_limit_bytes(ctx_.config);
        RoomPlan room = make_room(head, listing, request, cost_function(prices_));
        for (auto& [name, content] : room.changes) changes[name] = std::move(content);
        for (auto& file : room.files) result_.files.push_back(std::move(file));
        for (auto& name : room.backups_deleted) result_.backups_deleted.push_back(std::move(name));
    }

    void plan_backups(RemoteSnapshot& head, const std::set<std::string>& listing, ChangeSet& changes) {
        RetentionRequest request;
        request.machine = machine_;
        request.gist_files = listing;
        request.today = timeutil::utc_compact_date(ctx_.clock.now());
        request.retention_days = ctx_.config.backup_retention_days;
        request.new_files = listing.count(current_file_name(machine_)) ? 0 : 1;
        const RetentionPlan retention = plan_retention(request);
        if (!retention.warning.empty()) ctx_.events.warn(retention.warning);
        // Today's backup is a byte-identical copy of the current file as the head holds it (over
        // git: the same blob, nothing new to send). Adopting, the origin's file is backed up
        // whatever the retention (not when the file budget is exhausted).
        const bool adopting = adoption_.adopt && !listing.count(retention.backup_name) && retention.warning.empty();
        if (retention.create_backup || adopting) {
            if (const auto current = head_current(head)) {
                changes[retention.backup_name] = *current;
                note(retention.backup_name, PlannedFile::Action::Write, current->size(), 0);
                result_.backup_created = true;
            }
        }
        for (const auto& name : retention.delete_backups) {
            changes[name] = std::nullopt;
            note(name, PlannedFile::Action::Delete, 0, 0);
            if (std::find(result_.backups_deleted.begin(), result_.backups_deleted.end(), name) ==
                result_.backups_deleted.end()) {
                result_.backups_deleted.push_back(name);
            }
        }
    }

    // The current file; the parts sealed on the way go into `changes` (staged when the store can
    // take them ahead: the parts of a first push of 1M records are ~300 MB) as they are full.
    ShardedFile export_records(RemoteSnapshot& head, const std::set<std::string>& listing, std::size_t other_files,
                               ChangeSet& changes, std::vector<PlannedFile>& part_notes) {
        written_parts_.clear();
        newest_.reset();
        ExportInput input;
        input.machine_name = machine_;
        input.machine_id = machine_id();
        input.now_rfc3339 = now_;
        input.max_file_bytes = effective_seal_bytes(ctx_.config, ctx_.remote.transport());
        input.max_part_bytes = max_part_bytes(ctx_.config);
        const std::size_t soft_limit = RetentionRequest{}.soft_file_limit;
        input.part_room = soft_limit > other_files + 1 ? soft_limit - 1 - other_files : 0;
        // Parts this machine wrote that a lagging read may not list yet are never reused.
        std::set<std::string> known_names = listing;
        for (const auto& [name, seen] : state_.pulled_files()) known_names.insert(name);
        input.next_part = next_part_number(known_names, machine_);
        input.remote_current = adoption_.adopt ? std::vector<UsageRecord>{} : remote_current_records(head);
        input.generation = adoption_.generation;
        input.unpushed = [this](const std::function<void(UsageRecord&&)>& visit) {
            ctx_.store.for_each_changed_since(machine_, unpushed_.after_sequence, visit);
        };
        return export_files(input, cost_function(prices_),
                            [&](ShardedFile&& part) { add_part(head, changes, std::move(part), part_notes); });
    }

    void add_part(RemoteSnapshot& head, ChangeSet& changes, ShardedFile&& part, std::vector<PlannedFile>& notes) {
        consider_newest(part.file.records);
        const auto bytes = static_cast<std::int64_t>(part.content.size());
        if (holds(head, part.file_name, part.content)) {  // unchanged: not sent
            written_parts_.push_back(WrittenFile{part.file_name, git_blob_id(part.content), bytes});
            return;
        }
        notes.push_back(PlannedFile{part.file_name, PlannedFile::Action::Write, part.content.size(),
                                    part.file.records.size()});
        if (write_ == WriteMode::Write) {
            if (auto staged = ctx_.remote.stage(part.content)) {  // the store names the blob: no second hash
                written_parts_.push_back(WrittenFile{part.file_name, staged->content_id, bytes});
                changes.staged[part.file_name] = std::move(*staged);
                return;
            }
        }
        written_parts_.push_back(WrittenFile{part.file_name, git_blob_id(part.content), bytes});
        changes[part.file_name] = std::move(part.content);
    }

    void consider_newest(const std::vector<UsageRecord>& records) {
        for (const auto& r : records) {
            std::string day = r.timestamp.substr(0, 10);
            if (!newest_ || day > *newest_) newest_ = std::move(day);
        }
    }

    // The records already in our current file. Only this machine writes it, so a head whose copy
    // differs from the one our last push wrote is a stale read (or another tool): both are ours,
    // so the union is kept. Missing or unreadable while we believe we pushed before: export
    // everything again rather than replace the file with only the new records.
    std::vector<UsageRecord> remote_current_records(RemoteSnapshot& head) {
        const std::string name = current_file_name(machine_);
        if (const auto current = head_current(head)) {
            ParsedDataFile parsed = std::move(*current_file(head));  // parsed once per plan
            if (parsed.file) {
                if (const auto own = state_.own_current(); own && own->first == name && own->second != *current) {
                    ParsedDataFile mine = parse_data_file(own->second, name);
                    if (mine.file) {
                        for (auto& r : mine.file->records) parsed.file->records.push_back(std::move(r));
                    }
                }
                return std::move(parsed.file->records);
            }
            ctx_.events.warn(name + " in the gist is invalid (" + parsed.fatal_error +
                             "); rewriting it from the local store");
        } else if (state_.pushed_sequence() == 0) {
            return {};
        } else {
            ctx_.events.warn(name + " is missing from the gist; exporting all local records again");
        }
        unpushed_ = unpushed_records(ctx_.store, machine_, 0);
        return {};
    }

    MachineEntry make_entry(const MachineEntry* previous, const std::set<std::string>& after,
                            const std::string& current_name) {
        MachineEntry e = previous ? *previous : MachineEntry{};
        e.machine_name = machine_;
        e.machine_id = machine_id();
        e.last_sync = now_;
        e.total_records = machine_records();
        e.current_file = current_name;
        e.tool = "ccu " + std::string(ccu::version());
        set_entry_generation(e, adoption_.generation);
        if (newest_ && (!e.last_record_date || *newest_ > *e.last_record_date)) e.last_record_date = newest_;
        e.backups.clear();
        std::vector<std::string> data_files;
        for (const auto& name : after) {
            const FileNameInfo info = classify_for_machine(name, machine_);
            if (info.role == FileRole::Backup) e.backups.push_back(name);
            if (info.role == FileRole::Current || info.role == FileRole::Part) data_files.push_back(name);
        }
        // Files of this machine written by the origin tool stay listed (never dropped, never deleted).
        for (const auto& name : e.data_files) {
            if (after.count(name) && std::find(data_files.begin(), data_files.end(), name) == data_files.end()) {
                data_files.push_back(name);
            }
        }
        e.data_files = std::move(data_files);
        canonicalize(e);
        return e;
    }

    // An entry or current file the origin tool wrote: its rows go into the store (one record per
    // response) and this push re-writes the machine's files from the store (sync/adoption.hpp).
    // Planned again on each re-merge: importing the same rows twice adds nothing.
    void adopt_if_origin(RemoteSnapshot& head, const MachineEntry* entry, const std::set<std::string>& listing) {
        const ParsedDataFile* current = current_file(head);
        adoption_ = plan_adoption(entry, current && current->file ? &*current->file : nullptr,
                                  own_generation(ctx_.store, ctx_.config.gist_id), listing);
        if (!adoption_.adopt) return;
        if (write_ == WriteMode::Write) {  // not in a dry run
            import_origin_files(head, adoption_, ctx_.store, machine_);
            machine_records_.reset();
        }
        unpushed_ = unpushed_records(ctx_.store, machine_, 0);
        result_.new_records = static_cast<std::size_t>(unpushed_.count);
        if (adoption_announced_) return;
        adoption_announced_ = true;
        ctx_.events.say(Mark::Check, "Adopting " + machine_ + " from the origin tool: its files are re-written from "
                                     "this machine's store (generation " + std::to_string(adoption_.generation) +
                                     "; the origin's current file is kept as a backup)");
    }

    // This machine's current file on the head, parsed (null: the head has none).
    ParsedDataFile* current_file(RemoteSnapshot& head) {
        if (!current_parsed_) {
            const auto current = head_current(head);
            if (!current) return nullptr;
            current_parsed_ = parse_data_file(*current, current_file_name(machine_));
        }
        return &*current_parsed_;
    }

    void add_write(ChangeSet& changes, RemoteSnapshot& head, const std::string& name, const std::string& content,
                   std::size_t records) {
        if (holds(head, name, content)) return;  // unchanged: not sent
        changes[name] = content;
        note(name, PlannedFile::Action::Write, content.size(), records);
    }

    void note(const std::string& name, PlannedFile::Action action, std::size_t bytes, std::size_t records) {
        result_.files.push_back(PlannedFile{name, action, bytes, records});
    }

    // Our files as this push left them: pull need not download them, the next push merges into
    // the local copy of the current file.
    void remember_own_files() {
        auto seen = state_.pulled_files();
        const ShardedFile& current = written_current_;
        seen[current.file_name] = SeenFile{git_blob_id(current.content), static_cast<std::int64_t>(current.content.size())};
        for (const auto& part : written_parts_) seen[part.name] = SeenFile{part.blob_id, part.bytes};
        state_.set_pulled_files(seen);
        state_.set_own_current(current.file_name, current.content);
    }

    void finish(const std::string& version) {
        remember_own_files();
        state_.set_pushed_sequence(unpushed_.through_sequence);
        if (adoption_.generation > 0) set_own_generation(ctx_.store, ctx_.config.gist_id, adoption_.generation);
        state_.set_last_push(now_);
        state_.set_push_version(version);
    }

    const SyncContext& ctx_;
    const pricing::PriceTable& prices_;
    ConflictMode conflict_;
    WriteMode write_;
    SyncState state_;
    std::string machine_;
    std::string now_;
    Unpushed unpushed_;
    PushResult result_;
    // What this plan writes: the current file, and the parts by name, content id and size (their
    // content went to the commit).
    struct WrittenFile {
        std::string name;
        std::string blob_id;
        std::int64_t bytes = 0;
    };
    ShardedFile written_current_;
    std::vector<WrittenFile> written_parts_;
    std::optional<std::string> newest_;  // UTC date of the newest record written
    Adoption adoption_;
    bool adoption_announced_ = false;
    std::optional<ParsedDataFile> current_parsed_;  // this plan's head's current file
    std::optional<std::int64_t> machine_records_;   // machine_records(), once counted
};

}  // namespace

PushResult SyncManager::push(ConflictMode conflict, WriteMode write) {
    require_configured(config_);
    return recording_errors("push", [&] {
        SyncLock lock(paths_.lock_file());
        if (refresh_) refresh_(store_);
        const SyncContext ctx{remote_, store_, clock_, events_, config_,
                              jitter_seed_ != 0 ? jitter_seed_ : machine_jitter_seed(config_, clock_)};
        PushRun run(ctx, prices_, conflict, write);
        return run.execute();
    });
}

}  // namespace ccu::sync
