#include "ccu/sync/fallback_remote_store.hpp"

#include "ccu/gist/errors.hpp"

namespace ccu::sync {

FallbackRemoteStore::FallbackRemoteStore(Factory make_git, Factory make_rest, Warn warn)
    : make_git_(std::move(make_git)), make_rest_(std::move(make_rest)), warn_(std::move(warn)) {}

RemoteStore& FallbackRemoteStore::active() {
    if (rest_) return *rest_;
    if (!git_) git_ = make_git_();
    return *git_;
}

LoadResult FallbackRemoteStore::load(const std::optional<std::string>& known_version) {
    if (rest_) return rest_->load(known_version);
    try {
        return active().load(known_version);
    } catch (const gist::ApiError& refused) {
        if (refused.api_kind() != gist::ApiErrorKind::Auth) throw;
        // A snapshot of one store is never committed through the other: switch before any load.
        auto rest = make_rest_();
        LoadResult result = rest->load(known_version);  // throws REST's own error if the API refuses too
        rest_ = std::move(rest);
        git_.reset();
        warn_(std::string(refused.what()) +
              "; the API accepts the token, so this sync uses the REST API (slower; set sync.transport to "
              "\"rest\" to skip git, or give the token git access)");
        return result;
    }
}

CommitOutcome FallbackRemoteStore::commit(const RemoteSnapshot& base, const ChangeSet& changes,
                                          const std::string& message) {
    return active().commit(base, changes, message);
}

CommitOutcome FallbackRemoteStore::commit_unchecked(const RemoteSnapshot& base, const ChangeSet& changes,
                                                    const std::string& message) {
    return active().commit_unchecked(base, changes, message);
}

}  // namespace ccu::sync
