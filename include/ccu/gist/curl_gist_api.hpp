#pragma once
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>

#include "ccu/common/clock.hpp"
#include "ccu/common/environment.hpp"
#include "ccu/gist/gist_api.hpp"
#include "ccu/gist/retry_policy.hpp"

namespace ccu::gist {

// GitHub caps a raw_url download at 10 MB; ccu refuses anything larger.
inline constexpr std::size_t kMaxRawBytes = 10 * 1024 * 1024;

struct ClientOptions {
    std::string api_base_url = "https://api.github.com";  // CCU_GITHUB_API_URL
    std::string token;                                     // may be empty (then no Authorization)
    // Where the token came from ("GITHUB_TOKEN from the environment") and what fixes a refused
    // one: a 401 names both (auth::token_source_label / refused_token_fix).
    std::string token_label;
    std::string token_fix;
    std::string user_agent;                                // "ccu/<version>"
    std::chrono::seconds connect_timeout{10};
    std::chrono::seconds total_timeout{60};
    std::size_t max_response_bytes = 64 * 1024 * 1024;
    RetryLimits retry;
    // Told before each retry wait: "retrying in 4 s (2/5): HTTP 502" (the CLI shows it on a TTY).
    std::function<void(const std::string&)> on_retry;
    // Jitter for backoff, values in [0, 1). Empty: a random source. Tests inject a fixed one.
    std::function<double()> jitter;
};

// Defaults plus CCU_GITHUB_API_URL from `env`; registers the token with log::register_secret.
ClientOptions client_options_from(const ccu::Environment& env, std::string token);

// The libcurl GistApi. Sleeps for retries go through `clock` (which must outlive the API).
std::unique_ptr<GistApi> make_curl_gist_api(const ClientOptions& options, ccu::Clock& clock);

}  // namespace ccu::gist
