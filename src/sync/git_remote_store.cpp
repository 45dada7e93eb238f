#include "ccu/sync/git_remote_store.hpp"

#include <map>

#include "ccu/common/error.hpp"

namespace ccu::sync {
namespace {

class GitSnapshot final : public RemoteSnapshot {
public:
    GitSnapshot(git::Head head, git::Mirror& mirror) : head_(std::move(head)), mirror_(&mirror) {}

    const std::string& version() const override { return head_.commit; }
    const std::string& committed_at() const override { return head_.committed_at; }
    std::vector<std::string> file_names() const override {
        std::vector<std::string> names;
        names.reserve(head_.files.size());
        for (const auto& f : head_.files) names.push_back(f.name);
        return names;  // Head::files is sorted by name
    }
    bool has(const std::string& name) const override { return head_.find(name) != nullptr; }
    std::int64_t size(const std::string& name) const override { return entry(name).size; }
    std::string content_id(const std::string& name) const override { return entry(name).blob_id; }
    const std::string& content(const std::string& name) override {
        const auto it = cache_.find(name);
        if (it != cache_.end()) return it->second;
        return cache_.emplace(name, mirror_->read_blob(entry(name).blob_id)).first->second;
    }
    void forget_content(const std::string& name) override { cache_.erase(name); }
    const git::Head& head() const { return head_; }

private:
    const git::FileEntry& entry(const std::string& name) const {
        const git::FileEntry* e = head_.find(name);
        if (e == nullptr) throw Error(ErrorKind::InvalidRemote, "the gist has no file " + name);
        return *e;
    }

    git::Head head_;
    git::Mirror* mirror_;
    std::map<std::string, std::string> cache_;
};

}  // namespace

std::filesystem::path git_mirror_dir(const std::filesystem::path& data_dir, const std::string& gist_id) {
    return data_dir / "mirror" / (gist_id + ".git");
}

GitRemoteStore::GitRemoteStore(git::MirrorOptions options) : mirror_(std::move(options)) {}

LoadResult GitRemoteStore::load(const std::optional<std::string>& known_version) {
    git::FetchResult fetched = mirror_.fetch(known_version);
    if (fetched.unchanged) return {true, {}, nullptr};
    return {false, {}, std::make_unique<GitSnapshot>(std::move(fetched.head), mirror_)};
}

LoadResult GitRemoteStore::load_held(const std::optional<std::string>& known_version) {
    git::FetchResult fetched = mirror_.fetch(known_version, git::FetchDepth::HeldOnly);
    if (fetched.unchanged) return {true, {}, nullptr};
    if (fetched.not_held) return {false, fetched.head.commit, nullptr};
    return {false, {}, std::make_unique<GitSnapshot>(std::move(fetched.head), mirror_)};
}

std::optional<StagedFile> GitRemoteStore::stage(const std::string& content) {
    return StagedFile{mirror_.stage(content), static_cast<std::int64_t>(content.size())};
}

CommitOutcome GitRemoteStore::commit(const RemoteSnapshot& base, const ChangeSet& changes,
                                     const std::string& message) {
    const auto* snapshot = dynamic_cast<const GitSnapshot*>(&base);
    if (snapshot == nullptr) throw Error(ErrorKind::Unexpected, "GitRemoteStore::commit: a snapshot of another store");
    git::StagedBlobs staged;
    for (const auto& [name, file] : changes.staged) staged[name] = file.content_id;
    const git::PushOutcome pushed = mirror_.commit(snapshot->head(), changes, staged, message);
    CommitOutcome out;
    out.kind = pushed.kind == git::PushOutcome::Kind::Committed ? CommitOutcome::Kind::Committed
                                                                 : CommitOutcome::Kind::Conflict;
    out.version = pushed.commit;
    out.committed_at = pushed.committed_at;
    return out;
}

}  // namespace ccu::sync
