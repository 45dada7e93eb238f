#include "ccu/gist/errors.hpp"

#include <utility>

#include "ccu/common/time.hpp"

namespace ccu::gist {
namespace {

// docs/cli.md exit codes: a refused token and a gist the token cannot see (deleted, wrong id, another account:
// GitHub answers 404 for all three) are "not configured / auth refused" (3); the rest is 4.
ErrorKind error_kind_for(ApiErrorKind kind) {
    return kind == ApiErrorKind::Auth || kind == ApiErrorKind::NotFound ? ErrorKind::NotConfigured
                                                                        : ErrorKind::Network;
}

const char* const kTokensUrl = "https://github.com/settings/tokens";

}  // namespace

std::string_view api_error_kind_name(ApiErrorKind kind) {
    switch (kind) {
        case ApiErrorKind::Auth: return "auth";
        case ApiErrorKind::NotFound: return "not_found";
        case ApiErrorKind::RateLimited: return "rate_limited";
        case ApiErrorKind::Network: return "network";
        case ApiErrorKind::Validation: return "validation";
        case ApiErrorKind::Server: return "server";
    }
    return "server";
}

ApiError::ApiError(ApiErrorKind api_kind, int http_status, const std::string& message, std::string hint,
                   std::optional<time_point> retry_at)
    : ccu::Error(error_kind_for(api_kind), message, std::move(hint)),
      api_kind_(api_kind),
      http_status_(http_status),
      retry_at_(retry_at) {}

ApiError token_refused_error() {
    return ApiError(ApiErrorKind::Auth, 401,
                    "GitHub refused the token (401): it is wrong, expired or revoked",
                    std::string("Run 'ccu gist set-token' with a new token from ") + kTokensUrl + " (scope 'gist')");
}

ApiError missing_gist_scope_error() {
    return ApiError(ApiErrorKind::Auth, 403,
                    std::string("token lacks the gist scope: create one at ") + kTokensUrl + " with 'gist'",
                    "then store it with 'ccu gist set-token'");
}

ApiError gist_not_found_error(const std::string& gist_id) {
    return ApiError(ApiErrorKind::NotFound, 404,
                    "gist " + gist_id + " was not found (404): it was deleted, the id is wrong, "
                    "or it belongs to another account than the token's",
                    "Check the id at https://gist.github.com, then re-run 'ccu gist setup' "
                    "(--gist-id ID for an existing gist, --create for a new one)");
}

ApiError rate_limited_error(std::optional<std::chrono::system_clock::time_point> until, int http_status,
                            const std::string& detail) {
    std::string message = "GitHub rate limit reached";
    if (!detail.empty()) message += " (" + detail + ")";
    std::string hint;
    if (until) {
        const std::string when = timeutil::format_rfc3339(*until);
        message += "; it lifts at " + when;
        hint = "ccu does not wait that long; run the command again after " + when;
    } else {
        hint = "wait a few minutes and run the command again";
    }
    return ApiError(ApiErrorKind::RateLimited, http_status, message, hint, until);
}

ApiError network_error(const std::string& host, const std::string& curl_text) {
    return ApiError(ApiErrorKind::Network, 0, "could not reach " + host + ": " + curl_text,
                    "check the network connection and any proxy settings (HTTPS_PROXY, NO_PROXY), "
                    "then run the command again");
}

ApiError validation_error(int http_status, const std::string& github_message) {
    return ApiError(ApiErrorKind::Validation, http_status,
                    "GitHub rejected the request (" + std::to_string(http_status) + "): " + github_message,
                    "this is likely a bug in ccu; please report it with the output of -vv");
}

}  // namespace ccu::gist
