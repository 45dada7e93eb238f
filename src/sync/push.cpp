// SyncManager::push — docs/format.md §8 "Push". The algorithm, in order:
//   lock → refresh local → GET (conditional when nothing is new) → identity check → daily
//   backup + retention → new current file (+ sealed parts) → manifest = remote ⊔ our entry,
//   reconciled with the listing → ONE PATCH with only changed files → verify after write.
#include <algorithm>
#include <cassert>

#include "ccu/common/error.hpp"
#include "ccu/common/time.hpp"
#include "ccu/common/version.hpp"
#include "ccu/gist/gist_api.hpp"
#include "ccu/pricing/price_table.hpp"
#include "ccu/store/store.hpp"
#include "ccu/sync/exporter.hpp"
#include "ccu/sync/file_names.hpp"
#include "ccu/sync/lock.hpp"
#include "ccu/sync/remote_gist.hpp"
#include "ccu/sync/retention.hpp"
#include "ccu/sync/sync_manager.hpp"
#include "ccu/sync/sync_state.hpp"
#include "sync/push_support.hpp"
#include "sync/write_verifier.hpp"

namespace ccu::sync {

class PushRun {
public:
    PushRun(SyncManager& m, ConflictMode conflict, WriteMode write)
        : m_(m), conflict_(conflict), write_(write), state_(m.store_, m.config_.gist_id),
          machine_(m.config_.machine_name), now_(timeutil::format_rfc3339(m.clock_.now())) {}

    PushResult execute() {
        m_.events_.say(Mark::None, "Pushing to Gist...");
        unpushed_ = unpushed_records(m_.store_, machine_, state_.pushed_sequence());
        result_.new_records = unpushed_.records.size();
        std::optional<RemoteGist> remote = read_remote();
        if (!remote) return nothing_to_do();
        std::optional<Manifest> base = load_manifest(*remote);
        check_identity(base ? base->find(machine_) : nullptr, m_.config_);
        if (unpushed_.records.empty() && own_entry_intact(*remote, base)) {
            state_.set_push_etag(remote->gist().etag);
            return nothing_to_do();
        }
        const gist::GistPatch patch = plan(*remote, base);
        if (write_ == WriteMode::DryRun) return result_;
        if (patch.empty()) return finish(remote->gist().etag);
        send(*remote, patch);
        return finish("");
    }

private:
    // Nothing new: a conditional GET (one request, 304 when nobody wrote). Something new: we
    // need the current file's content anyway, so an unconditional GET.
    std::optional<RemoteGist> read_remote() {
        const bool nothing_new = unpushed_.records.empty();
        if (nothing_new && m_.store_.count(machine_) == 0) return std::nullopt;
        const std::string etag = nothing_new && write_ == WriteMode::Write ? state_.push_etag() : std::string();
        gist::ConditionalGist got = m_.api_.get_gist(m_.config_.gist_id, etag);
        if (got.not_modified || !got.gist) return std::nullopt;
        return RemoteGist(m_.api_, std::move(*got.gist));
    }

    std::optional<Manifest> load_manifest(RemoteGist& remote) {
        if (auto manifest = remote.manifest()) return manifest;
        // No manifest.json at all: a fresh gist, or one whose manifest was deleted — then the
        // files tell us what exists (never assume an empty gist when files are there).
        return std::nullopt;
    }

    bool own_entry_intact(RemoteGist& remote, const std::optional<Manifest>& base) const {
        const MachineEntry* mine = base ? base->find(machine_) : nullptr;
        if (mine == nullptr) return false;
        return remote.has(current_file_name(machine_)) && mine->machine_id == machine_id();
    }

    std::optional<std::string> machine_id() const {
        if (m_.config_.machine_id.empty()) return std::nullopt;
        return m_.config_.machine_id;
    }

    PushResult nothing_to_do() {
        result_.nothing_to_do = true;
        m_.events_.say(Mark::None, "Nothing to sync");
        return result_;
    }

    gist::GistPatch plan(RemoteGist& remote, const std::optional<Manifest>& base) {
        const std::set<std::string> listing = remote.file_names();
        const std::string current_name = current_file_name(machine_);
        gist::GistPatch patch;
        plan_backups(remote, listing, patch);
        const ShardPlan shards = export_records(remote, listing);
        add_write(patch, remote, shards.current.file_name, shards.current.content, shards.current.file.records.size());
        for (const auto& part : shards.sealed_parts) {
            add_write(patch, remote, part.file_name, part.content, part.file.records.size());
        }
        std::set<std::string> after = listing;
        for (const auto& [name, change] : patch) {
            if (change.kind == gist::FileChange::Kind::Delete) after.erase(name);
            else after.insert(name);
        }
        Manifest manifest = base ? *base : Manifest::rebuild_from_files(listing, {}, now_);
        if (!base) manifest.set_backup_retention_days(m_.config_.backup_retention_days);
        entry_ = make_entry(base ? base->find(machine_) : nullptr, after, shards);
        manifest.upsert(entry_);
        manifest = manifest.reconciled_with(after);
        manifest.set_last_updated(now_);
        manifest_ = manifest;
        const std::string text = manifest.serialize();
        if (!patch.empty() || !remote.has(std::string(kManifestFileName)) ||
            remote.content(std::string(kManifestFileName)) != text) {
            add_write(patch, remote, std::string(kManifestFileName), text, 0);
        }
        assert_only_own_files(patch, machine_);
        return patch;
    }

    void plan_backups(RemoteGist& remote, const std::set<std::string>& listing, gist::GistPatch& patch) {
        RetentionRequest request;
        request.machine = machine_;
        request.gist_files = listing;
        request.today = timeutil::utc_compact_date(m_.clock_.now());
        request.retention_days = m_.config_.backup_retention_days;
        request.new_files = listing.count(current_file_name(machine_)) ? 0 : 1;
        const RetentionPlan retention = plan_retention(request);
        if (!retention.warning.empty()) m_.events_.warn(retention.warning);
        const std::string current = current_file_name(machine_);
        // Today's backup is a copy of the current file as it is before this push.
        if (retention.create_backup && remote.has(current)) {
            const std::string& content = remote.content(current);
            patch[retention.backup_name] = gist::FileChange::write(content);
            note(retention.backup_name, PlannedFile::Action::Write, content.size(), 0);
            result_.backup_created = true;
        }
        for (const auto& name : retention.delete_backups) {
            patch[name] = gist::FileChange::remove();
            note(name, PlannedFile::Action::Delete, 0, 0);
            result_.backups_deleted.push_back(name);
        }
    }

    ShardPlan export_records(RemoteGist& remote, const std::set<std::string>& listing) {
        ExportInput input;
        input.machine_name = machine_;
        input.machine_id = machine_id();
        input.now_rfc3339 = now_;
        input.max_file_bytes = static_cast<std::size_t>(std::max<std::int64_t>(m_.config_.max_file_bytes, 1024));
        input.next_part = next_part_number(listing, machine_);
        input.remote_current = remote_current_records(remote);
        input.unpushed = std::move(unpushed_.records);
        const auto& prices = pricing::PriceTable::embedded();
        return build_export(input, cost_function(prices));
    }

    // The records already in our current file. Missing or unreadable while we believe we pushed
    // before: export everything again rather than replace the file with only the new records.
    std::vector<UsageRecord> remote_current_records(RemoteGist& remote) {
        const std::string name = current_file_name(machine_);
        if (remote.has(name)) {
            ParsedDataFile parsed = parse_data_file(remote.content(name), name);
            if (parsed.file) return std::move(parsed.file->records);
            m_.events_.warn(name + " in the gist is invalid (" + parsed.fatal_error +
                            "); rewriting it from the local store");
        } else if (state_.pushed_sequence() == 0) {
            return {};
        } else {
            m_.events_.warn(name + " is missing from the gist; exporting all local records again");
        }
        unpushed_ = unpushed_records(m_.store_, machine_, 0);
        return {};
    }

    MachineEntry make_entry(const MachineEntry* previous, const std::set<std::string>& after,
                            const ShardPlan& shards) {
        MachineEntry e = previous ? *previous : MachineEntry{};
        e.machine_name = machine_;
        e.machine_id = machine_id();
        e.last_sync = now_;
        e.total_records = m_.store_.count(machine_);
        e.current_file = shards.current.file_name;
        e.tool = "ccu " + std::string(ccu::version());
        const auto newest = newest_record_date(shards);
        if (newest && (!e.last_record_date || *newest > *e.last_record_date)) e.last_record_date = newest;
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

    static std::optional<std::string> newest_record_date(const ShardPlan& shards) {
        std::optional<std::string> newest;
        auto consider = [&](const DataFile& f) {
            for (const auto& r : f.records) {
                const std::string day = r.timestamp.substr(0, 10);
                if (!newest || day > *newest) newest = day;
            }
        };
        consider(shards.current.file);
        for (const auto& p : shards.sealed_parts) consider(p.file);
        return newest;
    }

    void add_write(gist::GistPatch& patch, RemoteGist& remote, const std::string& name, const std::string& content,
                   std::size_t records) {
        if (remote.has(name) && remote.content(name) == content) return;  // unchanged: not sent
        patch[name] = gist::FileChange::write(content);
        note(name, PlannedFile::Action::Write, content.size(), records);
    }

    void note(const std::string& name, PlannedFile::Action action, std::size_t bytes, std::size_t records) {
        result_.files.push_back(PlannedFile{name, action, bytes, records});
    }

    void send(RemoteGist& remote, const gist::GistPatch& patch) {
        std::string base = remote.head_version();
        if (base.empty() && conflict_ == ConflictMode::Detect) {
            const auto commits = m_.api_.list_commits(m_.config_.gist_id, 1);
            if (!commits.empty()) base = commits.front().version;
        }
        const gist::Gist patched = m_.api_.patch_gist(m_.config_.gist_id, patch);
        result_.uploaded = true;
        remember_own_files(patched);
        if (conflict_ == ConflictMode::Force) return;
        WriteVerifier verifier(m_.api_, m_.clock_, m_.events_, m_.config_.gist_id, entry_, jitter_seed());
        const std::string ours = patched.history.empty() ? std::string() : patched.history.front().version;
        result_.conflicts_resolved = verifier.verify(WrittenState{base, ours, manifest_});
    }

    // Our own files as the PATCH left them: pull need not download what we just uploaded.
    void remember_own_files(const gist::Gist& patched) {
        auto seen = state_.pulled_files();
        for (const auto& [name, file] : patched.files) {
            const FileNameInfo info = classify_for_machine(name, machine_);
            if (info.role == FileRole::Current || info.role == FileRole::Part) {
                seen[name] = SeenFile{file.raw_url, file.size};
            }
        }
        state_.set_pulled_files(seen);
    }

    std::uint64_t jitter_seed() const {
        if (m_.jitter_seed_ != 0) return m_.jitter_seed_;
        return static_cast<std::uint64_t>(timeutil::to_epoch_ms(m_.clock_.now())) ^ m_.config_.machine_id.size();
    }

    PushResult finish(const std::string& etag) {
        state_.set_pushed_sequence(unpushed_.through_sequence);
        state_.set_last_push(now_);
        state_.set_push_etag(etag);  // after our own write the ETag is unknown: next GET is full
        return result_;
    }

    SyncManager& m_;
    ConflictMode conflict_;
    WriteMode write_;
    SyncState state_;
    std::string machine_;
    std::string now_;
    Unpushed unpushed_;
    PushResult result_;
    MachineEntry entry_;
    Manifest manifest_;
};

PushResult SyncManager::push(ConflictMode conflict, WriteMode write) {
    require_configured(config_);
    return recording_errors("push", [&] {
        SyncLock lock(paths_.lock_file());
        refresh_local_store();
        PushRun run(*this, conflict, write);
        return run.execute();
    });
}

}  // namespace ccu::sync
