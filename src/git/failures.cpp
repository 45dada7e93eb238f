#include "git/failures.hpp"

#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstring>

#include "ccu/common/text.hpp"
#include "git/libgit2_api.hpp"

namespace ccu::git {
namespace {

struct UrlParts {
    std::string scheme, host;
    int port = 0;
};

bool parse_url(const std::string& url, UrlParts& out) {
    const auto sep = url.find("://");
    if (sep == std::string::npos) return false;
    out.scheme = to_lower(url.substr(0, sep));
    if (out.scheme != "http" && out.scheme != "https") return false;
    std::string authority = url.substr(sep + 3, url.find_first_of("/?#", sep + 3) - (sep + 3));
    if (const auto at = authority.rfind('@'); at != std::string::npos) authority.erase(0, at + 1);
    out.port = out.scheme == "https" ? 443 : 80;
    std::string host = authority;
    const auto bracket = authority.find(']');
    const auto colon = authority.rfind(':');
    if (colon != std::string::npos && (bracket == std::string::npos || colon > bracket)) {
        host = authority.substr(0, colon);
        const std::string port = authority.substr(colon + 1);
        int value = 0;
        const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
        if (ec != std::errc() || end != port.data() + port.size() || value <= 0 || value > 65535) return false;
        out.port = value;
    }
    if (host.empty()) return false;
    out.host = to_lower(host);
    return true;
}

bool contains(const std::string& text, const char* needle) { return text.find(needle) != std::string::npos; }

}  // namespace

std::string origin_of(const std::string& url) {
    UrlParts p;
    if (!parse_url(url, p)) return {};
    return p.scheme + "://" + p.host + ":" + std::to_string(p.port);
}

std::string host_of(const std::string& url) {
    UrlParts p;
    return parse_url(url, p) ? p.host : std::string();
}

bool is_local_damage(int klass) {
    switch (klass) {
        case GIT_ERROR_ODB:
        case GIT_ERROR_ZLIB:
        case GIT_ERROR_INDEXER:
        case GIT_ERROR_REFERENCE:
        case GIT_ERROR_REPOSITORY:
        case GIT_ERROR_OBJECT:
        case GIT_ERROR_TREE:
        case GIT_ERROR_SHA1:
        case GIT_ERROR_CONFIG:
            return true;
        default:
            return false;
    }
}

bool is_disk_full(const std::string& message) {
    for (const int code : {ENOSPC, EFBIG, EDQUOT}) {
        if (contains(message, std::strerror(code))) return true;
    }
    return false;
}

Error mirror_disk_full_error(const std::filesystem::path& dir, const std::string& message) {
    return Error(ErrorKind::Unexpected, "cannot write the git mirror " + dir.string() + ": " + message,
                 "check free disk space (and any quota or file size limit), then run the command again: "
                 "the mirror is completed or rebuilt from the gist, the store is unchanged");
}

gist::AttemptOutcome attempt_outcome(int klass, const std::string& message, bool timed_out) {
    gist::AttemptOutcome o;
    if (timed_out) {
        o.failure = gist::TransportFailure::Timeout;
        return o;
    }
    static const std::string kStatus = "unexpected http status code: ";
    if (const auto at = message.find(kStatus); at != std::string::npos) {
        int status = 0;
        const char* begin = message.data() + at + kStatus.size();
        std::from_chars(begin, message.data() + message.size(), status);
        if (status > 0) {
            o.status = status;
            return o;
        }
    }
    // A 401 without a Basic challenge: libgit2 cannot even ask for credentials. A 401 to the push's
    // POST after the advertisement took the credentials: libgit2 does not ask again.
    if (contains(message, "requires authentication") || contains(message, "unexpected authentication failure")) {
        o.status = 401;
        return o;
    }
    if (contains(message, "timed out")) {
        o.failure = gist::TransportFailure::Timeout;
    } else if (klass == GIT_ERROR_SSL || contains(message, "certificate")) {
        o.failure = gist::TransportFailure::Fatal;
    } else if (contains(message, "failed to connect") || contains(message, "failed to resolve")) {
        o.failure = gist::TransportFailure::NotConnected;
    } else if (klass == GIT_ERROR_NET || klass == GIT_ERROR_OS || klass == GIT_ERROR_HTTP ||
               contains(message, "early EOF") || contains(message, "socket")) {
        o.failure = gist::TransportFailure::Interrupted;
    } else {
        o.failure = gist::TransportFailure::Fatal;
    }
    return o;
}

gist::ApiError git_token_refused_error() {
    return gist::ApiError(gist::ApiErrorKind::Auth, 401,
                          "GitHub's git endpoint refused the token (401): it is wrong, expired or revoked",
                          gist::token_refused_error().hint());
}

gist::ApiError git_forbidden_error() {
    return gist::ApiError(gist::ApiErrorKind::Auth, 403,
                          "GitHub's git endpoint refused access to the gist (403)",
                          "the token may not write gists: a classic token needs the 'gist' scope, a fine-grained "
                          "one the 'Gists' read and write permission. Run 'ccu gist set-token' with one from "
                          "https://github.com/settings/tokens");
}

gist::ApiError git_not_found_error(const std::string& url) {
    return gist::ApiError(gist::ApiErrorKind::NotFound, 404,
                          "the gist's git repository " + url + " was not found (404)",
                          "Check the id at https://gist.github.com, then re-run 'ccu gist setup' "
                          "(--gist-id ID for an existing gist, --create for a new one)");
}

gist::ApiError git_final_error(const gist::AttemptOutcome& outcome, const gist::RetryDecision& decision,
                               const std::string& host, const std::string& message, int attempts) {
    if (decision.rate_limit != gist::RateLimitKind::None) {
        return gist::rate_limited_error(decision.retry_at, outcome.status, "git endpoint");
    }
    const std::string tries = " (" + std::to_string(attempts) + (attempts == 1 ? " attempt)" : " attempts)");
    if (outcome.status >= 500) {
        return gist::ApiError(gist::ApiErrorKind::Server, outcome.status,
                              "GitHub's git endpoint failed with HTTP " + std::to_string(outcome.status) + tries,
                              "GitHub may be having problems (https://www.githubstatus.com); try again later");
    }
    if (outcome.status > 0) {
        return gist::ApiError(gist::ApiErrorKind::Server, outcome.status,
                              "GitHub's git endpoint answered HTTP " + std::to_string(outcome.status) + tries,
                              "try again later; if it persists, report it with the output of -vv");
    }
    if (outcome.failure == gist::TransportFailure::Fatal) {
        return gist::ApiError(gist::ApiErrorKind::Network, 0, "git request to " + host + " failed: " + message,
                              "check the network, proxy and TLS settings; run with -vv for details");
    }
    const gist::ApiError e = gist::network_error(host, message);
    return gist::ApiError(gist::ApiErrorKind::Network, 0, std::string(e.what()) + tries, e.hint());
}

}  // namespace ccu::git
