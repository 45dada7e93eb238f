#include "ccu/gist/curl_session.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <mutex>
#include <optional>
#include <stdexcept>
#include "ccu/common/text.hpp"
#include "gist_json.hpp"
#include "libcurl.hpp"

namespace ccu::gist {
namespace {

void global_init_once() {
    static std::once_flag once;
    std::call_once(once, [] {
        load_libcurl();
        if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) throw std::runtime_error("curl_global_init failed");
    });
}

struct EasyDeleter {
    void operator()(CURL* h) const { curl_easy_cleanup(h); }
};
struct SlistDeleter {
    void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};
struct UrlDeleter {
    void operator()(CURLU* u) const { curl_url_cleanup(u); }
};
struct CurlStringDeleter {
    void operator()(char* s) const { curl_free(s); }
};
using EasyHandle = std::unique_ptr<CURL, EasyDeleter>;
using Slist = std::unique_ptr<curl_slist, SlistDeleter>;
using CurlString = std::unique_ptr<char, CurlStringDeleter>;

// State the libcurl callbacks write into during one transfer.
struct Transfer {
    HttpResponse response;
    std::size_t max_bytes = 0;
    bool cap_exceeded = false;
    std::optional<FileContentDropper> dropper;  // HttpRequest::Keep::WithoutFileContents
};

std::size_t on_body(char* data, std::size_t size, std::size_t count, void* user) {
    auto* t = static_cast<Transfer*>(user);
    const std::size_t n = size * count;
    if (t->dropper) {
        t->dropper->feed(std::string_view(data, n), t->response.body);
    } else if (t->response.body.size() + n <= t->max_bytes) {
        t->response.body.append(data, n);
    } else {
        t->cap_exceeded = true;
    }
    if (t->cap_exceeded || t->response.body.size() > t->max_bytes) {
        t->cap_exceeded = true;
        return 0;  // makes libcurl abort with CURLE_WRITE_ERROR
    }
    return n;
}

std::size_t on_header(char* data, std::size_t size, std::size_t count, void* user) {
    auto* t = static_cast<Transfer*>(user);
    const std::size_t n = size * count;
    const std::string_view line(data, n);
    if (line.rfind("HTTP/", 0) == 0) {
        t->response.headers.clear();  // a new response (after a redirect or 100 Continue)
    } else if (const auto colon = line.find(':'); colon != std::string_view::npos) {
        t->response.headers.add(trim(line.substr(0, colon)), trim(line.substr(colon + 1)));
    }
    return n;
}

TransportFailure classify(CURLcode code, bool nothing_sent) {
    switch (code) {
        case CURLE_PEER_FAILED_VERIFICATION:
        case CURLE_SSL_CACERT_BADFILE:
        case CURLE_SSL_CERTPROBLEM:
        case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
        case CURLE_FILESIZE_EXCEEDED:
        case CURLE_WRITE_ERROR:
        case CURLE_UNSUPPORTED_PROTOCOL:
        case CURLE_URL_MALFORMAT:
        case CURLE_TOO_MANY_REDIRECTS:
        case CURLE_OUT_OF_MEMORY:
            return TransportFailure::Fatal;
        case CURLE_COULDNT_RESOLVE_HOST:
        case CURLE_COULDNT_RESOLVE_PROXY:
        case CURLE_COULDNT_CONNECT:
            return TransportFailure::NotConnected;
        default:
            break;
    }
    if (nothing_sent) return TransportFailure::NotConnected;
    if (code == CURLE_OPERATION_TIMEDOUT) return TransportFailure::Timeout;
    return TransportFailure::Interrupted;
}

std::string redacted_header_line(const std::string& name, const std::string& value) {
    return name + ": " + (to_lower(name) == "authorization" ? std::string("[REDACTED]") : value);
}

}  // namespace

void HeaderMap::add(std::string_view name, std::string_view value) {
    auto& slot = headers_[to_lower(name)];
    slot = slot.empty() ? std::string(value) : slot + ", " + std::string(value);
}

std::optional<std::string> HeaderMap::get(std::string_view name) const {
    const auto it = headers_.find(to_lower(name));
    if (it == headers_.end()) return std::nullopt;
    return it->second;
}

struct CurlSession::Impl {
    SessionOptions options;
    EasyHandle easy;
};

CurlSession::CurlSession(SessionOptions options) : impl_(std::make_unique<Impl>()) {
    global_init_once();
    impl_->options = options;
    impl_->easy.reset(curl_easy_init());
    if (!impl_->easy) throw std::runtime_error("curl_easy_init failed");
}

CurlSession::~CurlSession() = default;

namespace {

Slist header_list(const HttpRequest& request) {
    Slist headers;
    const auto append = [&headers](const std::string& line) {
        curl_slist* next = curl_slist_append(headers.get(), line.c_str());
        if (next == nullptr) throw std::runtime_error("curl_slist_append failed");
        headers.release();  // curl_slist_append extended the list in place (or made its head)
        headers.reset(next);
    };
    for (const auto& [name, value] : request.headers) {
        append(name + ": " + value);
        spdlog::debug("  > {}", redacted_header_line(name, value));
    }
    append("Expect:");  // no "Expect: 100-continue" round trip for request bodies
    return headers;
}

void set_method(CURL* h, const HttpRequest& request) {
    if (request.method == "POST" || request.method == "PATCH") {
        if (request.method == "PATCH") curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, "PATCH");
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, request.body.c_str());
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
    } else if (request.method != "GET") {
        curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, request.method.c_str());
    }
}

TransportError transport_error(CURL* h, CURLcode code, const Transfer& transfer, const HttpRequest& request,
                               const char* error_text) {
    long sent = 0;
    curl_easy_getinfo(h, CURLINFO_REQUEST_SIZE, &sent);
    TransportError error;
    error.host = url_host(request.url);
    const bool too_large = transfer.cap_exceeded || code == CURLE_FILESIZE_EXCEEDED;
    error.failure = too_large ? TransportFailure::Fatal : classify(code, sent == 0);
    error.message = too_large ? "the response exceeded the size limit of " + std::to_string(transfer.max_bytes) +
                                    " bytes; the transfer was aborted"
                              : std::string(error_text[0] != '\0' ? error_text : curl_easy_strerror(code));
    spdlog::debug("  ! {} ({})", error.message, static_cast<int>(code));
    return error;
}

}  // namespace

HttpResult CurlSession::perform(const HttpRequest& request, std::size_t max_bytes) {
    CURL* h = impl_->easy.get();
    curl_easy_reset(h);  // keeps the connection cache
    Transfer transfer;
    transfer.max_bytes = max_bytes != 0 ? max_bytes : impl_->options.max_response_bytes;
    if (request.keep == HttpRequest::Keep::WithoutFileContents) transfer.dropper.emplace();
    spdlog::debug("HTTP {} {}", request.method, request.url);
    const Slist headers = header_list(request);

    char error_text[CURL_ERROR_SIZE] = {};
    curl_easy_setopt(h, CURLOPT_URL, request.url.c_str());
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers.get());
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, error_text);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, request.follow_redirects ? 1L : 0L);
    curl_easy_setopt(h, CURLOPT_MAXREDIRS, 5L);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(impl_->options.connect_timeout.count()));
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(impl_->options.total_timeout.count()));
    curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");  // whatever libcurl can decode
    if (!transfer.dropper) curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(transfer.max_bytes));
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &transfer);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, &transfer);
    set_method(h, request);

    const CURLcode code = curl_easy_perform(h);
    HttpResult result;
    if (code != CURLE_OK) {
        result.error = transport_error(h, code, transfer, request, error_text);
        return result;
    }
    long status = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    transfer.response.status = static_cast<int>(status);
    spdlog::debug("  < HTTP {} ({} bytes)", status, transfer.response.body.size());
    for (const auto& [name, value] : transfer.response.headers.all()) spdlog::debug("  < {}: {}", name, value);
    result.response = std::move(transfer.response);
    return result;
}

std::optional<std::string> url_origin(const std::string& url) {
    global_init_once();
    std::unique_ptr<CURLU, UrlDeleter> u(curl_url());
    if (!u || curl_url_set(u.get(), CURLUPART_URL, url.c_str(), 0) != CURLUE_OK) return std::nullopt;
    char* raw = nullptr;
    if (curl_url_get(u.get(), CURLUPART_SCHEME, &raw, 0) != CURLUE_OK) return std::nullopt;
    const CurlString scheme(raw);
    if (curl_url_get(u.get(), CURLUPART_HOST, &raw, 0) != CURLUE_OK) return std::nullopt;
    const CurlString host(raw);
    if (curl_url_get(u.get(), CURLUPART_PORT, &raw, CURLU_DEFAULT_PORT) != CURLUE_OK) return std::nullopt;
    const CurlString port(raw);
    return to_lower(scheme.get()) + "://" + to_lower(host.get()) + ":" + port.get();
}

std::string url_host(const std::string& url) {
    global_init_once();
    std::unique_ptr<CURLU, UrlDeleter> u(curl_url());
    char* raw = nullptr;
    if (!u || curl_url_set(u.get(), CURLUPART_URL, url.c_str(), 0) != CURLUE_OK ||
        curl_url_get(u.get(), CURLUPART_HOST, &raw, 0) != CURLUE_OK) {
        return {};
    }
    const CurlString host(raw);
    return host.get();
}

}  // namespace ccu::gist
