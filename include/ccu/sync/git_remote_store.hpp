#pragma once
// RemoteStore over the gist's own git repository (docs/architecture.md, "Git transport"): a bare
// mirror in the data dir, commits built in memory, pushes without force (a real compare-and-swap).
#include <filesystem>
#include <string>

#include "ccu/git/mirror.hpp"
#include "ccu/sync/remote_store.hpp"

namespace ccu::sync {

// Where the mirror of a gist lives: <data dir>/mirror/<gist id>.git.
std::filesystem::path git_mirror_dir(const std::filesystem::path& data_dir, const std::string& gist_id);

class GitRemoteStore final : public RemoteStore {
public:
    explicit GitRemoteStore(git::MirrorOptions options);

    Transport transport() const override { return Transport::Git; }
    LoadResult load(const std::optional<std::string>& known_version) override;
    LoadResult load_held(const std::optional<std::string>& known_version) override;
    // Written into the mirror as a blob now (packed with others every few tens of MB).
    std::optional<StagedFile> stage(const std::string& content) override;
    // `base` must be a snapshot this store loaded.
    CommitOutcome commit(const RemoteSnapshot& base, const ChangeSet& changes, const std::string& message) override;

    const git::Mirror& mirror() const { return mirror_; }

private:
    git::Mirror mirror_;
};

}  // namespace ccu::sync
