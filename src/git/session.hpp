#pragma once
// One network operation against the gist's git endpoint: libgit2's callbacks (credentials,
// progress deadline, push ref status) and the retry loop around it.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "ccu/git/mirror.hpp"
#include "git/failures.hpp"
#include "git/libgit.hpp"

namespace ccu::git {

// The state libgit2's callbacks share during one attempt (their payload).
struct Session {
    const MirrorOptions* options = nullptr;
    std::string origin;  // of options->url: the only place credentials go
    int credential_calls = 0;
    bool auth_refused = false;
    std::string foreign_origin;           // a server that asked for credentials elsewhere
    std::vector<std::string> rejections;  // push_update_reference: "<ref>: <status>"
    Clock::time_point deadline{};
    bool timed_out = false;
    std::uint64_t bytes_up = 0;
};

git_remote_callbacks callbacks_for(Session& session);
// Proxy from the environment (libgit2 reads HTTPS_PROXY/HTTP_PROXY/NO_PROXY itself).
git_proxy_options proxy_from_environment();

// An anonymous remote for options.url: nothing is written to the mirror's config.
lg::Remote anonymous_remote(git_repository* repo, const std::string& url);

// A failed HTTP request of an attempt that ccu makes itself (thin_transfer.cpp), already classified.
class HttpFailure : public std::runtime_error {
public:
    HttpFailure(gist::AttemptOutcome outcome, const std::string& message)
        : std::runtime_error(message), outcome_(std::move(outcome)) {}
    const gist::AttemptOutcome& outcome() const noexcept { return outcome_; }

private:
    gist::AttemptOutcome outcome_;
};

// Judges one failed attempt; throws the final error when it must not be retried, returns the
// wait before the next attempt otherwise. lg::Failure of local damage is rethrown unchanged.
std::chrono::milliseconds judge_failure(const lg::Failure& failure, const Session& session,
                                        const MirrorOptions& options, gist::RetryState& state);
// The same for a classified outcome (both end here): 401, 403, 404, then the REST retry policy.
std::chrono::milliseconds judge_outcome(gist::AttemptOutcome outcome, const std::string& message,
                                        const MirrorOptions& options, gist::RetryState& state);

// Runs `attempt(Session&)` (one connect + transfer) until it succeeds or the REST retry policy
// (same budget, same backoff) says stop. Every attempt gets fresh credentials and a fresh deadline.
template <class Attempt>
auto with_retries(const MirrorOptions& options, TransferStats& stats, Attempt&& attempt) {
    gist::RetryState state;
    for (;;) {
        Session session;
        session.options = &options;
        session.origin = origin_of(options.url);
        session.deadline = options.clock->now() + options.operation_timeout;
        ++stats.connections;
        try {
            auto result = attempt(session);
            stats.bytes_up += session.bytes_up;
            if (options.progress != nullptr) options.progress->finish();
            return result;
        } catch (const lg::Failure& failure) {
            stats.bytes_up += session.bytes_up;
            if (options.progress != nullptr) options.progress->finish();
            options.clock->sleep_for(judge_failure(failure, session, options, state));
        } catch (const HttpFailure& failure) {
            stats.bytes_up += session.bytes_up;
            options.clock->sleep_for(judge_outcome(failure.outcome(), failure.what(), options, state));
        }
    }
}

}  // namespace ccu::git
