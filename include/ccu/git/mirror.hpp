#pragma once
// A bare local mirror of one gist's git repository (docs/architecture.md, "Git transport").
// Fetch moves only the objects the mirror lacks; a commit is built in memory (no work tree) on
// top of a given base and pushed without force, so the branch moves only if it still points at
// that base: a real compare-and-swap.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ccu/common/clock.hpp"
#include "ccu/common/progress.hpp"
#include "ccu/gist/retry_policy.hpp"

namespace ccu::git {

struct FileEntry {
    std::string name;
    std::string blob_id;  // 40 hex digits
    std::int64_t size = 0;
};

// The head of the remote's default branch as the mirror last saw it.
struct Head {
    std::string branch;        // "main", "master", ... (from the remote's HEAD)
    std::string commit;        // "" for an empty remote (no commits yet)
    std::string committed_at;  // RFC 3339 UTC, "" when `commit` is empty
    std::vector<FileEntry> files;  // sorted by name; the tree is flat (gists have no directories)

    const FileEntry* find(const std::string& name) const;
};

struct FetchResult {
    bool unchanged = false;  // the remote head is still the `known` commit; `head` is then empty
    // FetchDepth::HeldOnly: the remote head is a commit the mirror lacks, so nothing was fetched;
    // `head` then has only `branch` and `commit` (no files, the refs unchanged).
    bool not_held = false;
    Head head;
};

// What fetch() does with a remote head the mirror lacks.
enum class FetchDepth {
    Download,  // fetch the missing objects
    HeldOnly,  // fetch nothing: answer `not_held` after the ref advertisement
};

// File name -> new content; std::nullopt deletes the file.
using Changes = std::map<std::string, std::optional<std::string>>;
// File name -> the id of a blob stage() wrote.
using StagedBlobs = std::map<std::string, std::string>;

struct PushOutcome {
    enum class Kind { Committed, Conflict };
    Kind kind = Kind::Committed;
    std::string commit;        // Committed: the new head. Conflict: the head another writer made, if known
    std::string committed_at;  // of `commit` when known
};

// Bytes and round trips of one mirror, as libgit2 reports them (pack bytes; HTTP headers excluded).
struct TransferStats {
    int connections = 0;
    std::uint64_t bytes_down = 0;
    std::uint64_t bytes_up = 0;
};

// Reads the token at the moment libgit2 asks for credentials; it is never stored.
using TokenSource = std::function<std::string()>;

struct Identity {
    std::string name = "ccu";
    std::string email = "ccu@localhost";
};

struct MirrorOptions {
    std::filesystem::path dir;  // the bare repository, e.g. <data>/mirror/<gist-id>.git
    std::string url;            // the gist's git_push_url (credentials go to its origin only)
    TokenSource token;
    Identity identity;
    Clock* clock = nullptr;                 // now() for commit times and deadlines, sleep_for() for backoff
    std::function<double()> jitter;         // in [0, 1); null = 0.5
    gist::RetryLimits retry;                // the REST client's budget (include/ccu/gist/retry_policy.hpp)
    // Timeouts (docs/format.md §13): a TCP connect, a socket that neither sends nor accepts data,
    // and one whole attempt (checked in libgit2's progress callbacks). Like the REST client's.
    std::chrono::milliseconds connect_timeout{10000};
    std::chrono::milliseconds stall_timeout{60000};
    std::chrono::seconds operation_timeout{120};
    // The branch to create when the remote has no commit at all (its HEAD then names nothing).
    std::string empty_remote_branch = "main";
    // Repack this mirror's own commit packs with a delta search when more than this many of them,
    // or this many loose objects, accumulate (maintain.cpp: fetched and joined packs are not counted).
    int max_loose_objects = 256;
    int max_packs = 8;
    // Optional: a fetch reports objects and bytes received ("Receiving", libgit2's transfer
    // callback), finish() after each attempt. A push is shown by the commit ("Uploading", sync/).
    ProgressSink* progress = nullptr;
};

class Mirror {
public:
    explicit Mirror(MirrorOptions options);
    ~Mirror();
    Mirror(const Mirror&) = delete;
    Mirror& operator=(const Mirror&) = delete;

    // Brings the mirror up to the remote's default branch. With `known`, answers `unchanged`
    // after one ref advertisement when the remote head is still that commit and the mirror has it.
    // A missing or corrupt mirror is rebuilt from the remote. HeldOnly: a head the mirror lacks
    // is answered `not_held` after that one advertisement (sync/push.cpp, nothing new to push).
    FetchResult fetch(const std::optional<std::string>& known = std::nullopt,
                      FetchDepth depth = FetchDepth::Download);

    // A blob's bytes from the mirror (fetch() first). Throws Error(InvalidRemote) if absent.
    std::string read_blob(const std::string& blob_id);

    // Builds a commit on `base` (a Head returned by fetch()) with `changes` and pushes it
    // without force. Conflict when the remote branch moved after `base`.
    PushOutcome commit(const Head& base, const Changes& changes, const std::string& message);
    // The same, with further files whose blobs stage() wrote.
    PushOutcome commit(const Head& base, const Changes& changes, const StagedBlobs& staged, const std::string& message);

    // Writes a file's content as a blob for a later commit and returns its id: the blobs of a large
    // push are packed to disk every few tens of MB (without a delta search) instead of being held.
    std::string stage(const std::string& content);

    const TransferStats& stats() const;
    std::uint64_t disk_bytes() const;  // everything under the mirror directory

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace ccu::git
