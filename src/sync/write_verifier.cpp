#include "sync/write_verifier.hpp"

#include <algorithm>

#include "ccu/common/time.hpp"
#include "ccu/sync/conflict_error.hpp"
#include "ccu/sync/file_names.hpp"
#include "ccu/sync/remote_gist.hpp"

namespace ccu::sync {
namespace {

constexpr std::size_t kCommitsToRead = 30;
constexpr std::size_t kMaxRevisionsToMerge = 10;

// Entries without last_updated: two manifests that index the same files the same way.
bool same_entries(const Manifest& a, const Manifest& b) { return a.machines() == b.machines(); }

}  // namespace

WriteVerifier::WriteVerifier(gist::GistApi& api, Clock& clock, EventSink& events, std::string gist_id,
                             MachineEntry our_entry, std::uint64_t jitter_seed)
    : api_(api),
      clock_(clock),
      events_(events),
      gist_id_(std::move(gist_id)),
      our_entry_(std::move(our_entry)),
      rng_(jitter_seed) {}

int WriteVerifier::verify(WrittenState written) {
    for (int attempt = 1;; ++attempt) {
        const Check found = check(written);
        if (found.ok) return attempt - 1;
        if (attempt > kMaxMergeAttempts) throw ConflictError();
        announce(written, found, attempt);
        clock_.sleep_for(backoff(attempt));
        written = remerge(written, found);
        events_.say(Mark::Check, "Done");
    }
}

WriteVerifier::Check WriteVerifier::check(const WrittenState& written) {
    Check found;
    const auto commits = api_.list_commits(gist_id_, kCommitsToRead);
    const auto base_it = std::find_if(commits.begin(), commits.end(),
                                      [&](const gist::GistCommit& c) { return c.version == written.base_version; });
    const auto ours_it = std::find_if(commits.begin(), commits.end(),
                                      [&](const gist::GistCommit& c) { return c.version == written.our_version; });
    const bool ours_known = !written.our_version.empty() && ours_it != commits.end();
    // Commits after our base other than ours: [begin, base). Those older than ours were
    // overwritten by our manifest; newer ones may have been based on a head without our entry.
    std::vector<gist::GistCommit> intervening;
    bool newer_than_ours = false;
    for (auto it = commits.begin(); it != base_it; ++it) {
        if (ours_known && it == ours_it) continue;
        if (ours_known && it < ours_it) {
            newer_than_ours = true;
        } else {
            intervening.push_back(*it);
        }
    }
    if (ours_known && intervening.empty() && !newer_than_ours && base_it != commits.end()) {
        found.ok = true;  // the head is exactly our write, based on what we read
        return found;
    }
    if (!commits.empty()) found.head_version = commits.front().version;
    for (std::size_t i = 0; i < intervening.size() && i < kMaxRevisionsToMerge; ++i) {
        RemoteGist revision(api_, api_.get_revision(gist_id_, intervening[i].version));
        if (auto m = revision.manifest()) {
            if (found.remote_timestamp.empty()) found.remote_timestamp = m->get_last_updated();
            if (!same_entries(written.manifest.merge_with(*m), written.manifest)) found.lost.push_back(*m);
        }
    }
    RemoteGist head(api_, *api_.get_gist(gist_id_, "").gist);
    found.head = head.manifest();
    found.head_files = head.file_names();
    if (!head.head_version().empty()) found.head_version = head.head_version();
    const MachineEntry* mine = found.head ? found.head->find(our_entry_.machine_name) : nullptr;
    if (found.head && found.remote_timestamp.empty()) found.remote_timestamp = found.head->get_last_updated();
    found.ok = found.lost.empty() && mine != nullptr && *mine == our_entry_;
    return found;
}

void WriteVerifier::announce(const WrittenState& written, const Check& found, int attempt) {
    events_.say(Mark::Warning, "Conflict detected: Gist has newer changes");
    events_.say(Mark::None, "   Local:  " + written.manifest.get_last_updated());
    events_.say(Mark::None, "   Remote: " + found.remote_timestamp);
    events_.say(Mark::Sync, "Auto-merging... (attempt " + std::to_string(attempt) + "/" +
                                std::to_string(kMaxMergeAttempts) + ")");
}

WrittenState WriteVerifier::remerge(const WrittenState& written, const Check& found) {
    Manifest merged = found.head ? found.head->merge_with(written.manifest) : written.manifest;
    for (const auto& lost : found.lost) merged = merged.merge_with(lost);
    merged.upsert(our_entry_);  // our entry as we wrote it, whatever a skewed clock says
    merged = merged.reconciled_with(found.head_files);
    merged.set_last_updated(timeutil::format_rfc3339(clock_.now()));
    const gist::Gist patched =
        api_.patch_gist(gist_id_, {{std::string(kManifestFileName), gist::FileChange::write(merged.serialize())}});
    WrittenState next{found.head_version, patched.history.empty() ? std::string() : patched.history.front().version,
                      merged};
    return next;
}

std::chrono::milliseconds WriteVerifier::backoff(int attempt) {
    // 1 s, 2 s, 4 s ... plus up to 1 s of jitter so racing writers fall out of step.
    const auto base = std::chrono::milliseconds(1000LL << (attempt - 1));
    std::uniform_int_distribution<int> jitter(0, 999);
    return base + std::chrono::milliseconds(jitter(rng_));
}

}  // namespace ccu::sync
