#pragma once
// The seam between the sync algorithms (push, pull, backup, repair, status) and where the gist's
// files live. Two implementations: the gist's own git repository (a real compare-and-swap: the
// branch moves only if it still points at the base) and the REST API (PATCH, then verify that no
// other write landed between the base and ours). The algorithms are written once against this.
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace ccu::sync {

enum class Transport { Git, Rest };

// One consistent view of the gist at one version (a commit).
class RemoteSnapshot {
public:
    virtual ~RemoteSnapshot() = default;
    // The commit this view is of; "" for a gist that has no commit the store can name.
    virtual const std::string& version() const = 0;
    // When that commit was made (RFC 3339 UTC), "" when unknown.
    virtual const std::string& committed_at() const = 0;
    // Every file name at this version, sorted.
    virtual std::vector<std::string> file_names() const = 0;
    virtual bool has(const std::string& name) const = 0;
    // Size in bytes as listed (no download).
    virtual std::int64_t size(const std::string& name) const = 0;
    // An identifier of the content (git blob sha over both transports when the server gives
    // one): equal ids mean equal bytes, so a caller that holds those bytes needs no download.
    virtual std::string content_id(const std::string& name) const = 0;
    // Full content, fetched on first use and then kept. Throws ccu::Error(InvalidRemote) when the
    // file is absent, ccu::Error(Network) when the fetch fails.
    virtual const std::string& content(const std::string& name) = 0;
    // Drops the kept copy of a file's content (a later content() fetches it again): a pull reads
    // each file once, and 1M records are ~300 MB of files.
    virtual void forget_content(const std::string& name) = 0;
};

// A file's content handed to the store ahead of the commit that names it (RemoteStore::stage).
struct StagedFile {
    std::string content_id;  // as RemoteSnapshot::content_id will name it
    std::int64_t size = 0;
};

// File name -> new content; std::nullopt deletes the file. Content is never empty. `staged` names
// the files whose content the store already holds (RemoteStore::stage): a first push of a large
// store writes hundreds of MB of parts, which are then not all held in memory until the commit.
struct ChangeSet : std::map<std::string, std::optional<std::string>> {
    std::map<std::string, StagedFile> staged;
};

struct CommitOutcome {
    // Reload: nothing was written and the store cannot commit on this base any more (sync.transport
    // = auto switched from git to REST): load again and plan again. Not a conflict: no banner, no
    // backoff, no re-merge counted.
    enum class Kind { Committed, Conflict, Reload };
    Kind kind = Kind::Committed;
    // Committed: the new version. Conflict: the head that another writer made (when known).
    std::string version;
    std::string committed_at;  // of `version`, RFC 3339, "" when unknown
    // Added by the sync helper (REST only; git leaves it empty): REST has no compare-and-swap, so
    // by the time it sees a conflict its PATCH has landed and may have replaced the files of
    // versions between `base` and ours. Those versions, so the retry's join can include them.
    std::vector<std::shared_ptr<RemoteSnapshot>> overwritten;
};

struct LoadResult {
    // Set when the head is still `known_version`: nothing to download.
    bool unchanged = false;
    // load_held only: the head is a version the store does not hold locally, so nothing was read.
    std::string not_held;
    std::unique_ptr<RemoteSnapshot> snapshot;  // null exactly when `unchanged` or `not_held` is set
};

class RemoteStore {
public:
    virtual ~RemoteStore() = default;
    virtual Transport transport() const = 0;
    // Reads the head. With `known_version` the store answers `unchanged` as cheaply as it can
    // (REST: a conditional GET; git: the advertised ref) when nobody wrote since.
    virtual LoadResult load(const std::optional<std::string>& known_version) = 0;
    // Like load, but a head the store would have to download is not read: `not_held` names it.
    // The git store answers from the ref advertisement and its mirror; the default (REST, which
    // holds no copy) reads the head as load does.
    virtual LoadResult load_held(const std::optional<std::string>& known_version) { return load(known_version); }
    // Keeps `content` for the next commit, which names it in ChangeSet::staged; nullopt when the
    // store cannot (REST: the content travels in the PATCH), and then the caller keeps it. What a
    // commit does not name is dropped by the store in its own time.
    virtual std::optional<StagedFile> stage(const std::string& content) {
        (void)content;
        return std::nullopt;
    }
    // Commits `changes` on top of `base`. Conflict (nothing of ours kept as the head) when another
    // writer moved the head after `base`; the caller reloads, re-merges and tries again.
    virtual CommitOutcome commit(const RemoteSnapshot& base, const ChangeSet& changes,
                                 const std::string& message) = 0;
    // `push --force` (added by the sync helper): REST skips the read-back after its PATCH (last
    // writer wins for manifest.json). The default is `commit`: git keeps its compare-and-swap, as a
    // forced git push would drop the files other machines committed since `base`.
    virtual CommitOutcome commit_unchecked(const RemoteSnapshot& base, const ChangeSet& changes,
                                           const std::string& message) {
        return commit(base, changes, message);
    }
};

}  // namespace ccu::sync
