#pragma once
// The REST transport of the RemoteStore seam: GET /gists/{id} is a snapshot (version = head
// commit sha), a commit is one PATCH with only the changed files, then a read-back of the commit
// list decides Committed or Conflict (the Gist API has no compare-and-swap). docs/format.md §8.
#include <optional>
#include <string>
#include <utility>

#include "ccu/common/clock.hpp"
#include "ccu/sync/remote_store.hpp"

namespace ccu::gist {
class GistApi;
}

namespace ccu::sync {

// Where the REST store keeps the ETag of its last full read, across processes (the sync state in
// the store's meta table): with it "has anybody written since version V?" is a conditional GET.
class EtagMemory {
public:
    virtual ~EtagMemory() = default;
    // (version, ETag) of the last full read, if any.
    virtual std::optional<std::pair<std::string, std::string>> recall() const = 0;
    virtual void remember(const std::string& version, const std::string& etag) = 0;
};

class RestRemoteStore final : public RemoteStore {
public:
    // `etags` may be null (nothing persisted: each process starts without an ETag).
    RestRemoteStore(gist::GistApi& api, Clock& clock, std::string gist_id, EtagMemory* etags);

    Transport transport() const override { return Transport::Rest; }
    // With `known_version`: a conditional GET when the ETag of that version is known, else one
    // small request (the newest commit); nobody wrote → `unchanged`. Otherwise a full GET.
    LoadResult load(const std::optional<std::string>& known_version) override;
    // One PATCH (`message` is not stored: the Gist API has none), then the commit list: Committed
    // when the head is our commit right on `base`; else Conflict with the versions we overwrote.
    CommitOutcome commit(const RemoteSnapshot& base, const ChangeSet& changes, const std::string& message) override;
    // The PATCH alone (push --force): no read-back.
    CommitOutcome commit_unchecked(const RemoteSnapshot& base, const ChangeSet& changes,
                                   const std::string& message) override;

private:
    std::unique_ptr<RemoteSnapshot> full_read();
    CommitOutcome verify(const std::string& base_version, const std::string& ours);

    gist::GistApi& api_;
    Clock& clock_;
    std::string gist_id_;
    EtagMemory* etags_;
};

}  // namespace ccu::sync
