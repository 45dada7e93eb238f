#include "ccu/gist/curl_gist_api.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <random>
#include <set>

#include "ccu/common/log.hpp"
#include "ccu/common/text.hpp"
#include "ccu/common/version.hpp"
#include "ccu/gist/errors.hpp"
#include "ccu/gist/curl_session.hpp"
#include "gist_json.hpp"
#include "http_errors.hpp"

namespace ccu::gist {
namespace {

using nlohmann::json;

constexpr int kMaxPages = 1000;  // 100 000 gists or commits: a loop guard, not a real limit

bool is_success(int status) { return (status >= 200 && status < 300) || status == 304; }

void check_id(const std::string& id, std::string_view what, std::size_t exact_size = 0) {
    const bool ok = !id.empty() && (exact_size == 0 || id.size() == exact_size) &&
                    std::all_of(id.begin(), id.end(), [](unsigned char c) { return std::isalnum(c) != 0; });
    if (!ok) {
        throw ApiError(ApiErrorKind::Validation, 0, "'" + id + "' is not a valid " + std::string(what),
                       "re-run 'ccu gist setup' to choose the gist again");
    }
}

class CurlGistApi final : public GistApi {
public:
    CurlGistApi(ClientOptions options, Clock& clock)
        : options_(std::move(options)),
          clock_(clock),
          session_(SessionOptions{options_.connect_timeout, options_.total_timeout, options_.max_response_bytes}) {
        while (!options_.api_base_url.empty() && options_.api_base_url.back() == '/') options_.api_base_url.pop_back();
        const auto origin = url_origin(options_.api_base_url);
        if (!origin) {
            throw ccu::Error(ErrorKind::Usage, "CCU_GITHUB_API_URL is not a valid URL: '" + options_.api_base_url + "'",
                             "set it to e.g. https://api.github.com or unset it");
        }
        api_origin_ = *origin;
        if (!options_.jitter) {
            options_.jitter = [rng = std::mt19937(std::random_device{}())]() mutable {
                return std::uniform_real_distribution<double>(0.0, 1.0)(rng);
            };
        }
    }

    Gist get_gist(const std::string& id) override {
        check_id(id, "gist id");
        HttpResponse resp = execute(api_request("GET", "/gists/" + id), RequestSafety::Idempotent, id);
        if (resp.status == 304) throw ApiError(ApiErrorKind::Server, 304, "GitHub answered 'not modified' to an unconditional GET");
        return gist_from(resp);
    }

    std::optional<Gist> get_gist_if_none_match(const std::string& id, const std::string& etag) override {
        check_id(id, "gist id");
        HttpRequest req = api_request("GET", "/gists/" + id);
        if (!etag.empty()) req.headers.emplace_back("If-None-Match", etag);
        HttpResponse resp = execute(req, RequestSafety::Idempotent, id);
        if (resp.status == 304) return std::nullopt;
        return gist_from(resp);
    }

    std::string git_push_url(const std::string& id) override {
        check_id(id, "gist id");
        HttpRequest req = api_request("GET", "/gists/" + id);
        req.keep = HttpRequest::Keep::WithoutFileContents;
        HttpResponse resp = execute(req, RequestSafety::Idempotent, id);
        if (resp.status == 304) throw ApiError(ApiErrorKind::Server, 304, "GitHub answered 'not modified' to an unconditional GET");
        return gist_from(resp).git_push_url;
    }

    std::string get_raw(const std::string& raw_url) override {
        HttpRequest req;
        req.url = raw_url;
        req.headers.emplace_back("User-Agent", options_.user_agent);
        const bool same_origin = url_origin(raw_url) == api_origin_;
        if (same_origin) add_auth(req);
        req.follow_redirects = !same_origin;  // a redirect never carries our credentials
        return execute(req, RequestSafety::Idempotent, {}, Endpoint::Raw, kMaxRawBytes).body;
    }

    Gist create_gist(const std::string& description, const std::map<std::string, std::string>& files,
                     Visibility visibility) override {
        HttpRequest req = api_request("POST", "/gists", create_body(description, files, visibility).dump());
        return gist_from(execute(req, RequestSafety::NotIdempotent, {}));
    }

    Gist patch_gist(const std::string& id, const GistPatch& patch,
                    const std::optional<std::string>& description) override {
        check_id(id, "gist id");
        const json body = patch_body(patch, description);  // validates before anything is sent
        if (body.empty()) {
            spdlog::debug("PATCH of gist {} skipped: nothing to change", id);
            Gist unchanged;
            unchanged.id = id;
            return unchanged;
        }
        HttpRequest req = api_request("PATCH", "/gists/" + id, body.dump());
        return gist_from(execute(req, RequestSafety::Idempotent, id));
    }

    std::vector<GistCommit> list_commits(const std::string& id, std::size_t limit) override {
        check_id(id, "gist id");
        std::vector<GistCommit> out;
        if (limit == 0) return out;
        const std::size_t per_page = std::min<std::size_t>(limit, 100);
        paginate(api_url("/gists/" + id + "/commits?per_page=" + std::to_string(per_page)), id,
                 [&](const json& item) {
                     out.push_back(parse_commit(item));
                     return out.size() < limit;
                 });
        return out;
    }

    std::size_t count_commits(const std::string& id) override {
        check_id(id, "gist id");
        const HttpResponse resp =
            execute(api_request("GET", "/gists/" + id + "/commits?per_page=1"), RequestSafety::Idempotent, id);
        const json page = parse_body(resp.body, "commit list");
        const auto link = resp.headers.get("link");
        if (!link || !link_target(*link, "next")) return page.is_array() ? page.size() : 0;
        if (const auto last = link_target(*link, "last")) {
            if (const auto n = query_param(*last, "page")) {
                try {
                    return static_cast<std::size_t>(std::stoull(*n));
                } catch (const std::exception&) {
                    // fall through to counting page by page
                }
            }
        }
        return list_commits(id, SIZE_MAX).size();
    }

    Gist get_revision(const std::string& id, const std::string& sha) override {
        check_id(id, "gist id");
        check_id(sha, "revision sha", 40);
        return gist_from(execute(api_request("GET", "/gists/" + id + "/" + sha), RequestSafety::Idempotent, id));
    }

    std::vector<GistSummary> list_user_gists() override {
        std::vector<GistSummary> out;
        paginate(api_url("/gists?per_page=100"), {}, [&](const json& item) {
            out.push_back(parse_summary(item));
            return true;
        });
        return out;
    }

    GistUser get_user() override {
        const HttpResponse resp = execute(api_request("GET", "/user"), RequestSafety::Idempotent, {});
        const json doc = parse_body(resp.body, "user");
        GistUser user;
        user.login = doc.is_object() && doc.contains("login") && doc["login"].is_string() ? doc["login"].get<std::string>()
                                                                                          : std::string();
        if (const auto header = resp.headers.get("x-oauth-scopes")) user.scopes = split_trimmed(*header, ',');
        return user;
    }

private:
    std::string api_url(const std::string& path) const { return options_.api_base_url + path; }

    void add_auth(HttpRequest& req) const {
        if (!options_.token.empty()) req.headers.emplace_back("Authorization", "Bearer " + options_.token);
    }

    HttpRequest api_request(const std::string& method, const std::string& path, std::string body = {}) const {
        return url_request(method, api_url(path), std::move(body));
    }

    HttpRequest url_request(const std::string& method, const std::string& url, std::string body = {}) const {
        HttpRequest req;
        req.method = method;
        req.url = url;
        req.headers = {{"Accept", "application/vnd.github+json"},
                       {"X-GitHub-Api-Version", "2022-11-28"},
                       {"User-Agent", options_.user_agent}};
        // Credentials only ever go to the API's own scheme+host+port.
        if (url_origin(url) == api_origin_) add_auth(req);
        if (!body.empty()) {
            req.headers.emplace_back("Content-Type", "application/json");
            req.body = std::move(body);
        }
        return req;
    }

    Gist gist_from(const HttpResponse& resp) const {
        Gist gist = parse_gist(parse_body(resp.body, "gist"));
        gist.etag = resp.headers.get("etag").value_or("");
        return gist;
    }

    // Calls `take` for each item of each page (newest first as GitHub orders them) while it
    // returns true, following Link rel="next" within the API origin.
    template <typename Take>
    void paginate(std::string url, const std::string& gist_id, Take take) {
        std::set<std::string> seen;
        for (int page = 0; page < kMaxPages && seen.insert(url).second; ++page) {
            const HttpResponse resp = execute(url_request("GET", url), RequestSafety::Idempotent, gist_id);
            const json items = parse_body(resp.body, "list");
            if (!items.is_array()) throw unexpected_document("list");
            for (const auto& item : items) {
                if (!take(item)) return;
            }
            const auto link = resp.headers.get("link");
            const auto next = link ? link_target(*link, "next") : std::nullopt;
            if (!next) return;
            if (url_origin(*next) != api_origin_) {
                throw ApiError(ApiErrorKind::Server, resp.status, "GitHub's next-page link points to another host",
                               "check CCU_GITHUB_API_URL; report it with the output of -vv if it is right");
            }
            url = *next;
        }
        throw ApiError(ApiErrorKind::Server, 0, "GitHub's pagination did not end",
                       "report it with the output of -vv");
    }

    HttpResponse execute(const HttpRequest& req, RequestSafety safety, const std::string& gist_id,
                         Endpoint endpoint = Endpoint::Api, std::size_t max_bytes = 0) {
        RetryState state;
        for (;;) {
            HttpResult result = session_.perform(req, max_bytes);
            ++state.attempts_made;
            const AttemptOutcome outcome = outcome_of(result);
            const RetryDecision d = decide(outcome, safety, state, options_.retry, clock_.now(), options_.jitter());
            if (d.action == RetryAction::Retry) {
                spdlog::info("{} {}: {}; retrying in {} ms (attempt {} of {})", req.method, url_host(req.url),
                             d.reason, d.wait.count(), state.attempts_made + 1, options_.retry.max_attempts);
                if (options_.on_retry) {
                    const auto seconds = (d.wait.count() + 999) / 1000;
                    options_.on_retry("retrying in " + std::to_string(seconds) + " s (" +
                                      std::to_string(state.attempts_made + 1) + "/" +
                                      std::to_string(options_.retry.max_attempts) + "): " + d.reason);
                }
                clock_.sleep_for(d.wait);
                state.waited += d.wait;
                continue;
            }
            if (result.error) throw error_for_transport(*result.error, safety, state.attempts_made);
            if (is_success(result.response->status)) return std::move(*result.response);
            if (result.response->status == 401 && endpoint == Endpoint::Api) {
                throw token_refused_error(options_.token_label, options_.token_fix);
            }
            throw error_for_response(req.method, *result.response, outcome.message, d, endpoint, gist_id,
                                     state.attempts_made);
        }
    }

    ClientOptions options_;
    Clock& clock_;
    CurlSession session_;
    std::string api_origin_;
};

}  // namespace

ClientOptions client_options_from(const ccu::Environment& env, std::string token) {
    ClientOptions options;
    if (auto url = env.get("CCU_GITHUB_API_URL")) options.api_base_url = *url;
    options.token = std::move(token);
    if (!options.token.empty()) log::register_secret(options.token);
    options.user_agent = "ccu/" + std::string(ccu::version());
    return options;
}

std::unique_ptr<GistApi> make_curl_gist_api(const ClientOptions& options, ccu::Clock& clock) {
    return std::make_unique<CurlGistApi>(options, clock);
}

}  // namespace ccu::gist
