#include "ccu/common/text.hpp"
#include "ccu/gist/retry_policy.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <ctime>

namespace ccu::gist {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using time_point = std::chrono::system_clock::time_point;

constexpr milliseconds kBackoffBase{1000};
constexpr milliseconds kBackoffCap{60000};
// x-ratelimit-reset has second resolution: wait one more second so the window has surely turned.
constexpr milliseconds kResetMargin{1000};

std::optional<std::int64_t> parse_int(std::string_view text) {
    text = trim(text);
    std::int64_t value = 0;
    const auto* end = text.data() + text.size();
    const auto [ptr, ec] = std::from_chars(text.data(), end, value);
    if (text.empty() || ec != std::errc() || ptr != end) return std::nullopt;
    return value;
}

// IMF-fixdate, the form RFC 9110 requires senders to use: "Sun, 06 Nov 1994 08:49:37 GMT".
std::optional<time_point> parse_http_date(std::string_view text) {
    std::tm tm{};
    const std::string s(trim(text));
    const char* end = strptime(s.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
    if (end == nullptr || *end != '\0') return std::nullopt;
    const std::time_t t = timegm(&tm);
    if (t == static_cast<std::time_t>(-1)) return std::nullopt;
    return std::chrono::system_clock::from_time_t(t);
}

bool is_retryable_status(int status, RateLimitKind rate_limit) {
    return status >= 500 || status == 429 || rate_limit != RateLimitKind::None;
}

std::string describe_transport(TransportFailure failure) {
    switch (failure) {
        case TransportFailure::None: return "response";
        case TransportFailure::NotConnected: return "could not connect";
        case TransportFailure::Timeout: return "timeout";
        case TransportFailure::Interrupted: return "connection interrupted";
        case TransportFailure::Fatal: return "fatal transport error";
    }
    return "transport error";
}

// How long the server asks us to wait, if it says so; else nullopt (then: backoff).
std::optional<milliseconds> server_requested_wait(const AttemptOutcome& outcome, time_point now,
                                                  std::string& reason) {
    if (outcome.retry_after) {
        if (auto wait = parse_retry_after(*outcome.retry_after, now)) {
            reason += " (Retry-After " + *outcome.retry_after + ")";
            return wait;
        }
    }
    const bool exhausted = outcome.ratelimit_remaining && parse_int(*outcome.ratelimit_remaining) == 0;
    if (exhausted && outcome.ratelimit_reset) {
        if (auto reset = parse_int(*outcome.ratelimit_reset)) {
            const time_point at = std::chrono::system_clock::from_time_t(static_cast<std::time_t>(*reset));
            const auto until = std::chrono::duration_cast<milliseconds>(at - now);
            reason += " (until x-ratelimit-reset " + *outcome.ratelimit_reset + ")";
            return std::max(milliseconds{0}, until) + kResetMargin;
        }
    }
    return std::nullopt;
}

}  // namespace

RateLimitKind classify_rate_limit(int status, const std::optional<std::string>& remaining,
                                  std::string_view message) {
    if (status != 403 && status != 429) return RateLimitKind::None;
    if (remaining && parse_int(*remaining) == 0) return RateLimitKind::Primary;
    const std::string msg = to_lower(message);
    if (msg.find("secondary rate limit") != std::string::npos) return RateLimitKind::Secondary;
    if (msg.find("abuse detection") != std::string::npos) return RateLimitKind::Secondary;  // older wording
    if (status == 429) return RateLimitKind::Secondary;
    return RateLimitKind::None;
}

std::optional<milliseconds> parse_retry_after(std::string_view value, time_point now) {
    if (auto secs = parse_int(value)) {
        if (*secs < 0) return std::nullopt;
        return std::chrono::duration_cast<milliseconds>(seconds(*secs));
    }
    if (auto at = parse_http_date(value)) {
        return std::max(milliseconds{0}, std::chrono::duration_cast<milliseconds>(*at - now));
    }
    return std::nullopt;
}

milliseconds backoff_delay(int attempts_made, double jitter) {
    const int exponent = std::clamp(attempts_made - 1, 0, 16);
    const auto full = std::min(kBackoffCap, kBackoffBase * (std::int64_t{1} << exponent));
    const double j = std::clamp(jitter, 0.0, 1.0);
    // "Equal jitter": half fixed, half random, so concurrent clients spread out but never retry at once.
    const auto half = static_cast<double>(full.count()) / 2.0;
    return milliseconds(static_cast<std::int64_t>(std::floor(half + half * j)));
}

RetryDecision decide(const AttemptOutcome& outcome, RequestSafety safety, const RetryState& state,
                     const RetryLimits& limits, time_point now, double jitter) {
    RetryDecision d;
    bool retryable = false;
    std::optional<milliseconds> wait;
    if (outcome.failure == TransportFailure::None) {
        if (outcome.status < 400) return d;  // success or 304: nothing to retry
        d.rate_limit = classify_rate_limit(outcome.status, outcome.ratelimit_remaining, outcome.message);
        d.reason = "HTTP " + std::to_string(outcome.status);
        if (d.rate_limit == RateLimitKind::Primary) d.reason += " primary rate limit";
        if (d.rate_limit == RateLimitKind::Secondary) d.reason += " secondary rate limit";
        if (!is_retryable_status(outcome.status, d.rate_limit)) return d;  // 400/401/404/422, plain 403
        wait = server_requested_wait(outcome, now, d.reason);
        // A request the server answered was received: only idempotent ones may be repeated.
        retryable = safety == RequestSafety::Idempotent;
    } else {
        d.reason = describe_transport(outcome.failure);
        retryable = outcome.failure == TransportFailure::NotConnected ||
                    (safety == RequestSafety::Idempotent && outcome.failure != TransportFailure::Fatal);
    }
    if (!wait) wait = backoff_delay(state.attempts_made, jitter);
    if (d.rate_limit != RateLimitKind::None) d.retry_at = now + *wait;
    if (!retryable) return d;
    if (state.attempts_made >= limits.max_attempts) {
        d.reason += "; attempts exhausted";
        return d;
    }
    if (*wait > limits.max_single_wait || state.waited + *wait > limits.total_wait_budget) {
        d.reason += "; wait beyond the budget";
        return d;
    }
    d.action = RetryAction::Retry;
    d.wait = *wait;
    return d;
}

}  // namespace ccu::gist
