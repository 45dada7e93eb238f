#pragma once
#include <chrono>
#include <cstddef>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ccu/gist/retry_policy.hpp"

namespace ccu::gist {

// Response headers by lower-case name; repeated headers are joined with ", ".
class HeaderMap {
public:
    void add(std::string_view name, std::string_view value);
    std::optional<std::string> get(std::string_view name) const;  // case-insensitive
    const std::map<std::string, std::string>& all() const { return headers_; }
    void clear() { headers_.clear(); }

private:
    std::map<std::string, std::string> headers_;
};

struct HttpRequest {
    std::string method = "GET";  // GET, POST, PATCH
    std::string url;
    std::vector<std::pair<std::string, std::string>> headers;  // name, value
    std::string body;
    bool follow_redirects = false;  // only for raw fetches that carry no Authorization
    // WithoutFileContents: a gist document's files keep everything but their "content" text
    // (FileContentDropper, gist_json.hpp) as it arrives; the size cap applies to what is kept.
    enum class Keep { All, WithoutFileContents } keep = Keep::All;
};

struct HttpResponse {
    int status = 0;
    HeaderMap headers;
    std::string body;
};

struct TransportError {
    TransportFailure failure = TransportFailure::Fatal;
    std::string message;  // curl's error text, or why the size cap hit
    std::string host;
};

// Exactly one of response / error is set.
struct HttpResult {
    std::optional<HttpResponse> response;
    std::optional<TransportError> error;
};

struct SessionOptions {
    std::chrono::milliseconds connect_timeout{10000};
    std::chrono::milliseconds total_timeout{60000};
    std::size_t max_response_bytes = 64 * 1024 * 1024;
};

// One libcurl easy handle (connections are reused between requests), not thread-safe.
// TLS verification stays on; proxy variables work as libcurl reads them; the protocols are
// limited to http/https. Each request is logged at debug level with Authorization redacted.
class CurlSession {
public:
    explicit CurlSession(SessionOptions options);
    ~CurlSession();
    CurlSession(const CurlSession&) = delete;
    CurlSession& operator=(const CurlSession&) = delete;

    // Never throws for transport problems: they come back as HttpResult::error.
    // `max_bytes` (0 = the session's cap) limits the body for this request.
    HttpResult perform(const HttpRequest& request, std::size_t max_bytes = 0);

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// The retry policy's input from one request: the transport failure, or the status, the rate-limit
// headers and GitHub's JSON "message" of an error answer (src/gist/http_errors.cpp).
AttemptOutcome outcome_of(const HttpResult& result);

// scheme://host:port of a URL, lower-cased, with the default port filled in; nullopt if it
// does not parse. Two URLs with the same origin may share credentials; others may not.
std::optional<std::string> url_origin(const std::string& url);
std::string url_host(const std::string& url);  // host only, for messages; "" if unparsable

}  // namespace ccu::gist
