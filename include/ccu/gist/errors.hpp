#pragma once
#include <chrono>
#include <optional>
#include <string>

#include "ccu/common/error.hpp"

namespace ccu::gist {

// What kind of API failure happened. Auth maps to ErrorKind::NotConfigured (exit 3: fix the
// token); every other kind maps to ErrorKind::Network (exit 4: failure after retries).
enum class ApiErrorKind { Auth, NotFound, RateLimited, Network, Validation, Server };

std::string_view api_error_kind_name(ApiErrorKind kind);

class ApiError : public ccu::Error {
public:
    using time_point = std::chrono::system_clock::time_point;

    ApiError(ApiErrorKind api_kind, int http_status, const std::string& message, std::string hint = {},
             std::optional<time_point> retry_at = std::nullopt);

    ApiErrorKind api_kind() const noexcept { return api_kind_; }
    int http_status() const noexcept { return http_status_; }  // 0 when no HTTP response
    // When a rate limit lifts (from Retry-After or x-ratelimit-reset), if known.
    std::optional<time_point> retry_at() const noexcept { return retry_at_; }

private:
    ApiErrorKind api_kind_;
    int http_status_;
    std::optional<time_point> retry_at_;
};

// The standard errors, with messages that say what to do next. Shared by the client and by
// callers that detect the same conditions themselves (e.g. setup checking token scopes).
// 401; `label` says which token ("GITHUB_TOKEN from the environment"), `fix` what works for it.
ApiError token_refused_error(const std::string& label = {}, const std::string& fix = {});
ApiError missing_gist_scope_error();                    // classic token without 'gist'
ApiError gist_not_found_error(const std::string& gist_id);  // 404 on a gist
ApiError rate_limited_error(std::optional<std::chrono::system_clock::time_point> until, int http_status,
                            const std::string& detail);
ApiError network_error(const std::string& host, const std::string& curl_text);
ApiError validation_error(int http_status, const std::string& github_message);

}  // namespace ccu::gist
