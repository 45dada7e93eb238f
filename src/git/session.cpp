#include "git/session.hpp"

#include <algorithm>

namespace ccu::git {
namespace {

Session& of(void* payload) { return *static_cast<Session*>(payload); }

// libgit2 asks again after the server refused what we gave: one refusal is final, so a wrong
// token costs one request, not libgit2's fifteen "authentication replays".
int on_credentials(git_credential** out, const char* url, const char* /*user_from_url*/,
                   unsigned int allowed_types, void* payload) {
    Session& s = of(payload);
    const std::string asked = origin_of(url != nullptr ? url : "");
    if (asked.empty() || asked != s.origin) {
        s.foreign_origin = asked.empty() ? std::string("an unparsable URL") : asked;
        git_error_set_str(GIT_ERROR_NET, "credentials requested for another origin");
        return GIT_EUSER;
    }
    if (s.credential_calls > 0) {
        s.auth_refused = true;
        git_error_set_str(GIT_ERROR_NET, "the git endpoint refused the token");
        return GIT_EUSER;
    }
    ++s.credential_calls;
    if ((allowed_types & GIT_CREDENTIAL_USERPASS_PLAINTEXT) == 0) return GIT_PASSTHROUGH;
    std::string token = s.options->token ? s.options->token() : std::string();
    // GitHub takes any user name with the token as the password.
    const int rc = git_credential_userpass_plaintext_new(out, "x-access-token", token.c_str());
    std::fill(token.begin(), token.end(), '\0');
    return rc;
}

bool past_deadline(Session& s) {
    if (s.options->clock->now() <= s.deadline) return false;
    s.timed_out = true;
    git_error_set_str(GIT_ERROR_NET, "the git operation timed out");
    return true;
}

int on_transfer(const git_indexer_progress* stats, void* payload) {
    Session& s = of(payload);
    if (s.options->progress != nullptr && stats != nullptr) {
        s.options->progress->update(
            Progress{"Receiving", stats->received_objects, stats->total_objects, stats->received_bytes, 0, "object"});
    }
    return past_deadline(s) ? GIT_EUSER : 0;
}

int on_sideband(const char* /*text*/, int /*len*/, void* payload) {
    return past_deadline(of(payload)) ? GIT_EUSER : 0;
}

int on_push_transfer(unsigned int /*current*/, unsigned int /*total*/, size_t bytes, void* payload) {
    Session& s = of(payload);
    s.bytes_up = std::max<std::uint64_t>(s.bytes_up, bytes);
    return past_deadline(s) ? GIT_EUSER : 0;
}

// A non-null status is the server refusing the ref update (e.g. it moved under us).
int on_push_update_reference(const char* refname, const char* status, void* payload) {
    if (status != nullptr) of(payload).rejections.push_back(std::string(refname) + ": " + status);
    return 0;
}

}  // namespace

git_remote_callbacks callbacks_for(Session& session) {
    git_remote_callbacks cb;
    git_remote_init_callbacks(&cb, GIT_REMOTE_CALLBACKS_VERSION);
    cb.credentials = on_credentials;
    cb.transfer_progress = on_transfer;
    cb.sideband_progress = on_sideband;
    cb.push_transfer_progress = on_push_transfer;
    cb.push_update_reference = on_push_update_reference;
    // certificate_check stays null: libgit2 then refuses any certificate that does not verify.
    cb.payload = &session;
    return cb;
}

git_proxy_options proxy_from_environment() {
    git_proxy_options proxy;
    git_proxy_options_init(&proxy, GIT_PROXY_OPTIONS_VERSION);
    proxy.type = GIT_PROXY_AUTO;
    return proxy;
}

lg::Remote anonymous_remote(git_repository* repo, const std::string& url) {
    git_remote* remote = nullptr;
    lg::check(git_remote_create_anonymous(&remote, repo, url.c_str()), "git remote");
    return lg::Remote(remote);
}

std::chrono::milliseconds judge_failure(const lg::Failure& failure, const Session& session,
                                        const MirrorOptions& options, gist::RetryState& state) {
    if (session.auth_refused) throw git_token_refused_error();
    if (is_disk_full(failure.what())) throw mirror_disk_full_error(options.dir, failure.what());
    if (!session.foreign_origin.empty()) {
        throw gist::ApiError(gist::ApiErrorKind::Network, 0,
                             "the git server asked for credentials for " + session.foreign_origin +
                                 "; ccu sends the token only to " + session.origin,
                             "check the gist's git URL and any proxy; run with -vv for details");
    }
    if (!session.timed_out && is_local_damage(failure.klass())) throw failure;
    return judge_outcome(attempt_outcome(failure.klass(), failure.what(), session.timed_out), failure.what(), options,
                         state);
}

std::chrono::milliseconds judge_outcome(gist::AttemptOutcome outcome, const std::string& message,
                                        const MirrorOptions& options, gist::RetryState& state) {
    const std::string host = host_of(options.url);
    if (outcome.status == 401) throw git_token_refused_error();
    if (outcome.status == 403 && outcome.message.empty()) {
        // GitHub answers a secondary rate limit with 403 too, and libgit2 1.5 shows neither the
        // message nor Retry-After (nor does a git host's text answer to ccu's own requests carry
        // GitHub's JSON message): a 403 is retried like one, within the same attempts and budget;
        // one that persists is the permission error (a refused token then costs about 11 s).
        outcome.message = "secondary rate limit (assumed: the git host's 403 shows no reason)";
    }
    if (outcome.status == 404) throw git_not_found_error(options.url);
    ++state.attempts_made;
    const double jitter = options.jitter ? options.jitter() : 0.5;
    const gist::RetryDecision decision = gist::decide(outcome, gist::RequestSafety::Idempotent, state,
                                                      options.retry, options.clock->now(), jitter);
    if (decision.action == gist::RetryAction::Stop) {
        if (outcome.status == 403) throw git_forbidden_error();
        throw git_final_error(outcome, decision, host, message, state.attempts_made);
    }
    state.waited += decision.wait;
    return decision.wait;
}

}  // namespace ccu::git
