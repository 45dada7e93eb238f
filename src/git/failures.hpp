#pragma once
// Pure judgement of libgit2 failures: what the retry policy should see, and which errors the user
// gets. libgit2 1.5 reports HTTP statuses only in its message text ("unexpected http status code: N").
#include <filesystem>
#include <string>

#include "ccu/common/error.hpp"
#include "ccu/gist/errors.hpp"
#include "ccu/gist/retry_policy.hpp"

namespace ccu::git {

// "scheme://host:port" with the scheme's default port filled in and the host lower-cased;
// "" when `url` is not an http(s) URL. Credentials go only to the push URL's origin.
std::string origin_of(const std::string& url);

// The host part of an http(s) URL, for messages ("" when unparsable).
std::string host_of(const std::string& url);

// A libgit2 error class that means the local mirror is damaged (objects, packs, refs), not the
// network: the mirror is rebuilt instead of retried.
bool is_local_damage(int klass);

// A libgit2 message that carries a full disk, a quota or the file size limit (libgit2 appends
// strerror to an OS error): retrying or rebuilding cannot help, the user must make room.
bool is_disk_full(const std::string& message);
// The error for it, naming the mirror directory and the next step.
Error mirror_disk_full_error(const std::filesystem::path& dir, const std::string& message);

// One failed network attempt as the REST retry policy sees it (status, or how the transport failed).
gist::AttemptOutcome attempt_outcome(int klass, const std::string& message, bool timed_out);

// The errors a git operation ends with.
gist::ApiError git_token_refused_error();  // same hint as gist::token_refused_error()
gist::ApiError git_forbidden_error();      // 403
gist::ApiError git_not_found_error(const std::string& url);
gist::ApiError git_final_error(const gist::AttemptOutcome& outcome, const gist::RetryDecision& decision,
                               const std::string& host, const std::string& message, int attempts);

}  // namespace ccu::git
