#include "http_errors.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include "ccu/common/text.hpp"

namespace ccu::gist {
namespace {

const char* const kReportHint = "try again later; if it persists, report it with the output of -vv";

// GitHub's error documents: {"message": "...", "errors": [{"resource","field","code","message"}]}.
std::string github_detail(const std::string& body) {
    const auto doc = nlohmann::json::parse(body, nullptr, false);
    if (!doc.is_object()) return {};
    std::string detail = doc.value("message", std::string());
    if (const auto it = doc.find("errors"); it != doc.end() && it->is_array()) {
        for (const auto& e : *it) {
            if (!e.is_object()) continue;
            std::string part = e.value("message", std::string());
            if (part.empty()) part = e.value("field", std::string()) + " " + e.value("code", std::string());
            detail += (detail.empty() ? "" : "; ") + part;
        }
    }
    return detail;
}

bool token_lacks_gist_scope(const HttpResponse& response) {
    const auto scopes = response.headers.get("x-oauth-scopes");
    if (!scopes) return false;  // fine-grained token or no token: scopes unknown
    const std::string list = "," + to_lower(*scopes) + ",";
    std::string compact;
    std::copy_if(list.begin(), list.end(), std::back_inserter(compact), [](char c) { return c != ' '; });
    return compact.find(",gist,") == std::string::npos;
}

ApiError raw_error(int status) {
    if (status == 404) {
        // A raw file vanishing mid-read is a race with another writer, not a configuration problem.
        return ApiError(ApiErrorKind::Network, status, "a gist file's raw URL answered 404 Not Found",
                        "the gist probably changed while ccu read it; run the command again");
    }
    if (status == 403) {
        return ApiError(ApiErrorKind::Server, status,
                        "GitHub refused to serve a gist file raw (403): files over 10 MB cannot be downloaded "
                        "that way",
                        "a file that large was not written by ccu (it keeps files under 4 MiB); remove or "
                        "split it in the gist");
    }
    return ApiError(ApiErrorKind::Server, status,
                    "downloading a gist file failed with HTTP " + std::to_string(status), kReportHint);
}

}  // namespace

AttemptOutcome outcome_of(const HttpResult& result) {
    AttemptOutcome o;
    if (result.error) {
        o.failure = result.error->failure;
        return o;
    }
    const HttpResponse& r = *result.response;
    o.status = r.status;
    o.retry_after = r.headers.get("retry-after");
    o.ratelimit_remaining = r.headers.get("x-ratelimit-remaining");
    o.ratelimit_reset = r.headers.get("x-ratelimit-reset");
    if (r.status >= 400) {
        const auto doc = nlohmann::json::parse(r.body, nullptr, false);
        if (doc.is_object() && doc.contains("message") && doc["message"].is_string()) {
            o.message = doc["message"].get<std::string>();
        }
    }
    return o;
}

ApiError error_for_transport(const TransportError& error, RequestSafety safety, int attempts) {
    if (error.failure == TransportFailure::Fatal) {
        return ApiError(ApiErrorKind::Network, 0, "request to " + error.host + " failed: " + error.message,
                        "check the network, proxy and TLS settings; run with -vv for details");
    }
    if (safety == RequestSafety::NotIdempotent && error.failure != TransportFailure::NotConnected) {
        return ApiError(ApiErrorKind::Network, 0,
                        "the connection to " + error.host + " failed after the request was sent (" + error.message +
                            "); the gist may or may not have been created",
                        "look for a new gist at https://gist.github.com before creating another; "
                        "then run 'ccu gist setup --gist-id ID' with it, or --create again");
    }
    ApiError e = network_error(error.host, error.message);
    if (attempts > 1) {
        return ApiError(ApiErrorKind::Network, 0, std::string(e.what()) + " (after " + std::to_string(attempts) +
                                                      " attempts)", e.hint());
    }
    return e;
}

ApiError error_for_response(const std::string& method, const HttpResponse& response, const std::string& message,
                            const RetryDecision& decision, Endpoint endpoint, const std::string& gist_id,
                            int attempts) {
    const int status = response.status;
    if (endpoint == Endpoint::Raw && decision.rate_limit == RateLimitKind::None && status < 500) {
        return raw_error(status);
    }
    const std::string detail = github_detail(response.body);
    const bool write = method == "POST" || method == "PATCH" || method == "DELETE";
    if (status == 401) return token_refused_error();
    if (decision.rate_limit != RateLimitKind::None) {
        return rate_limited_error(decision.retry_at, status,
                                  decision.rate_limit == RateLimitKind::Primary ? "request quota used up"
                                                                                : "secondary rate limit");
    }
    // GitHub answers 404 (sometimes 403) to a write by a classic token without the gist scope.
    if ((status == 403 || status == 404) && write && token_lacks_gist_scope(response)) {
        return missing_gist_scope_error();
    }
    if (status == 404 && !gist_id.empty()) return gist_not_found_error(gist_id);
    if (status == 404) {
        return ApiError(ApiErrorKind::NotFound, status, "GitHub answered 404 Not Found" +
                                                            (detail.empty() ? "" : ": " + detail),
                        "check CCU_GITHUB_API_URL and the token, then run the command again");
    }
    if (status == 403) {
        return ApiError(ApiErrorKind::Auth, status,
                        "GitHub refused access (403)" + (detail.empty() ? "" : ": " + detail),
                        "the token may not write gists: a classic token needs the 'gist' scope, a fine-grained "
                        "one the 'Gists' read and write permission. Run 'ccu gist set-token' with one from "
                        "https://github.com/settings/tokens");
    }
    if (status == 400 || status == 422) return validation_error(status, detail.empty() ? message : detail);
    if (status >= 500 && method == "POST") {
        return ApiError(ApiErrorKind::Server, status,
                        "GitHub failed with HTTP " + std::to_string(status) +
                            " while creating the gist; it may or may not have been created (not retried)",
                        "look for a new gist at https://gist.github.com before creating another; "
                        "then run 'ccu gist setup --gist-id ID' with it, or --create again");
    }
    if (status >= 500) {
        return ApiError(ApiErrorKind::Server, status,
                        "GitHub failed with HTTP " + std::to_string(status) + " (" + std::to_string(attempts) +
                            (attempts == 1 ? " attempt)" : " attempts)"),
                        "GitHub may be having problems (https://www.githubstatus.com); try again later");
    }
    return ApiError(ApiErrorKind::Server, status,
                    "GitHub answered HTTP " + std::to_string(status) + (detail.empty() ? "" : ": " + detail),
                    kReportHint);
}

ApiError unexpected_document(const std::string& what) {
    return ApiError(ApiErrorKind::Server, 0, "GitHub sent an unexpected " + what + " document", kReportHint);
}

}  // namespace ccu::gist
