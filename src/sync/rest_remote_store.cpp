#include "ccu/sync/rest_remote_store.hpp"

#include <algorithm>

#include "ccu/common/error.hpp"
#include "ccu/gist/gist_api.hpp"
#include "sync/rest_snapshot.hpp"

namespace ccu::sync {
namespace {

constexpr std::size_t kCommitsToRead = 30;
constexpr std::size_t kMaxOverwrittenRead = 10;
// A read right after a write may not show it yet (GitHub's replicas): look again a few times.
constexpr int kLagLooks = 3;
constexpr std::chrono::milliseconds kLagWait{500};

bool is_hex_sha(const std::string& s) {
    return s.size() == 40 && std::all_of(s.begin(), s.end(), [](char c) {
               return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
           });
}

std::string head_of(const gist::Gist& g) { return g.history.empty() ? std::string() : g.history.front().version; }

gist::GistPatch to_patch(const ChangeSet& changes) {
    // This store stages nothing (RemoteStore::stage), so a staged file here is a caller's bug.
    if (!changes.staged.empty()) throw Error(ErrorKind::Unexpected, "the REST store was given staged files");
    gist::GistPatch patch;
    for (const auto& [name, content] : changes) {
        patch[name] = content ? gist::FileChange::write(*content) : gist::FileChange::remove();
    }
    return patch;
}

}  // namespace

RestSnapshot::RestSnapshot(gist::GistApi& api, gist::Gist gist, std::string version, std::string committed_at)
    : api_(api), gist_(std::move(gist)), version_(std::move(version)), committed_at_(std::move(committed_at)) {}

std::vector<std::string> RestSnapshot::file_names() const {
    std::vector<std::string> names;
    for (const auto& [name, f] : gist_.files) names.push_back(name);
    return names;  // std::map: sorted
}

const gist::GistFile& RestSnapshot::file(const std::string& name) const {
    const auto it = gist_.files.find(name);
    if (it == gist_.files.end()) throw Error(ErrorKind::InvalidRemote, "gist file '" + name + "' is missing");
    return it->second;
}

std::int64_t RestSnapshot::size(const std::string& name) const { return file(name).size; }

std::string RestSnapshot::content_id(const std::string& name) const {
    const std::string& url = file(name).raw_url;
    const auto slash = url.rfind('/');
    if (slash != std::string::npos && slash >= 41) {
        const std::string sha = url.substr(slash - 40, 40);
        if (url[slash - 41] == '/' && is_hex_sha(sha)) return sha;
    }
    return url;
}

const std::string& RestSnapshot::content(const std::string& name) {
    if (const auto cached = fetched_.find(name); cached != fetched_.end()) return cached->second;
    const gist::GistFile& f = file(name);
    if (!f.truncated && !f.content.empty()) return fetched_.emplace(name, f.content).first->second;
    if (f.raw_url.empty()) {
        throw Error(ErrorKind::InvalidRemote, "gist file '" + name + "' is truncated and has no raw_url");
    }
    return fetched_.emplace(name, api_.get_raw(f.raw_url)).first->second;
}

RestRemoteStore::RestRemoteStore(gist::GistApi& api, Clock& clock, std::string gist_id, EtagMemory* etags)
    : api_(api), clock_(clock), gist_id_(std::move(gist_id)), etags_(etags) {}

std::unique_ptr<RemoteSnapshot> RestRemoteStore::full_read() {
    gist::Gist g = api_.get_gist(gist_id_);
    std::string version = head_of(g);
    std::string at = g.history.empty() ? std::string() : g.history.front().committed_at;
    if (version.empty()) {
        const auto commits = api_.list_commits(gist_id_, 1);
        if (!commits.empty()) version = commits.front().version, at = commits.front().committed_at;
    }
    if (etags_ != nullptr && !version.empty() && !g.etag.empty()) etags_->remember(version, g.etag);
    return std::make_unique<RestSnapshot>(api_, std::move(g), std::move(version), std::move(at));
}

LoadResult RestRemoteStore::load(const std::optional<std::string>& known_version) {
    LoadResult out;
    if (known_version && !known_version->empty()) {
        const auto tag = etags_ != nullptr ? etags_->recall() : std::nullopt;
        if (tag && tag->first == *known_version) {
            std::optional<gist::Gist> g = api_.get_gist_if_none_match(gist_id_, tag->second);
            if (!g) {
                out.unchanged = true;
                return out;
            }
            std::string version = head_of(*g);
            std::string at = g->history.empty() ? std::string() : g->history.front().committed_at;
            if (!version.empty()) {
                if (!g->etag.empty()) etags_->remember(version, g->etag);
                out.snapshot = std::make_unique<RestSnapshot>(api_, std::move(*g), std::move(version), std::move(at));
                return out;
            }
        } else {
            const auto newest = api_.list_commits(gist_id_, 1);
            if (!newest.empty() && newest.front().version == *known_version) {
                out.unchanged = true;
                return out;
            }
        }
    }
    out.snapshot = full_read();
    return out;
}

CommitOutcome RestRemoteStore::commit_unchecked(const RemoteSnapshot& base, const ChangeSet& changes,
                                                const std::string& /*message*/) {
    CommitOutcome out;
    out.version = base.version();
    if (changes.empty()) return out;
    const gist::Gist patched = api_.patch_gist(gist_id_, to_patch(changes));
    out.version = head_of(patched);
    if (!patched.history.empty()) out.committed_at = patched.history.front().committed_at;
    return out;
}

CommitOutcome RestRemoteStore::commit(const RemoteSnapshot& base, const ChangeSet& changes,
                                      const std::string& message) {
    const CommitOutcome written = commit_unchecked(base, changes, message);
    if (changes.empty()) return written;
    return verify(base.version(), written.version);
}

// The commit list, newest first: ours right on top of the base → Committed. Anything else means
// another writer came between (their manifest.json may be lost under ours) or after (ours may be
// lost under theirs): Conflict, with the versions between the base and ours for the re-merge.
CommitOutcome RestRemoteStore::verify(const std::string& base_version, const std::string& ours) {
    std::vector<gist::GistCommit> commits;
    const auto find = [&](const std::string& v) {
        return std::find_if(commits.begin(), commits.end(), [&](const gist::GistCommit& c) { return c.version == v; });
    };
    for (int look = 0;; ++look) {
        commits = api_.list_commits(gist_id_, kCommitsToRead);
        if (ours.empty() || find(ours) != commits.end() || look == kLagLooks) break;
        clock_.sleep_for(kLagWait * (look + 1));
    }
    const auto ours_it = ours.empty() ? commits.end() : find(ours);
    const auto base_it = find(base_version);
    if (ours_it == commits.begin() && ours_it != commits.end() && base_it == ours_it + 1) {
        return CommitOutcome{CommitOutcome::Kind::Committed, ours, ours_it->committed_at, {}};
    }
    CommitOutcome out;
    out.kind = CommitOutcome::Kind::Conflict;
    if (!commits.empty()) out.version = commits.front().version, out.committed_at = commits.front().committed_at;
    // Between the base and ours (or, ours unseen, every commit after the base): what we may have replaced.
    const auto from = ours_it != commits.end() ? ours_it + 1 : commits.begin();
    for (auto it = from; it < base_it && out.overwritten.size() < kMaxOverwrittenRead; ++it) {
        if (it->version == ours) continue;
        gist::Gist g = api_.get_revision(gist_id_, it->version);
        out.overwritten.push_back(std::make_shared<RestSnapshot>(api_, std::move(g), it->version, it->committed_at));
    }
    return out;
}

}  // namespace ccu::sync
