#pragma once
// sync.transport = auto: git first; when the gist's git endpoint refuses the token and the API
// accepts it (the REST load that follows succeeds), or libgit2 cannot be loaded (not installed),
// one warning that says why and REST for the rest of this process. Any other git failure is the command's failure, as with transport = git.
// GitHub serves a gist's git fetch without credentials, so the refusal may come only at the push:
// the commit then answers Reload, and the caller's next load (over REST) gives the warning.
#include <functional>
#include <memory>
#include <string>

#include "ccu/sync/remote_store.hpp"

namespace ccu::sync {

class FallbackRemoteStore final : public RemoteStore {
public:
    using Factory = std::function<std::unique_ptr<RemoteStore>()>;
    using Warn = std::function<void(const std::string&)>;
    // The stores are made on first use: building the git one may need the gist's git URL.
    FallbackRemoteStore(Factory make_git, Factory make_rest, Warn warn);

    Transport transport() const override { return rest_ ? Transport::Rest : Transport::Git; }
    LoadResult load(const std::optional<std::string>& known_version) override;
    LoadResult load_held(const std::optional<std::string>& known_version) override;
    std::optional<StagedFile> stage(const std::string& content) override { return active().stage(content); }
    CommitOutcome commit(const RemoteSnapshot& base, const ChangeSet& changes, const std::string& message) override;
    CommitOutcome commit_unchecked(const RemoteSnapshot& base, const ChangeSet& changes,
                                   const std::string& message) override;

private:
    RemoteStore& active();
    // Runs a load on git; a token refusal, or a library git needs that cannot be loaded
    // (libgit2 not installed), switches to REST and loads there.
    template <class F>
    LoadResult loading(F&& load);
    // Runs a git commit; a token refusal switches to REST and answers Reload.
    template <class F>
    CommitOutcome committing(F&& commit);

    Factory make_git_, make_rest_;
    Warn warn_;
    std::unique_ptr<RemoteStore> git_, rest_;
    std::string pending_warning_;  // said once the first REST load succeeds
};

}  // namespace ccu::sync
