#include <catch2/catch.hpp>

#include <random>

#include "ccu/gist/retry_policy.hpp"

using namespace ccu::gist;
using namespace std::chrono_literals;
using std::chrono::milliseconds;

namespace {

const auto kNow = std::chrono::system_clock::from_time_t(1'800'000'000);

AttemptOutcome http(int status) {
    AttemptOutcome o;
    o.status = status;
    return o;
}

AttemptOutcome transport(TransportFailure failure) {
    AttemptOutcome o;
    o.failure = failure;
    return o;
}

RetryDecision judge(const AttemptOutcome& o, RequestSafety safety = RequestSafety::Idempotent, int attempts = 1,
                    milliseconds waited = 0ms, RetryLimits limits = {}, double jitter = 0.0) {
    return decide(o, safety, RetryState{attempts, waited}, limits, kNow, jitter);
}

}  // namespace

TEST_CASE("success and not-modified are never retried", "[retry]") {
    for (int status : {200, 201, 204, 304}) {
        CAPTURE(status);
        const auto d = judge(http(status));
        CHECK(d.action == RetryAction::Stop);
        CHECK(d.rate_limit == RateLimitKind::None);
    }
}

TEST_CASE("client errors are never retried", "[retry]") {
    for (int status : {400, 401, 403, 404, 409, 410, 422}) {
        CAPTURE(status);
        CHECK(judge(http(status)).action == RetryAction::Stop);
    }
}

TEST_CASE("5xx and 429 are retried for idempotent requests", "[retry]") {
    for (int status : {500, 502, 503, 504, 429}) {
        CAPTURE(status);
        const auto d = judge(http(status));
        CHECK(d.action == RetryAction::Retry);
        CHECK(d.wait == 500ms);  // first backoff: 1 s with jitter 0 → lower half
    }
}

TEST_CASE("transport failures: which are retried", "[retry]") {
    CHECK(judge(transport(TransportFailure::NotConnected)).action == RetryAction::Retry);
    CHECK(judge(transport(TransportFailure::Timeout)).action == RetryAction::Retry);
    CHECK(judge(transport(TransportFailure::Interrupted)).action == RetryAction::Retry);
    CHECK(judge(transport(TransportFailure::Fatal)).action == RetryAction::Stop);
}

TEST_CASE("POST is retried only when nothing was sent", "[retry]") {
    const auto post = RequestSafety::NotIdempotent;
    CHECK(judge(transport(TransportFailure::NotConnected), post).action == RetryAction::Retry);
    CHECK(judge(transport(TransportFailure::Timeout), post).action == RetryAction::Stop);
    CHECK(judge(transport(TransportFailure::Interrupted), post).action == RetryAction::Stop);
    CHECK(judge(http(502), post).action == RetryAction::Stop);
    CHECK(judge(http(500), post).action == RetryAction::Stop);
    auto limited = http(429);
    limited.retry_after = "5";
    const auto d = judge(limited, post);
    CHECK(d.action == RetryAction::Stop);
    REQUIRE(d.retry_at);  // the error can still say when to come back
    CHECK(*d.retry_at == kNow + 5s);
}

TEST_CASE("rate limit classification", "[retry]") {
    CHECK(classify_rate_limit(403, std::string("0"), "API rate limit exceeded") == RateLimitKind::Primary);
    CHECK(classify_rate_limit(429, std::string("0"), "") == RateLimitKind::Primary);
    CHECK(classify_rate_limit(403, std::string("4999"),
                              "You have exceeded a secondary rate limit. Please wait a few minutes") ==
          RateLimitKind::Secondary);
    CHECK(classify_rate_limit(403, std::nullopt, "You have triggered an abuse detection mechanism") ==
          RateLimitKind::Secondary);
    CHECK(classify_rate_limit(429, std::nullopt, "") == RateLimitKind::Secondary);
    CHECK(classify_rate_limit(403, std::string("12"), "Resource not accessible") == RateLimitKind::None);
    CHECK(classify_rate_limit(403, std::nullopt, "") == RateLimitKind::None);
    CHECK(classify_rate_limit(404, std::string("0"), "") == RateLimitKind::None);
    CHECK(classify_rate_limit(500, std::string("0"), "") == RateLimitKind::None);
}

TEST_CASE("a plain 403 is not retried, a rate-limit 403 is", "[retry]") {
    auto forbidden = http(403);
    forbidden.message = "Must have admin rights";
    forbidden.ratelimit_remaining = "4000";
    CHECK(judge(forbidden).action == RetryAction::Stop);

    auto secondary = http(403);
    secondary.message = "You have exceeded a secondary rate limit.";
    secondary.ratelimit_remaining = "4000";
    const auto d = judge(secondary);
    CHECK(d.action == RetryAction::Retry);
    CHECK(d.rate_limit == RateLimitKind::Secondary);
}

TEST_CASE("Retry-After wins over reset and backoff", "[retry]") {
    auto o = http(403);
    o.ratelimit_remaining = "0";
    o.ratelimit_reset = std::to_string(1'800'000'000 + 50);
    o.retry_after = "7";
    const auto d = judge(o);
    CHECK(d.action == RetryAction::Retry);
    CHECK(d.wait == 7s);
    CHECK(d.rate_limit == RateLimitKind::Primary);
}

TEST_CASE("primary exhaustion waits until the reset (plus a second)", "[retry]") {
    auto o = http(403);
    o.ratelimit_remaining = "0";
    o.ratelimit_reset = std::to_string(1'800'000'000 + 30);
    const auto d = judge(o);
    CHECK(d.action == RetryAction::Retry);
    CHECK(d.wait == 31s);
    REQUIRE(d.retry_at);
    CHECK(*d.retry_at == kNow + 31s);
}

TEST_CASE("a reset in the past waits only the margin", "[retry]") {
    auto o = http(403);
    o.ratelimit_remaining = "0";
    o.ratelimit_reset = std::to_string(1'800'000'000 - 100);
    CHECK(judge(o).wait == 1s);
}

TEST_CASE("a reset beyond the budget fails now with the reset time", "[retry]") {
    auto o = http(403);
    o.ratelimit_remaining = "0";
    o.ratelimit_reset = std::to_string(1'800'000'000 + 3600);
    const auto d = judge(o);
    CHECK(d.action == RetryAction::Stop);
    CHECK(d.rate_limit == RateLimitKind::Primary);
    REQUIRE(d.retry_at);
    CHECK(*d.retry_at == kNow + 3601s);
}

TEST_CASE("a wait within one limit but beyond the total budget fails", "[retry]") {
    auto o = http(429);
    o.retry_after = "50";
    CHECK(judge(o, RequestSafety::Idempotent, 2, 60s).action == RetryAction::Retry);  // 110 s ≤ 120 s
    CHECK(judge(o, RequestSafety::Idempotent, 2, 71s).action == RetryAction::Stop);   // 121 s > 120 s
    o.retry_after = "61";
    CHECK(judge(o).action == RetryAction::Stop);  // single wait cap 60 s
}

TEST_CASE("attempts are bounded", "[retry]") {
    RetryLimits limits;
    limits.max_attempts = 3;
    CHECK(judge(http(502), RequestSafety::Idempotent, 2, 0ms, limits).action == RetryAction::Retry);
    CHECK(judge(http(502), RequestSafety::Idempotent, 3, 0ms, limits).action == RetryAction::Stop);
    limits.max_attempts = 1;
    CHECK(judge(transport(TransportFailure::NotConnected), RequestSafety::Idempotent, 1, 0ms, limits).action ==
          RetryAction::Stop);
}

TEST_CASE("Retry-After parsing", "[retry]") {
    CHECK(parse_retry_after("0", kNow) == 0ms);
    CHECK(parse_retry_after(" 120 ", kNow) == 120s);
    CHECK_FALSE(parse_retry_after("-3", kNow));
    CHECK_FALSE(parse_retry_after("soon", kNow));
    CHECK_FALSE(parse_retry_after("", kNow));
    // 1800000000 = Fri, 15 Jan 2027 08:00:00 GMT
    CHECK(parse_retry_after("Fri, 15 Jan 2027 08:00:45 GMT", kNow) == 45s);
    CHECK(parse_retry_after("Fri, 15 Jan 2027 07:00:00 GMT", kNow) == 0ms);  // past → now
    CHECK_FALSE(parse_retry_after("Fri, 15 Jan 2027 08:00:45 PST", kNow));
}

TEST_CASE("an HTTP-date Retry-After is honoured by decide", "[retry]") {
    auto o = http(503);
    o.retry_after = "Fri, 15 Jan 2027 08:00:09 GMT";
    CHECK(judge(o).wait == 9s);
}

TEST_CASE("backoff doubles from 1 s, caps at 60 s, jitter stays from d/2 up to but below d", "[retry]") {
    CHECK(backoff_delay(1, 0.0) == 500ms);
    CHECK(backoff_delay(1, 0.999) == 999ms);
    CHECK(backoff_delay(2, 0.0) == 1000ms);
    CHECK(backoff_delay(3, 0.5) == 3000ms);
    CHECK(backoff_delay(7, 0.0) == 30000ms);   // 64 s capped to 60 s
    CHECK(backoff_delay(40, 0.999) <= 60000ms);
    CHECK(backoff_delay(0, 0.0) == 500ms);
    CHECK(backoff_delay(1, 7.0) == 1000ms);    // out-of-range jitter is clamped

    std::mt19937 rng(12345);
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    for (int i = 0; i < 2000; ++i) {
        const int attempt = 1 + static_cast<int>(rng() % 12);
        const double j = unit(rng);
        const auto full = std::min<milliseconds>(60000ms, milliseconds(1000LL << (attempt - 1)));
        const auto d = backoff_delay(attempt, j);
        CAPTURE(attempt, j);
        CHECK(d >= full / 2);
        CHECK(d <= full);
        CHECK(backoff_delay(attempt, j) == d);  // deterministic for a given jitter
    }
}

TEST_CASE("property: no decision ever exceeds the limits", "[retry]") {
    std::mt19937 rng(987);
    const int statuses[] = {200, 304, 400, 401, 403, 404, 422, 429, 500, 502, 503};
    const TransportFailure failures[] = {TransportFailure::None, TransportFailure::NotConnected,
                                         TransportFailure::Timeout, TransportFailure::Interrupted,
                                         TransportFailure::Fatal};
    for (int i = 0; i < 5000; ++i) {
        AttemptOutcome o;
        o.failure = failures[rng() % 5];
        o.status = o.failure == TransportFailure::None ? statuses[rng() % 11] : 0;
        if (rng() % 2) o.retry_after = std::to_string(rng() % 200);
        if (rng() % 2) o.ratelimit_remaining = std::to_string(rng() % 3);
        if (rng() % 2) o.ratelimit_reset = std::to_string(1'800'000'000 + static_cast<int>(rng() % 400) - 100);
        if (rng() % 4 == 0) o.message = "secondary rate limit";
        RetryLimits limits;
        limits.max_attempts = 1 + static_cast<int>(rng() % 6);
        limits.max_single_wait = milliseconds(rng() % 90000);
        limits.total_wait_budget = milliseconds(rng() % 150000);
        const RetryState state{1 + static_cast<int>(rng() % 7), milliseconds(rng() % 150000)};
        const auto safety = rng() % 2 ? RequestSafety::Idempotent : RequestSafety::NotIdempotent;
        const auto d = decide(o, safety, state, limits, kNow, static_cast<double>(rng() % 1000) / 1000.0);
        if (d.action != RetryAction::Retry) continue;
        CHECK(state.attempts_made < limits.max_attempts);
        CHECK(d.wait <= limits.max_single_wait);
        CHECK(state.waited + d.wait <= limits.total_wait_budget);
        const bool never_retry = o.failure == TransportFailure::None &&
                                 (o.status < 400 || o.status == 400 || o.status == 401 || o.status == 404 ||
                                  o.status == 422);
        CHECK_FALSE(never_retry);
        if (safety == RequestSafety::NotIdempotent) CHECK(o.failure == TransportFailure::NotConnected);
    }
}
