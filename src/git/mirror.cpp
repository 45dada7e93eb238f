#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <system_error>
#include <vector>

#include "ccu/common/error.hpp"
#include "ccu/common/time.hpp"
#include "git/mirror_impl.hpp"
#include "git/pack_join.hpp"
#include "git/session.hpp"
#include "git/socket_stream.hpp"

namespace ccu::git {
namespace fs = std::filesystem;
namespace {

// Another ccu process may use the same mirror without the sync lock (`gist status` takes none):
// every operation holds an exclusive flock on <mirror>.lock, so a repack never deletes a pack
// that another process is reading. Blocking: operations are bounded by the network timeouts.
class MirrorLock {
public:
    explicit MirrorLock(const fs::path& dir) {
        std::error_code ec;
        fs::create_directories(dir.parent_path(), ec);
        const std::string file = dir.string() + ".lock";
        fd_ = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
        if (fd_ < 0) throw Error(ErrorKind::Unexpected, "cannot open " + file + ": " + std::strerror(errno));
        while (flock(fd_, LOCK_EX) != 0 && errno == EINTR) {
        }
    }
    ~MirrorLock() { ::close(fd_); }
    MirrorLock(const MirrorLock&) = delete;
    MirrorLock& operator=(const MirrorLock&) = delete;

private:
    int fd_ = -1;
};

// What a ccu killed mid-operation leaves in the mirror: lock files of refs, HEAD or config (a ref
// update cut short), temporary packs and indexes (a fetch, a commit or a repack cut short) and
// temporary loose objects. Every operation holds the MirrorLock, so any found while holding it
// is stale; a stale ref lock would fail every later update of that ref.
bool is_leftover(const fs::path& file) {
    const std::string name = file.filename().string();
    if (name.size() > 5 && name.compare(name.size() - 5, 5, ".lock") == 0) return true;
    return name.find("_git2_") != std::string::npos || name.rfind("tmp_", 0) == 0;
}

void clear_leftovers(const fs::path& dir) {
    std::error_code ec;
    std::vector<fs::path> stale;
    for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::recursive_directory_iterator();
         it.increment(ec)) {
        if (it->is_regular_file(ec) && is_leftover(it->path())) stale.push_back(it->path());
    }
    for (const auto& f : stale) fs::remove(f, ec);
}

}  // namespace

DeltaSearchLimit::DeltaSearchLimit(git_repository* repo, std::int64_t bytes) {
    lg::check(git_repository_config(&cfg_, repo), "reading the mirror's config");
    lg::check(git_config_set_int64(cfg_, kNoDeltaKey, bytes), "writing the mirror's config");
}

DeltaSearchLimit::~DeltaSearchLimit() {
    git_config_delete_entry(cfg_, kNoDeltaKey);
    git_config_free(cfg_);
}

std::string tracking_ref(const std::string& branch) { return "refs/remotes/origin/" + branch; }
std::string local_ref(const std::string& branch) { return "refs/heads/" + branch; }

const FileEntry* Head::find(const std::string& name) const {
    const auto it = std::lower_bound(files.begin(), files.end(), name,
                                     [](const FileEntry& e, const std::string& n) { return e.name < n; });
    return it != files.end() && it->name == name ? &*it : nullptr;
}

void Mirror::Impl::open() {
    repo.reset();
    clear_leftovers(options.dir);
    git_repository* r = nullptr;
    if (fs::exists(options.dir / "HEAD") && git_repository_open_bare(&r, options.dir.c_str()) == 0) {
        repo.reset(r);
        attach_mempack();
        return;
    }
    rebuild();
}

void Mirror::Impl::attach_mempack() {
    git_odb* raw = nullptr;
    lg::check(git_repository_odb(&raw, repo.get()), "opening the mirror's objects");
    const lg::Odb odb(raw);
    git_odb_backend* backend = nullptr;
    lg::check(git_mempack_new(&backend), "opening the mirror's objects");
    lg::check(git_odb_add_backend(raw, backend, 1000), "opening the mirror's objects");  // before loose and packs
    mempack = backend;
    staged.clear();  // they were in the previous mempack
    staged_bytes = 0;
}

// A pack of exactly `ids`. git_mempack_dump would not do: it inserts each commit with its whole
// tree, so every push packed (and searched deltas among) every file of the gist again, and the
// seconds of a push grew with the gist (bench/sync_month.cpp).
std::string Mirror::Impl::write_pack(const std::vector<git_oid>& ids) {
    git_packbuilder* p = nullptr;
    lg::check(git_packbuilder_new(&p, repo.get()), "packing new objects");
    const lg::PackBuilder builder(p);
    for (const git_oid& id : ids) lg::check(git_packbuilder_insert(p, &id, nullptr), "packing new objects");
    // Written by libgit2's indexer straight into the pack directory: a first push of a large
    // store packs hundreds of MB, which are not held in memory a second time.
    const fs::path pack_dir = options.dir / "objects" / "pack";
    lg::check(git_packbuilder_write(p, pack_dir.c_str(), 0, nullptr, nullptr), "packing new objects");
    git_odb* raw = nullptr;
    lg::check(git_repository_odb(&raw, repo.get()), "packing new objects");
    const lg::Odb odb(raw);
    lg::check(git_odb_refresh(raw), "packing new objects");
    lg::check(git_mempack_reset(mempack), "packing new objects");
    return std::string("pack-") + git_packbuilder_name(p);
}

void Mirror::Impl::store_new_objects(const std::vector<git_oid>& ids) { note_own_pack(write_pack(ids)); }

void Mirror::Impl::rebuild() {
    repo.reset();
    std::error_code ec;
    fs::remove_all(options.dir, ec);
    fs::create_directories(options.dir.parent_path(), ec);
    git_repository* r = nullptr;
    lg::check(git_repository_init(&r, options.dir.c_str(), 1), "creating the git mirror");
    repo.reset(r);
    attach_mempack();
}

std::pair<std::string, std::string> Mirror::Impl::advertised_head(git_remote* remote) const {
    git_buf buf = GIT_BUF_INIT;
    const int rc = git_remote_default_branch(&buf, remote);
    if (rc == GIT_ENOTFOUND) return {options.empty_remote_branch, ""};  // no commit: HEAD names nothing
    lg::check(rc, "reading the remote's default branch");
    const std::string ref(buf.ptr, buf.size);
    git_buf_dispose(&buf);
    const git_remote_head** heads = nullptr;
    size_t count = 0;
    lg::check(git_remote_ls(&heads, &count, remote), "listing the remote's refs");
    std::string branch = ref.rfind("refs/heads/", 0) == 0 ? ref.substr(11) : ref;
    for (size_t i = 0; i < count; ++i) {
        if (ref == heads[i]->name) return {branch, lg::to_hex(heads[i]->oid)};
    }
    return {branch, ""};
}

bool Mirror::Impl::has_object(const std::string& id) const {
    if (id.empty()) return false;
    git_odb* raw = nullptr;
    lg::check(git_repository_odb(&raw, repo.get()), "opening the mirror's objects");
    const lg::Odb odb(raw);
    const git_oid oid = lg::from_hex(id);
    return git_odb_exists(odb.get(), &oid) == 1;
}

std::string Mirror::Impl::commit_time(const std::string& commit) const {
    if (!has_object(commit)) return {};
    const git_oid oid = lg::from_hex(commit);
    git_commit* c = nullptr;
    lg::check(git_commit_lookup(&c, repo.get(), &oid), "reading a commit");
    const lg::Commit holder(c);
    return timeutil::format_rfc3339(std::chrono::system_clock::from_time_t(git_commit_time(c)));
}

void Mirror::Impl::set_ref(const std::string& name, const std::string& commit) {
    git_reference* ref = nullptr;
    const git_oid oid = lg::from_hex(commit);
    lg::check(git_reference_create(&ref, repo.get(), name.c_str(), &oid, 1, nullptr), "updating a ref");
    git_reference_free(ref);
}

// Sizes come from the object headers: reading every blob in full made each load cost the whole
// gist (inflate and hash of every file, bench/sync_month.cpp). Damage in a blob shows when it is
// read (libgit2 verifies the hash then): read_blob rebuilds the mirror and reads it again.
Head Mirror::Impl::head_of(const std::string& branch, const std::string& commit) const {
    Head head;
    head.branch = branch;
    head.commit = commit;
    if (commit.empty()) return head;
    head.committed_at = commit_time(commit);
    const git_oid oid = lg::from_hex(commit);
    git_commit* c = nullptr;
    lg::check(git_commit_lookup(&c, repo.get(), &oid), "reading the head commit");
    const lg::Commit commit_holder(c);
    git_tree* t = nullptr;
    lg::check(git_commit_tree(&t, c), "reading the head tree");
    const lg::Tree tree(t);
    git_odb* raw = nullptr;
    lg::check(git_repository_odb(&raw, repo.get()), "opening the mirror's objects");
    const lg::Odb odb(raw);
    for (size_t i = 0, n = git_tree_entrycount(t); i < n; ++i) {
        const git_tree_entry* e = git_tree_entry_byindex(t, i);
        if (git_tree_entry_type(e) != GIT_OBJECT_BLOB) continue;  // gists are flat
        size_t size = 0;
        git_object_t type = GIT_OBJECT_INVALID;
        lg::check(git_odb_read_header(&size, &type, raw, git_tree_entry_id(e)), "reading a file of the head");
        if (type != GIT_OBJECT_BLOB) lg::check(-1, "reading a file of the head: not a blob");
        head.files.push_back({git_tree_entry_name(e), lg::to_hex(*git_tree_entry_id(e)),
                              static_cast<std::int64_t>(size)});
    }
    std::sort(head.files.begin(), head.files.end(),
              [](const FileEntry& a, const FileEntry& b) { return a.name < b.name; });
    return head;
}

FetchResult Mirror::Impl::fetch_once(const std::optional<std::string>& known, FetchDepth depth) {
    bool not_held = false;
    auto [branch, commit] = with_retries(options, stats, [&](Session& session) {
        lg::Remote remote = anonymous_remote(repo.get(), options.url);
        git_remote_callbacks cb = callbacks_for(session);
        git_proxy_options proxy = proxy_from_environment();
        lg::check(git_remote_connect(remote.get(), GIT_DIRECTION_FETCH, &cb, &proxy, nullptr),
                  "connecting to the gist's git repository");
        auto advertised = advertised_head(remote.get());
        not_held = !advertised.second.empty() && !has_object(advertised.second);
        const std::string have = not_held && depth == FetchDepth::Download && !origin_of(options.url).empty()
                                     ? held_commit(tracking_ref(advertised.first))
                                     : std::string();
        if (!have.empty()) {
            fetch_thin(session, advertised.second, have);
        } else if (not_held && depth == FetchDepth::Download) {
            git_fetch_options fetch;
            git_fetch_options_init(&fetch, GIT_FETCH_OPTIONS_VERSION);
            fetch.callbacks = cb;
            fetch.proxy_opts = proxy;
            fetch.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_NONE;
            fetch.update_fetchhead = 0;
            std::string spec = local_ref(advertised.first);
            char* specs[] = {spec.data()};
            const git_strarray refspecs{specs, 1};
            lg::check(git_remote_download(remote.get(), &refspecs, &fetch), "fetching the gist");
            stats.bytes_down += git_remote_stats(remote.get())->received_bytes;
        }
        git_remote_disconnect(remote.get());
        return advertised;
    });
    if (not_held && depth == FetchDepth::HeldOnly) {
        if (known && *known == commit) return {true, false, {}};  // still the known head (a rebuilt mirror)
        FetchResult moved{false, true, {}};  // no ref may name a commit the mirror lacks
        moved.head.branch = branch;
        moved.head.commit = commit;
        return moved;
    }
    if (!commit.empty()) {
        set_ref(tracking_ref(branch), commit);
        set_ref(local_ref(branch), commit);
    }
    if (known && !commit.empty() && *known == commit) return {true, false, {}};
    return {false, false, head_of(branch, commit)};
}

Mirror::Mirror(MirrorOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {
    if (impl_->options.clock == nullptr) throw std::invalid_argument("git::Mirror needs a clock");
    lg::ensure_initialized();
    set_socket_timeouts(impl_->options.connect_timeout, impl_->options.stall_timeout);
}

Mirror::~Mirror() = default;

const TransferStats& Mirror::stats() const { return impl_->stats; }

FetchResult Mirror::fetch(const std::optional<std::string>& known, FetchDepth depth) {
    const MirrorLock lock(impl_->options.dir);
    try {
        if (!impl_->repo) impl_->open();
        FetchResult result = impl_->fetch_once(known, depth);
        impl_->maintain();
        return result;
    } catch (const lg::Failure& damaged) {
        if (is_disk_full(damaged.what())) throw mirror_disk_full_error(impl_->options.dir, damaged.what());
        // Anything else that reached here is local damage (session.cpp rethrows only that): the
        // remote is the source of truth, so start over from it, once.
        impl_->rebuild();
        FetchResult result = impl_->fetch_once(known, depth);
        return result;
    }
}

std::string Mirror::read_blob(const std::string& blob_id) {
    const MirrorLock lock(impl_->options.dir);
    if (!impl_->repo) impl_->open();
    git_oid oid{};
    try {
        oid = lg::from_hex(blob_id);
    } catch (const lg::Failure&) {
        throw Error(ErrorKind::InvalidRemote, "not a git blob id: " + blob_id);
    }
    auto read = [&]() -> std::optional<std::string> {
        git_blob* b = nullptr;
        if (git_blob_lookup(&b, impl_->repo.get(), &oid) != 0) return std::nullopt;
        const lg::Blob blob(b);
        return std::string(static_cast<const char*>(git_blob_rawcontent(b)), git_blob_rawsize(b));
    };
    if (auto content = read()) return *content;
    // Absent or damaged (a hash mismatch, a cut pack): the remote is the source of truth, so the
    // mirror is rebuilt from it once; a blob the remote head no longer reaches stays absent.
    impl_->rebuild();
    impl_->fetch_once(std::nullopt);
    if (auto content = read()) return *content;
    throw Error(ErrorKind::InvalidRemote, "the git mirror has no blob " + blob_id,
                "run the command again: the mirror is refreshed from the gist");
}

std::string Mirror::stage(const std::string& content) {
    const MirrorLock lock(impl_->options.dir);
    if (!impl_->repo) impl_->open();
    // The packs of one commit (store_new_objects, and the one git_remote_upload builds) are written
    // without a delta search: a commit's new objects are different files (the current file, new
    // parts, the manifest), which share almost nothing, while libgit2 tried each against the 10
    // before it at a cost of its size: ~1.3 s of CPU per 1 MiB part, 71 min for the ~330 parts of a
    // 1M-record first push (bench/README.md). The versions of a file that do delta well against each
    // other sit in different commits; maintain()'s repack searches those.
    const DeltaSearchLimit no_delta(impl_->repo.get(), kNoObjectSearched);
    try {
        return impl_->stage_blob(content);
    } catch (const lg::Failure& failure) {
        if (is_disk_full(failure.what())) throw mirror_disk_full_error(impl_->options.dir, failure.what());
        throw;
    }
}

PushOutcome Mirror::commit(const Head& base, const Changes& changes, const std::string& message) {
    return commit(base, changes, StagedBlobs{}, message);
}

PushOutcome Mirror::commit(const Head& base, const Changes& changes, const StagedBlobs& staged,
                           const std::string& message) {
    const MirrorLock lock(impl_->options.dir);
    if (!impl_->repo) impl_->open();
    std::string built;
    PushOutcome outcome;
    {
        const DeltaSearchLimit no_delta(impl_->repo.get(), kNoObjectSearched);
        try {
            built = impl_->build_commit(base, changes, staged, message);
        } catch (const lg::Failure& failure) {
            if (is_disk_full(failure.what())) throw mirror_disk_full_error(impl_->options.dir, failure.what());
            throw;
        }
        outcome = impl_->push(base, built);
    }
    try {
        impl_->maintain();
    } catch (const lg::Failure&) {
        impl_->repo.reset();  // a failed repack is not a failed push: the next fetch opens (or rebuilds) it
    }
    return outcome;
}

}  // namespace ccu::git
