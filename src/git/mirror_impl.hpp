#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ccu/git/mirror.hpp"
#include "ccu/gist/curl_session.hpp"
#include "git/libgit.hpp"

namespace ccu::git {

struct Session;  // git/session.hpp

// The refs the mirror keeps (docs/architecture.md, "Git transport"):
//   refs/remotes/origin/<branch>  the remote head as last fetched or pushed
//   refs/heads/<branch>           the commit being pushed (libgit2 pushes from a local ref)
std::string tracking_ref(const std::string& branch);
std::string local_ref(const std::string& branch);

// The config key libgit2's packbuilder takes its big-file threshold from (DeltaSearchLimit).
inline constexpr const char* kNoDeltaKey = "pack.deltaCacheSize";
// A limit that leaves every object out of the delta search.
inline constexpr std::int64_t kNoObjectSearched = 1;

// While it lives, libgit2's packbuilder searches no delta for an object larger than `bytes`.
// libgit2 (1.5 to 1.9) reads its big-file threshold from pack.deltaCacheSize (a typo in its
// packbuilder_config), so the key is set in the mirror's config only for one pack's build; every
// pack ccu builds (commit, stage, repack) sets its own value first, so one that a killed process
// left changes nothing. The same key also caps libgit2's delta cache,
// which at these sizes holds only deltas under 1000 bytes (the trees'): a small cap costs little.
class DeltaSearchLimit {
public:
    DeltaSearchLimit(git_repository* repo, std::int64_t bytes);
    ~DeltaSearchLimit();
    DeltaSearchLimit(const DeltaSearchLimit&) = delete;
    DeltaSearchLimit& operator=(const DeltaSearchLimit&) = delete;

private:
    git_config* cfg_ = nullptr;
};

struct Mirror::Impl {
    MirrorOptions options;
    TransferStats stats;
    lg::Repository repo;
    // New objects are written here first and then stored as one pack (store_new_objects): libgit2
    // 1.5 spins forever inflating a truncated loose object, so the mirror keeps none.
    git_odb_backend* mempack = nullptr;  // owned by the repository's object database

    explicit Impl(MirrorOptions o) : options(std::move(o)) {}

    // Opens the bare repository, creating it when absent and recreating it when unreadable.
    void open();
    // Deletes the mirror directory and starts an empty one (the remote is the source of truth).
    void rebuild();

    // The remote's default branch and its head commit ("" for an empty remote), from the
    // advertisement of a connected remote.
    std::pair<std::string, std::string> advertised_head(git_remote* remote) const;
    FetchResult fetch_once(const std::optional<std::string>& known, FetchDepth depth = FetchDepth::Download);
    Head head_of(const std::string& branch, const std::string& commit) const;
    bool has_object(const std::string& id) const;
    std::string commit_time(const std::string& commit) const;
    void set_ref(const std::string& name, const std::string& commit);

    // Blobs stage() put in the mempack and not yet packed, and their bytes.
    std::vector<git_oid> staged;
    std::size_t staged_bytes = 0;

    void attach_mempack();
    std::string stage_blob(const std::string& content);
    void pack_staged();  // the staged blobs into one pack kept like a fetched one (maintain.cpp)
    // Packs exactly `ids` into the pack directory and empties the mempack; returns the pack's stem.
    std::string write_pack(const std::vector<git_oid>& ids);
    void store_new_objects(const std::vector<git_oid>& ids);  // the objects a commit wrote
    void note_own_pack(const std::string& stem);              // maintain.cpp: a pack of our own objects
    std::string build_commit(const Head& base, const Changes& changes, const StagedBlobs& staged_files,
                             const std::string& message);
    PushOutcome push(const Head& base, const std::string& commit);

    // The thin push (thin_transfer.cpp): the pack of what `commit` adds to `base`, its tree and
    // changed files as deltas against the versions `base` holds; nullopt when base is empty, the
    // remote is not http(s) or the new files are large (libgit2's push streams those, and a delta
    // would not help them).
    std::optional<std::string> thin_pack(const Head& base, const std::string& commit);
    // One attempt of it over libcurl; nullopt when the server takes no thin pack, or failed to
    // unpack this one (push() then sends libgit2's pack). Throws HttpFailure (session.hpp).
    std::optional<PushOutcome> push_thin(Session& session, const Head& base, const std::string& commit,
                                         const std::string& pack);
    // Downloads what `want` adds to `have` (a commit the mirror holds) in one upload-pack round and
    // indexes it into the mirror. Throws HttpFailure.
    void fetch_thin(Session& session, const std::string& want, const std::string& have);
    // The commit `ref` names when the mirror holds it, else "".
    std::string held_commit(const std::string& ref) const;
    enum class Credentials { None, Token };
    // One smart-HTTP request; a transport failure or any status but 200 throws HttpFailure.
    gist::HttpResponse smart_request(gist::HttpRequest request, Credentials credentials);
    std::unique_ptr<gist::CurlSession> http;  // made on first use: connections reused within a push

    // Repacks this mirror's own recent objects with a delta search once their packs pile up
    // (dropping what is unreachable: commits of lost races), and joins the other packs without
    // recompression when their sizes leave a geometric progression (maintain.cpp).
    void maintain();
};

}  // namespace ccu::git
