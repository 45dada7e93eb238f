// SyncManager::pull — docs/format.md §9: conditional GET, fetch only files whose raw_url/size changed
// since the last pull, validate each, import every machine's records with dedup.
#include "ccu/common/error.hpp"
#include "ccu/common/time.hpp"
#include "ccu/gist/gist_api.hpp"
#include "ccu/store/store.hpp"
#include "ccu/sync/data_file.hpp"
#include "ccu/sync/file_names.hpp"
#include "ccu/sync/lock.hpp"
#include "ccu/sync/remote_gist.hpp"
#include "ccu/sync/sync_manager.hpp"
#include "ccu/sync/sync_state.hpp"
#include "sync/push_support.hpp"

namespace ccu::sync {
namespace {
constexpr std::size_t kRecordErrorsShown = 5;
}

class PullRun {
public:
    explicit PullRun(SyncManager& m) : m_(m), state_(m.store_, m.config_.gist_id) {}

    PullResult execute() {
        m_.events_.say(Mark::None, "Pulling from Gist...");
        gist::ConditionalGist got = m_.api_.get_gist(m_.config_.gist_id, state_.pull_etag());
        if (got.not_modified || !got.gist) {
            result_.not_modified = true;
            state_.set_last_pull(now());
            m_.events_.say(Mark::Check, "Already up to date");
            return result_;
        }
        RemoteGist remote(m_.api_, std::move(*got.gist));
        const std::set<std::string> listing = remote.file_names();
        const Manifest manifest = index_of(remote, listing);
        auto seen = state_.pulled_files();
        for (auto it = seen.begin(); it != seen.end();) it = listing.count(it->first) ? std::next(it) : seen.erase(it);
        for (const auto& name : data_files(manifest, listing)) import_file(remote, name, seen);
        state_.set_pulled_files(seen);
        state_.set_last_pull(now());
        // With invalid files the next pull looks again (the file may have been fixed).
        state_.set_pull_etag(result_.invalid_files.empty() ? remote.gist().etag : std::string());
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
    Manifest index_of(RemoteGist& remote, const std::set<std::string>& listing) {
        try {
            if (auto m = remote.manifest()) return m->reconciled_with(listing);
        } catch (const Error& e) {
            if (e.kind() != ErrorKind::InvalidRemote) throw;
            result_.invalid_files.push_back(InvalidFile{std::string(kManifestFileName), e.what()});
            m_.events_.warn(std::string(kManifestFileName) + " is invalid (" + e.what() + "); finding files by name");
        }
        return Manifest::rebuild_from_files(listing, {}, now());
    }

    static std::vector<std::string> data_files(const Manifest& manifest, const std::set<std::string>& listing) {
        std::set<std::string> names;
        for (const auto& entry : manifest.machines()) {
            if (!entry.current_file.empty() && listing.count(entry.current_file)) names.insert(entry.current_file);
            for (const auto& f : entry.data_files) {
                if (listing.count(f)) names.insert(f);
            }
        }
        return {names.begin(), names.end()};
    }

    void import_file(RemoteGist& remote, const std::string& name, std::map<std::string, SeenFile>& seen) {
        const gist::GistFile* file = remote.file(name);
        const SeenFile now_seen{file->raw_url, file->size};
        if (const auto it = seen.find(name); it != seen.end() && it->second == now_seen && !now_seen.raw_url.empty()) {
            ++result_.files_skipped_unchanged;
            return;
        }
        ++result_.files_fetched;
        ParsedDataFile parsed = parse_data_file(remote.content(name), name);
        if (!parsed.file) {
            result_.invalid_files.push_back(InvalidFile{name, parsed.fatal_error});
            m_.events_.warn("skipped invalid file " + name + ": " + parsed.fatal_error);
            return;
        }
        for (std::size_t i = 0; i < parsed.record_errors.size() && i < kRecordErrorsShown; ++i) {
            m_.events_.warn(name + ": skipped " + parsed.record_errors[i]);
        }
        result_.records_invalid += parsed.record_errors.size();
        const store::UpsertStats stats = m_.store_.upsert(parsed.file->records);
        result_.records_new += stats.inserted;
        result_.records_updated += stats.updated;
        result_.records_duplicate += stats.unchanged;
        seen[name] = now_seen;
    }

    std::string now() const { return timeutil::format_rfc3339(m_.clock_.now()); }

    SyncManager& m_;
    SyncState state_;
    PullResult result_;
};

PullResult SyncManager::pull() {
    require_configured(config_);
    PullResult result = recording_errors("pull", [&] {
        SyncLock lock(paths_.lock_file());
        PullRun run(*this);
        return run.execute();
    });
    if (!result.invalid_files.empty()) PullRun(*this).record_invalid(result);
    return result;
}

}  // namespace ccu::sync
