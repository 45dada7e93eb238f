#include "ccu/sync/fallback_remote_store.hpp"

#include <utility>

#include "ccu/common/shared_library.hpp"
#include "ccu/gist/errors.hpp"

namespace ccu::sync {
namespace {

std::string fallback_warning(const gist::ApiError& refused) {
    return std::string(refused.what()) +
           "; the API accepts the token, so this sync uses the REST API (slower; set sync.transport to "
           "\"rest\" to skip git, or give the token git access)";
}

std::string fallback_warning(const LibraryUnavailable& missing) {
    return std::string(missing.what()) +
           "; this sync uses the REST API (slower; " + missing.hint() +
           " to sync over git, or set sync.transport to \"rest\" to skip git)";
}

}  // namespace

FallbackRemoteStore::FallbackRemoteStore(Factory make_git, Factory make_rest, Warn warn)
    : make_git_(std::move(make_git)), make_rest_(std::move(make_rest)), warn_(std::move(warn)) {}

RemoteStore& FallbackRemoteStore::active() {
    if (rest_) return *rest_;
    if (!git_) git_ = make_git_();
    return *git_;
}

template <class F>
LoadResult FallbackRemoteStore::loading(F&& load) {
    if (rest_) {
        LoadResult result = load(*rest_);  // throws REST's own error if the API refuses too
        if (!pending_warning_.empty()) warn_(std::exchange(pending_warning_, {}));
        return result;
    }
    // A snapshot of one store is never committed through the other: switch before any load.
    const auto on_rest = [&](const std::string& warning) {
        auto rest = make_rest_();
        LoadResult result = load(*rest);  // throws REST's own error if the API refuses too
        rest_ = std::move(rest);
        git_.reset();
        warn_(warning);
        return result;
    };
    try {
        return load(active());
    } catch (const gist::ApiError& refused) {
        if (refused.api_kind() != gist::ApiErrorKind::Auth) throw;
        return on_rest(fallback_warning(refused));
    } catch (const LibraryUnavailable& missing) {
        // libgit2 not installed: REST needs only libcurl (which, missing too, fails REST's load).
        return on_rest(fallback_warning(missing));
    }
}

LoadResult FallbackRemoteStore::load(const std::optional<std::string>& known_version) {
    return loading([&](RemoteStore& store) { return store.load(known_version); });
}

LoadResult FallbackRemoteStore::load_held(const std::optional<std::string>& known_version) {
    return loading([&](RemoteStore& store) { return store.load_held(known_version); });
}

template <class F>
CommitOutcome FallbackRemoteStore::committing(F&& commit) {
    if (rest_) return commit(*rest_);
    try {
        return commit(active());
    } catch (const gist::ApiError& refused) {
        if (refused.api_kind() != gist::ApiErrorKind::Auth) throw;
        // The fetch went through anonymously; the push was refused, so nothing was written.
        rest_ = make_rest_();
        git_.reset();
        pending_warning_ = fallback_warning(refused);
        CommitOutcome reload;
        reload.kind = CommitOutcome::Kind::Reload;
        return reload;
    }
}

CommitOutcome FallbackRemoteStore::commit(const RemoteSnapshot& base, const ChangeSet& changes,
                                          const std::string& message) {
    return committing([&](RemoteStore& store) { return store.commit(base, changes, message); });
}

CommitOutcome FallbackRemoteStore::commit_unchecked(const RemoteSnapshot& base, const ChangeSet& changes,
                                                    const std::string& message) {
    return committing([&](RemoteStore& store) { return store.commit_unchecked(base, changes, message); });
}

}  // namespace ccu::sync
