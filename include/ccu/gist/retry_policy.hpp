#pragma once
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace ccu::gist {

// Bounds for one logical request: attempts, longest single wait, and the sum of all waits
// (cron must not hang: a wait beyond these fails at once instead).
struct RetryLimits {
    int max_attempts = 5;
    std::chrono::milliseconds max_single_wait{60000};
    std::chrono::milliseconds total_wait_budget{120000};
};

// Whether repeating a request that may have reached the server is harmless.
// POST /gists is not: a lost response may hide a created gist, so it is only retried when
// the connection was never established (nothing was sent).
enum class RequestSafety { Idempotent, NotIdempotent };

// How an attempt failed below HTTP (no status code).
enum class TransportFailure {
    None,          // an HTTP response arrived
    NotConnected,  // resolve/connect failed: nothing was sent
    Timeout,       // connect or total timeout after something may have been sent
    Interrupted,   // connection dropped, empty reply, body shorter than Content-Length
    Fatal,         // TLS verification, response size cap, bad URL: retrying cannot help
};

enum class RateLimitKind { None, Primary, Secondary };

// Everything decide() needs to know about one attempt; header values are raw strings.
struct AttemptOutcome {
    TransportFailure failure = TransportFailure::None;
    int status = 0;
    std::optional<std::string> retry_after;           // Retry-After
    std::optional<std::string> ratelimit_remaining;   // x-ratelimit-remaining
    std::optional<std::string> ratelimit_reset;       // x-ratelimit-reset (epoch seconds)
    std::string message;                              // GitHub's JSON "message", if any
};

struct RetryState {
    int attempts_made = 0;                   // including the one just judged
    std::chrono::milliseconds waited{0};     // sum of the waits so far
};

enum class RetryAction { Stop, Retry };

struct RetryDecision {
    RetryAction action = RetryAction::Stop;
    std::chrono::milliseconds wait{0};  // sleep this long before the next attempt (Retry)
    // For a rate limit that stops: when it lifts, if known (the error reports it).
    std::optional<std::chrono::system_clock::time_point> retry_at;
    RateLimitKind rate_limit = RateLimitKind::None;
    std::string reason;  // e.g. "HTTP 502", "rate limit (Retry-After 30s)", for logs
};

// 403/429 with x-ratelimit-remaining: 0 → Primary; a "secondary rate limit" message or a
// 429 otherwise → Secondary.
RateLimitKind classify_rate_limit(int status, const std::optional<std::string>& remaining,
                                  std::string_view message);

// Retry-After as delta-seconds or HTTP-date, relative to `now`; nullopt when unparsable.
std::optional<std::chrono::milliseconds> parse_retry_after(std::string_view value,
                                                            std::chrono::system_clock::time_point now);

// Exponential backoff before attempt n+1 after `attempts_made` attempts: base 1 s, factor 2,
// cap 60 s, scaled into [d/2, d) by `jitter` in [0, 1).
std::chrono::milliseconds backoff_delay(int attempts_made, double jitter);

// The whole policy, pure: given one attempt's outcome, whether and how long to wait before
// the next. `jitter` in [0, 1) comes from an injectable source.
RetryDecision decide(const AttemptOutcome& outcome, RequestSafety safety, const RetryState& state,
                     const RetryLimits& limits, std::chrono::system_clock::time_point now, double jitter);

}  // namespace ccu::gist
