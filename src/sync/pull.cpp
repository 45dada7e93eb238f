// SyncManager::pull — docs/format.md §9: load the head (one small request when nobody wrote),
// fetch only files whose content id/size changed since the last pull, validate each, import
// every machine's records with dedup; a machine whose files were re-written under a newer
// generation has its records replaced (docs/format.md §4.1).
#include <algorithm>
#include <optional>
#include <vector>

#include "ccu/common/error.hpp"
#include "ccu/common/parallel.hpp"
#include "ccu/common/time.hpp"
#include "ccu/store/store.hpp"
#include "ccu/sync/data_file.hpp"
#include "ccu/sync/file_names.hpp"
#include "ccu/sync/lock.hpp"
#include "ccu/sync/remote_store.hpp"
#include "ccu/sync/sync_manager.hpp"
#include "ccu/sync/sync_state.hpp"
#include "sync/generation.hpp"
#include "sync/push_support.hpp"

namespace ccu::sync {
namespace {
constexpr std::size_t kRecordErrorsShown = 5;
// Files parsed ahead of the one being written (each up to 1 MiB of JSON and its records).
constexpr std::size_t kFilesAhead = 2;

class PullRun {
public:
    explicit PullRun(const SyncContext& ctx) : ctx_(ctx), state_(ctx.store, ctx.config.gist_id) {}

    PullResult execute() {
        ctx_.events.say(Mark::None, "Pulling from Gist...");
        const std::string known = state_.pull_version();
        LoadResult loaded = ctx_.remote.load(known.empty() ? std::nullopt : std::optional<std::string>(known));
        if (loaded.unchanged) {
            result_.not_modified = true;
            state_.set_last_pull(now());
            ctx_.events.say(Mark::Check, "Already up to date");
            return result_;
        }
        RemoteSnapshot& remote = *loaded.snapshot;
        const std::vector<std::string> names = remote.file_names();
        const std::set<std::string> listing(names.begin(), names.end());
        const Manifest manifest = index_of(remote, listing);
        auto seen = state_.pulled_files();
        for (auto it = seen.begin(); it != seen.end();) it = listing.count(it->first) ? std::next(it) : seen.erase(it);
        const std::set<std::string> replaced = replace_superseded(remote, manifest, listing, seen);
        std::vector<std::string> files;
        for (const auto& name : data_files(manifest, listing)) {
            if (!replaced.count(name)) files.push_back(name);
        }
        import_files(remote, files, seen);
        state_.set_pulled_files(seen);
        state_.set_last_pull(now());
        // With invalid files the next pull looks again (the file may have been fixed).
        state_.set_pull_version(result_.invalid_files.empty() ? remote.version() : std::string());
        return result_;
    }

    // Invalid remote data is not an exception (the rest was imported) but it is the last error.
    void record_invalid(const PullResult& result) {
        if (result.invalid_files.empty()) return;
        const InvalidFile& first = result.invalid_files.front();
        state_.set_last_error(LastError{"pull", std::string(error_kind_name(ErrorKind::InvalidRemote)),
                                        first.name + ": " + first.reason, now()});
    }

private:
    // The manifest reconciled with the listing; an invalid manifest is reported (exit 6) and
    // the index rebuilt from file names, so the valid data still comes in.
    Manifest index_of(RemoteSnapshot& remote, const std::set<std::string>& listing) {
        try {
            if (auto m = read_manifest(remote)) return m->reconciled_with(listing);
        } catch (const Error& e) {
            if (e.kind() != ErrorKind::InvalidRemote) throw;
            result_.invalid_files.push_back(InvalidFile{std::string(kManifestFileName), e.what()});
            ctx_.events.warn(std::string(kManifestFileName) + " is invalid (" + e.what() + "); finding files by name");
        }
        return Manifest::rebuild_from_files(listing, {}, now());
    }

    static std::uint64_t bytes_of(const RemoteSnapshot& remote, const std::string& name) {
        return static_cast<std::uint64_t>(std::max<std::int64_t>(0, remote.size(name)));
    }

    std::vector<std::string> data_files(const Manifest& manifest, const std::set<std::string>& listing) {
        std::set<std::string> names;
        for (const auto& entry : manifest.machines()) {
            for (const auto& f : files_of(entry, listing)) {
                names.insert(f);
                generations_[f] = entry_generation(entry);
            }
        }
        return {names.begin(), names.end()};
    }

    // Machines (other than this one) whose entry has a newer generation than this store has
    // imported: their records are replaced by those of the new generation's files
    // (docs/format.md §4.1). Returns the files so read.
    std::set<std::string> replace_superseded(RemoteSnapshot& remote, const Manifest& manifest,
                                             const std::set<std::string>& listing,
                                             std::map<std::string, SeenFile>& seen) {
        std::set<std::string> done;
        for (const auto& entry : manifest.machines()) {
            const std::int64_t generation = entry_generation(entry);
            if (entry.machine_name == ctx_.config.machine_name ||
                generation <= pulled_generation(ctx_.store, ctx_.config.gist_id, entry.machine_name)) {
                continue;
            }
            ReplaceOutcome out = replace_machine(remote, entry, listing, ctx_.store);
            result_.files_fetched += out.files_fetched;
            for (auto& invalid : out.invalid_files) {
                ctx_.events.warn("skipped invalid file " + invalid.reason);
                result_.invalid_files.push_back(std::move(invalid));
            }
            if (!out.replaced) continue;
            ctx_.events.say(Mark::Check, entry.machine_name + "'s files were re-written (generation " +
                                             std::to_string(generation) + "): its records were replaced");
            result_.records_new += out.stats.inserted;
            result_.records_updated += out.stats.updated;
            result_.records_duplicate += out.stats.unchanged;
            for (auto& [name, file] : out.seen) {
                seen[name] = file;
                done.insert(name);
            }
            set_pulled_generation(ctx_.store, ctx_.config.gist_id, entry.machine_name, generation);
        }
        return done;
    }

    // One fetched file: parsed (or why not) and made into records, on the reading thread.
    struct Fetched {
        std::string name;
        SeenFile now_seen;
        bool unchanged = false;
        ParsedDataFile parsed;
        ImportBatch batch;
    };

    // Files are fetched and parsed on a second thread (ccu::pipeline) while this one writes the
    // previous file's records; all of them go into one transaction (a BatchWrite), so into a
    // fresh store (a new machine's first pull) the secondary indexes are built once after every
    // record (store/fresh_insert.hpp), and nothing of a pull that fails half-way is kept.
    void import_files(RemoteSnapshot& remote, const std::vector<std::string>& files,
                      std::map<std::string, SeenFile>& seen) {
        Progress shown{"Pulling", 0, files.size(), 0, 0, "file"};
        for (const auto& name : files) shown.bytes_total += bytes_of(remote, name);
        // The reading thread's own copies: this thread changes `seen` (only for files already
        // read: each name comes once) while it reads.
        const std::map<std::string, SeenFile> seen_before = seen;
        std::vector<std::int64_t> generation;
        for (const auto& name : files) generation.push_back(generations_[name]);
        std::optional<store::BatchWrite> write;
        // Shown before each download, which may take a while: before the first, then as each file
        // is written (the progress sink belongs to this thread, not the reading one).
        ctx_.events.progress().update(shown);
        pipeline<Fetched>(
            kFilesAhead,
            [&](const auto& emit) {
                for (std::size_t i = 0; i < files.size(); ++i) emit(fetch(remote, files[i], seen_before, generation[i]));
            },
            [&](Fetched& f) {
                import_fetched(f, seen, write);
                ++shown.files_done;
                shown.bytes_done += static_cast<std::uint64_t>(std::max<std::int64_t>(0, f.now_seen.size));
                if (shown.files_done < shown.files_total) ctx_.events.progress().update(shown);
            });
        if (write) write->commit();
        ctx_.events.progress().finish();
    }

    // On the reading thread: touches only `remote` (which nothing else uses meanwhile) and its own arguments.
    static Fetched fetch(RemoteSnapshot& remote, const std::string& name, const std::map<std::string, SeenFile>& seen,
                         std::int64_t entry_generation) {
        Fetched f;
        f.name = name;
        f.now_seen = SeenFile{remote.content_id(name), remote.size(name)};
        if (const auto it = seen.find(name);
            it != seen.end() && it->second == f.now_seen && !f.now_seen.content_id.empty()) {
            f.unchanged = true;
            return f;
        }
        f.parsed = parse_data_file(remote.content(name), name);
        remote.forget_content(name);
        if (f.parsed.file && f.parsed.file->generation >= entry_generation) {
            f.batch = import_batch(std::move(*f.parsed.file));
        }
        return f;
    }

    void import_fetched(Fetched& f, std::map<std::string, SeenFile>& seen, std::optional<store::BatchWrite>& write) {
        if (f.unchanged) {
            ++result_.files_skipped_unchanged;
            return;
        }
        ++result_.files_fetched;
        // parse_data_file's messages already start with the file name.
        if (!f.parsed.file) {
            result_.invalid_files.push_back(InvalidFile{f.name, f.parsed.fatal_error});
            ctx_.events.warn("skipped invalid file " + f.parsed.fatal_error);
            return;
        }
        for (std::size_t i = 0; i < f.parsed.record_errors.size() && i < kRecordErrorsShown; ++i) {
            ctx_.events.warn("skipped " + f.parsed.record_errors[i]);
        }
        result_.records_invalid += f.parsed.record_errors.size();
        if (!f.batch.records.empty()) {  // none: superseded (docs/format.md §4.1) or empty
            if (!write) write.emplace(ctx_.store.begin_batches());
            const store::UpsertStats stats = write->add(f.batch.records, f.batch.lines);
            result_.records_new += stats.inserted;
            result_.records_updated += stats.updated;
            result_.records_duplicate += stats.unchanged;
        }
        seen[f.name] = f.now_seen;
    }

    std::string now() const { return timeutil::format_rfc3339(ctx_.clock.now()); }

    const SyncContext& ctx_;
    SyncState state_;
    PullResult result_;
    std::map<std::string, std::int64_t> generations_;  // file -> its entry's generation
};

}  // namespace

PullResult SyncManager::pull() {
    require_configured(config_);
    const SyncContext ctx{remote_, store_, clock_, events_, config_, jitter_seed_};
    PullResult result = recording_errors("pull", [&] {
        SyncLock lock(paths_.lock_file());
        PullRun run(ctx);
        return run.execute();
    });
    if (!result.invalid_files.empty()) PullRun(ctx).record_invalid(result);
    return result;
}

}  // namespace ccu::sync
