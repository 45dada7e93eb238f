// The thin push and fetch: ccu's own receive-pack and upload-pack requests over libcurl, so that
// the gist's tree and the changed files go as deltas against what the server holds (thin_pack.hpp
// says why libgit2's push cannot), and a fetch is one round with one `have` (libgit2 1.5 sends
// every commit of the mirror as a have, 20 at a time: docs/format.md §13 "Fetch negotiation").
// The token goes in an Authorization header to the origin of the gist's git URL only (no redirect
// is followed), never into a URL, argv, the environment or a file.
#include <algorithm>
#include <cstring>
#include <unordered_set>

#include "ccu/common/sha1.hpp"
#include "ccu/common/version.hpp"
#include "git/mirror_impl.hpp"
#include "git/pack_protocol.hpp"
#include "git/session.hpp"
#include "git/thin_pack.hpp"

namespace ccu::git {
namespace {

// New file bytes above which the push is libgit2's: a first push or an import of history, made of
// new parts that no version on the server would shorten.
constexpr std::size_t kThinPushBytes = std::size_t{8} << 20;

ObjectId object_id(const git_oid& oid) {
    ObjectId id{};
    std::memcpy(id.data(), oid.id, id.size());
    return id;
}

struct OidHash {
    std::size_t operator()(const git_oid& oid) const noexcept {
        std::size_t h = 0;
        std::memcpy(&h, oid.id, sizeof h);
        return h;
    }
};
struct OidEqual {
    bool operator()(const git_oid& a, const git_oid& b) const noexcept { return git_oid_cmp(&a, &b) == 0; }
};

std::string read_object(git_odb* odb, const git_oid& oid) {
    git_odb_object* object = nullptr;
    lg::check(git_odb_read(&object, odb, &oid), "reading an object to push");
    std::string bytes(static_cast<const char*>(git_odb_object_data(object)), git_odb_object_size(object));
    git_odb_object_free(object);
    return bytes;
}

lg::Tree tree_of(git_repository* repo, const std::string& commit_hex) {
    const git_oid oid = lg::from_hex(commit_hex);
    git_commit* c = nullptr;
    lg::check(git_commit_lookup(&c, repo, &oid), "reading a commit to push");
    const lg::Commit commit(c);
    git_tree* t = nullptr;
    lg::check(git_commit_tree(&t, c), "reading a tree to push");
    return lg::Tree(t);
}

// A secret's text, overwritten when it goes.
struct Wiped {
    std::string text;
    ~Wiped() { std::fill(text.begin(), text.end(), '\0'); }
};

std::string agent() { return "ccu/" + std::string(ccu::version()); }

gist::AttemptOutcome failure_of(gist::TransportFailure failure) {
    gist::AttemptOutcome o;
    o.failure = failure;
    return o;
}

}  // namespace

std::optional<std::string> Mirror::Impl::thin_pack(const Head& base, const std::string& commit) {
    // Over smart HTTP only: a local remote (file://, the tests' year of pushes) is libgit2's.
    if (base.commit.empty() || origin_of(options.url).empty()) return std::nullopt;
    git_odb* raw = nullptr;
    lg::check(git_repository_odb(&raw, repo.get()), "opening the mirror's objects");
    const lg::Odb odb(raw);
    const lg::Tree old_tree = tree_of(repo.get(), base.commit);
    const lg::Tree new_tree = tree_of(repo.get(), commit);
    std::vector<PackObject> objects;
    objects.push_back(PackObject{ObjectType::Commit, read_object(raw, lg::from_hex(commit)), {}, {}});
    const git_oid* old_tree_id = git_tree_id(old_tree.get());
    const git_oid* new_tree_id = git_tree_id(new_tree.get());
    if (git_oid_cmp(old_tree_id, new_tree_id) != 0) {
        objects.push_back(PackObject{ObjectType::Tree, read_object(raw, *new_tree_id), object_id(*old_tree_id),
                                     read_object(raw, *old_tree_id)});
    }
    std::unordered_set<git_oid, OidHash, OidEqual> held;
    std::vector<BaseCandidate> base_files;
    std::vector<git_oid> base_ids;
    for (std::size_t i = 0; i < git_tree_entrycount(old_tree.get()); ++i) {
        const git_tree_entry* e = git_tree_entry_byindex(old_tree.get(), i);
        held.insert(*git_tree_entry_id(e));
        const git_tree_entry* now = git_tree_entry_byname(new_tree.get(), git_tree_entry_name(e));
        base_files.push_back({git_tree_entry_name(e),
                              now == nullptr || git_oid_cmp(git_tree_entry_id(now), git_tree_entry_id(e)) != 0});
        base_ids.push_back(*git_tree_entry_id(e));
    }
    std::size_t new_bytes = 0;
    for (std::size_t i = 0; i < git_tree_entrycount(new_tree.get()); ++i) {
        const git_tree_entry* e = git_tree_entry_byindex(new_tree.get(), i);
        const git_oid& id = *git_tree_entry_id(e);
        if (!held.insert(id).second) continue;  // on the server already, or sent once above
        PackObject blob{ObjectType::Blob, read_object(raw, id), {}, {}};
        new_bytes += blob.content.size();
        if (new_bytes > kThinPushBytes) return std::nullopt;
        if (const auto base_file = delta_base_for(git_tree_entry_name(e), base_files)) {
            blob.base_id = object_id(base_ids[*base_file]);
            blob.base_content = read_object(raw, base_ids[*base_file]);
        }
        objects.push_back(std::move(blob));
    }
    return write_thin_pack(objects);
}

gist::HttpResponse Mirror::Impl::smart_request(gist::HttpRequest request, Credentials credentials) {
    if (!http) {
        gist::SessionOptions o;
        o.connect_timeout = options.connect_timeout;
        o.total_timeout = options.operation_timeout;
        http = std::make_unique<gist::CurlSession>(o);
    }
    request.headers.emplace_back("User-Agent", agent());
    std::optional<Wiped> credential;
    if (credentials == Credentials::Token) {
        // Any user name, the token as password (as GitHub takes it).
        credential.emplace(Wiped{"Basic " + base64("x-access-token:" + Wiped{options.token ? options.token() : ""}.text)});
        request.headers.emplace_back("Authorization", credential->text);
    }
    gist::HttpResult result = http->perform(request);
    if (credential) std::fill(request.headers.back().second.begin(), request.headers.back().second.end(), '\0');
    if (result.error || result.response->status != 200) {
        std::string what = result.error ? result.error->message
                                        : "unexpected http status code: " + std::to_string(result.response->status);
        throw HttpFailure(gist::outcome_of(result), what);
    }
    return std::move(*result.response);
}

std::optional<PushOutcome> Mirror::Impl::push_thin(Session& session, const Head& base, const std::string& commit,
                                                   const std::string& pack) {
    gist::HttpRequest get;
    get.url = options.url + "/info/refs?service=git-receive-pack";
    ReceivePackAdvertisement ad;
    try {
        ad = parse_receive_pack_advertisement(smart_request(get, Credentials::Token).body);
    } catch (const std::invalid_argument& e) {
        throw HttpFailure(failure_of(gist::TransportFailure::Fatal),
                          std::string("the git endpoint did not answer as receive-pack: ") + e.what());
    }
    const std::string ref = local_ref(base.branch);
    const auto at = ad.refs.find(ref);
    const std::string remote_head = at == ad.refs.end() ? std::string() : at->second;
    if (remote_head == commit) return PushOutcome{PushOutcome::Kind::Committed, commit, {}};  // an earlier attempt landed
    if (remote_head != base.commit) return PushOutcome{PushOutcome::Kind::Conflict, remote_head, {}};
    if (ad.capabilities.count("report-status") == 0 || ad.capabilities.count("no-thin") != 0) return std::nullopt;
    gist::HttpRequest post;
    post.method = "POST";
    post.url = options.url + "/git-receive-pack";
    post.headers = {{"Content-Type", "application/x-git-receive-pack-request"},
                    {"Accept", "application/x-git-receive-pack-result"}};
    post.body = receive_pack_request(base.commit, commit, ref, agent(), pack);
    session.bytes_up += pack.size();
    ReceivePackReport report;
    try {
        report = parse_receive_pack_report(smart_request(std::move(post), Credentials::Token).body);
    } catch (const std::invalid_argument& e) {
        // Retried: the next attempt's advertisement tells whether this one landed.
        throw HttpFailure(failure_of(gist::TransportFailure::Interrupted),
                          std::string("the git endpoint's push report is unreadable: ") + e.what());
    }
    if (report.unpack != "ok") return std::nullopt;
    const auto status = report.refs.find(ref);
    if (status == report.refs.end() || status->second) return PushOutcome{PushOutcome::Kind::Conflict, "", {}};
    return PushOutcome{PushOutcome::Kind::Committed, commit, {}};
}

void Mirror::Impl::fetch_thin(Session& session, const std::string& want, const std::string& have) {
    gist::HttpRequest post;
    post.method = "POST";
    post.url = options.url + "/git-upload-pack";
    post.headers = {{"Content-Type", "application/x-git-upload-pack-request"},
                    {"Accept", "application/x-git-upload-pack-result"}};
    post.body = upload_pack_request(want, have, agent());
    // Anonymous, as libgit2's advertisement was, unless the host asked that one for credentials.
    const gist::HttpResponse response =
        smart_request(std::move(post), session.credential_calls > 0 ? Credentials::Token : Credentials::None);
    stats.bytes_down += response.body.size();
    std::string_view pack;
    try {
        pack = upload_pack_pack(response.body);
    } catch (const std::invalid_argument& e) {
        throw HttpFailure(failure_of(gist::TransportFailure::Interrupted), std::string("fetching the gist: ") + e.what());
    }
    // A cut answer is a transfer to retry, not a damaged mirror to rebuild (what the indexer's
    // failure would mean): the trailer is the SHA-1 of the pack before it.
    Sha1 sha;
    sha.update(pack.substr(0, pack.size() < 20 ? 0 : pack.size() - 20));
    const auto digest = sha.digest();
    if (pack.size() < 32 || std::memcmp(digest.data(), pack.data() + pack.size() - 20, 20) != 0) {
        throw HttpFailure(failure_of(gist::TransportFailure::Interrupted), "fetching the gist: the pack is cut short");
    }
    git_odb* raw = nullptr;
    lg::check(git_repository_odb(&raw, repo.get()), "opening the mirror's objects");
    const lg::Odb odb(raw);
    index_pack(raw, options.dir / "objects" / "pack", pack);  // completes the thin pack from the mirror
    lg::check(git_odb_refresh(raw), "reading the fetched pack");
}

std::string Mirror::Impl::held_commit(const std::string& ref) const {
    git_reference* r = nullptr;
    if (git_reference_lookup(&r, repo.get(), ref.c_str()) != 0) return {};
    const git_oid* id = git_reference_target(r);
    std::string commit = id != nullptr ? lg::to_hex(*id) : std::string();
    git_reference_free(r);
    return has_object(commit) ? commit : std::string();
}

}  // namespace ccu::git
