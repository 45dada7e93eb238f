// Building a commit in memory and pushing it without force (the compare-and-swap).
#include <chrono>
#include <vector>

#include "ccu/common/error.hpp"
#include "git/mirror_impl.hpp"
#include "git/session.hpp"

namespace ccu::git {
namespace {

lg::Signature signature(const MirrorOptions& options) {
    const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(options.clock->now().time_since_epoch());
    git_signature* sig = nullptr;
    lg::check(git_signature_new(&sig, options.identity.name.c_str(), options.identity.email.c_str(),
                                static_cast<git_time_t>(seconds.count()), 0),
              "commit author");
    return lg::Signature(sig);
}

bool is_flat_name(const std::string& name) {
    return !name.empty() && name.find('/') == std::string::npos && name != "." && name != "..";
}

// Whether the mirror already has a blob with these bytes (a backup is a copy of the current file):
// such a blob is not packed again.
bool has_blob(git_repository* repo, const std::string& content) {
    git_oid id{};
    lg::check(git_odb_hash(&id, content.data(), content.size(), GIT_OBJECT_BLOB), "hashing a file");
    git_odb* raw = nullptr;
    lg::check(git_repository_odb(&raw, repo), "opening the mirror's objects");
    const lg::Odb odb(raw);
    return git_odb_exists(raw, &id) == 1;
}

// The blobs of a large push are packed every this many bytes: about one such pack (and the
// blobs not packed yet) is in memory at a time.
constexpr std::size_t kStagedPackBytes = std::size_t{32} << 20;

}  // namespace

std::string Mirror::Impl::stage_blob(const std::string& content) {
    git_oid id{};
    const bool known = has_blob(repo.get(), content);
    lg::check(git_blob_create_from_buffer(&id, repo.get(), content.data(), content.size()), "writing a file");
    if (!known) {
        staged.push_back(id);
        staged_bytes += content.size();
        if (staged_bytes >= kStagedPackBytes) pack_staged();
    }
    return lg::to_hex(id);
}

// Not noted as an own pack: its blobs are parts, written once and never versions of each other,
// so maintain()'s delta search would gain nothing on them; they are joined like fetched packs.
void Mirror::Impl::pack_staged() {
    if (staged.empty()) return;
    write_pack(staged);
    staged.clear();
    staged_bytes = 0;
}

std::string Mirror::Impl::build_commit(const Head& base, const Changes& changes, const StagedBlobs& staged_files,
                                       const std::string& message) {
    lg::Commit parent;
    lg::Tree base_tree;
    if (!base.commit.empty()) {
        const git_oid oid = lg::from_hex(base.commit);
        git_commit* c = nullptr;
        lg::check(git_commit_lookup(&c, repo.get(), &oid), "reading the base commit");
        parent.reset(c);
        git_tree* t = nullptr;
        lg::check(git_commit_tree(&t, c), "reading the base tree");
        base_tree.reset(t);
    }
    pack_staged();  // store_new_objects empties the mempack
    std::vector<git_oid> written;  // what goes into this commit's pack: new blobs, the tree, the commit
    git_treebuilder* tb = nullptr;
    lg::check(git_treebuilder_new(&tb, repo.get(), base_tree.get()), "building a tree");
    const lg::TreeBuilder builder(tb);
    for (const auto& [name, content] : changes) {
        // GitHub refuses directories in a gist ("Gist does not support directories.").
        if (!is_flat_name(name)) throw Error(ErrorKind::Unexpected, "not a flat gist file name: " + name);
        if (!content) {
            const int rc = git_treebuilder_remove(tb, name.c_str());
            if (rc != GIT_ENOTFOUND) lg::check(rc, "removing a file");
            continue;
        }
        git_oid blob{};
        const bool known = has_blob(repo.get(), *content);
        lg::check(git_blob_create_from_buffer(&blob, repo.get(), content->data(), content->size()), "writing a file");
        if (!known) written.push_back(blob);
        lg::check(git_treebuilder_insert(nullptr, tb, name.c_str(), &blob, GIT_FILEMODE_BLOB), "adding a file");
    }
    for (const auto& [name, blob_id] : staged_files) {
        if (!is_flat_name(name)) throw Error(ErrorKind::Unexpected, "not a flat gist file name: " + name);
        const git_oid blob = lg::from_hex(blob_id);
        lg::check(git_treebuilder_insert(nullptr, tb, name.c_str(), &blob, GIT_FILEMODE_BLOB), "adding a file");
    }
    git_oid tree_id{};
    lg::check(git_treebuilder_write(&tree_id, tb), "writing the tree");
    written.push_back(tree_id);
    git_tree* t = nullptr;
    lg::check(git_tree_lookup(&t, repo.get(), &tree_id), "reading the new tree");
    const lg::Tree tree(t);
    const lg::Signature sig = signature(options);
    const git_commit* parents[] = {parent.get()};
    git_oid commit_id{};
    lg::check(git_commit_create(&commit_id, repo.get(), nullptr, sig.get(), sig.get(), "UTF-8", message.c_str(),
                                t, parent ? 1 : 0, parent ? parents : nullptr),
              "writing the commit");
    written.push_back(commit_id);
    store_new_objects(written);
    return lg::to_hex(commit_id);
}

// One attempt = the thin push (thin_transfer.cpp) or libgit2's: connect, compare the advertised
// head with the base (a moved head is a conflict without sending anything), upload. The server applies the update only if the ref still holds
// the advertised value, so a race lost inside the server comes back as a ref rejection.
PushOutcome Mirror::Impl::push(const Head& base, const std::string& commit) {
    const std::string ref = local_ref(base.branch);
    set_ref(ref, commit);
    const std::optional<std::string> thin = thin_pack(base, commit);
    bool thin_refused = false;
    PushOutcome outcome = with_retries(options, stats, [&](Session& session) {
        if (thin && !thin_refused) {
            if (auto pushed = push_thin(session, base, commit, *thin)) return *pushed;
            thin_refused = true;  // this server takes libgit2's pack, whole
        }
        lg::Remote remote = anonymous_remote(repo.get(), options.url);
        git_remote_callbacks cb = callbacks_for(session);
        git_proxy_options proxy = proxy_from_environment();
        lg::check(git_remote_connect(remote.get(), GIT_DIRECTION_PUSH, &cb, &proxy, nullptr),
                  "connecting to the gist's git repository");
        const git_remote_head** heads = nullptr;
        size_t count = 0;
        lg::check(git_remote_ls(&heads, &count, remote.get()), "listing the remote's refs");
        std::string remote_head;
        for (size_t i = 0; i < count; ++i) {
            if (ref == heads[i]->name) remote_head = lg::to_hex(heads[i]->oid);
        }
        if (remote_head == commit) return PushOutcome{PushOutcome::Kind::Committed, commit, {}};  // an earlier attempt landed
        if (remote_head != base.commit) return PushOutcome{PushOutcome::Kind::Conflict, remote_head, {}};
        git_push_options push;
        git_push_options_init(&push, GIT_PUSH_OPTIONS_VERSION);
        push.callbacks = cb;
        push.proxy_opts = proxy;
        std::string spec = ref + ":" + ref;  // no '+': never force
        char* specs[] = {spec.data()};
        const git_strarray refspecs{specs, 1};
        const int rc = git_remote_upload(remote.get(), &refspecs, &push);
        if (rc == GIT_ENONFASTFORWARD) return PushOutcome{PushOutcome::Kind::Conflict, remote_head, {}};
        lg::check(rc, "pushing to the gist");
        git_remote_disconnect(remote.get());
        if (!session.rejections.empty()) return PushOutcome{PushOutcome::Kind::Conflict, "", {}};
        return PushOutcome{PushOutcome::Kind::Committed, commit, {}};
    });
    if (outcome.kind == PushOutcome::Kind::Committed) {
        set_ref(tracking_ref(base.branch), commit);
        outcome.committed_at = commit_time(commit);
    } else {
        // Our commit becomes unreachable and goes at the next repack.
        if (!base.commit.empty()) {
            set_ref(ref, base.commit);
        } else {
            git_reference* r = nullptr;
            if (git_reference_lookup(&r, repo.get(), ref.c_str()) == 0) {
                git_reference_delete(r);
                git_reference_free(r);
            }
        }
        outcome.committed_at = commit_time(outcome.commit);
    }
    return outcome;
}

}  // namespace ccu::git
