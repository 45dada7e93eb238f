// commit_joined: the one conflict rule of every write (docs/format.md §8, "Conflicts").
#include <random>
#include <utility>

#include "ccu/sync/conflict_error.hpp"
#include "sync/push_support.hpp"

namespace ccu::sync {
namespace {

void announce(EventSink& events, const std::string& ours_built_on, const std::string& remote_head, int attempt) {
    events.say(Mark::Warning, "Conflict detected: Gist has newer changes");
    events.say(Mark::None, "   Local:  " + (ours_built_on.empty() ? std::string("unknown") : ours_built_on));
    events.say(Mark::None, "   Remote: " + (remote_head.empty() ? std::string("unknown") : remote_head));
    events.say(Mark::Sync,
               "Auto-merging... (attempt " + std::to_string(attempt) + "/" + std::to_string(kMaxMergeAttempts) + ")");
}

// b, 2b, 4b ... plus up to b of jitter so racing writers fall out of step; b =
// sync.conflict_backoff_ms, 1 s by default.
std::chrono::milliseconds backoff(int attempt, std::int64_t base_ms, std::mt19937_64& rng) {
    std::uniform_int_distribution<std::int64_t> jitter(0, base_ms > 0 ? base_ms - 1 : 0);
    return std::chrono::milliseconds((base_ms << (attempt - 1)) + jitter(rng));
}

// The manifests a REST write replaced; one that does not parse has nothing to give to the join.
void collect(const CommitOutcome& outcome, std::vector<Manifest>& overwritten) {
    for (const auto& snapshot : outcome.overwritten) {
        try {
            if (auto m = read_manifest(*snapshot)) overwritten.push_back(std::move(*m));
        } catch (const Error& e) {
            if (e.kind() != ErrorKind::InvalidRemote) throw;
        }
    }
}

// The files and bytes one commit sends (deletions count as files of no bytes).
Progress upload_progress(const ChangeSet& changes) {
    Progress p{"Uploading", 0, changes.size() + changes.staged.size(), 0, 0, "file"};
    for (const auto& [name, content] : changes) p.bytes_total += content ? content->size() : 0;
    for (const auto& [name, staged] : changes.staged) p.bytes_total += static_cast<std::uint64_t>(staged.size);
    return p;
}

std::unique_ptr<RemoteSnapshot> load_full(const SyncContext& ctx) {
    LoadResult reloaded = ctx.remote.load(std::nullopt);
    if (!reloaded.snapshot) throw Error(ErrorKind::Unexpected, "the remote store answered 'unchanged' to a full read");
    return std::move(reloaded.snapshot);
}

}  // namespace

JoinedCommit commit_joined(const SyncContext& ctx, std::unique_ptr<RemoteSnapshot> head, ConflictMode mode,
                           const PlanFn& plan, const std::string& message) {
    JoinedCommit out;
    std::vector<Manifest> overwritten;
    std::mt19937_64 rng(ctx.jitter_seed);
    bool reloaded_once = false;
    for (int attempt = 1;; ++attempt) {
        const ChangeSet changes = plan(*head, overwritten);
        if (changes.empty()) {
            out.version = head->version();
            out.remerges = attempt - 1;
            return out;
        }
        ctx.events.progress().update(upload_progress(changes));
        const CommitOutcome outcome = mode == ConflictMode::Force ? ctx.remote.commit_unchecked(*head, changes, message)
                                                                  : ctx.remote.commit(*head, changes, message);
        ctx.events.progress().finish();
        if (outcome.kind == CommitOutcome::Kind::Reload) {
            // The store switched transports (nothing written): plan again on its head, not a conflict.
            if (std::exchange(reloaded_once, true)) {
                throw Error(ErrorKind::Unexpected, "the remote store asked twice to reload");
            }
            --attempt;
            head = load_full(ctx);
            continue;
        }
        out.wrote = true;
        if (outcome.kind == CommitOutcome::Kind::Committed) {
            // No "Done" here: the command's summary says it, once (src/cli/gist_push.cpp).
            out.version = outcome.version;
            out.remerges = attempt - 1;
            return out;
        }
        if (attempt > kMaxMergeAttempts) throw ConflictError();
        announce(ctx.events, head->committed_at(), outcome.committed_at, attempt);
        ctx.clock.sleep_for(backoff(attempt, ctx.config.conflict_backoff_ms, rng));
        collect(outcome, overwritten);
        head = load_full(ctx);
    }
}

}  // namespace ccu::sync
