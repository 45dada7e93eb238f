#include <catch2/catch.hpp>

#include "ccu/gist/errors.hpp"
#include "ccu/gist/curl_session.hpp"
#include "gist/gist_json.hpp"

using namespace ccu::gist;
using nlohmann::json;

TEST_CASE("Link header: next and last are found, others are not", "[json][link]") {
    const std::string header =
        R"(<https://api.github.com/gists?per_page=100&page=2>; rel="next", )"
        R"(<https://api.github.com/gists?per_page=100&page=7>; rel="last")";
    CHECK(link_target(header, "next") == std::string("https://api.github.com/gists?per_page=100&page=2"));
    CHECK(link_target(header, "last") == std::string("https://api.github.com/gists?per_page=100&page=7"));
    CHECK_FALSE(link_target(header, "prev"));
    CHECK_FALSE(link_target("", "next"));
    CHECK_FALSE(link_target("<broken", "next"));
    CHECK(link_target("<u1>; rel=next", "next") == std::string("u1"));
    CHECK_FALSE(link_target("<u1>; rel=nextpage", "next"));
    CHECK(link_target(R"(<a>; rel="prev", <b>; rel="next")", "next") == std::string("b"));
    CHECK(query_param("https://x/y?per_page=1&page=130", "page") == std::string("130"));
    CHECK(query_param("https://x/y?per_page=1&page=130", "per_page") == std::string("1"));
    CHECK_FALSE(query_param("https://x/y?per_page=1", "page"));
    CHECK_FALSE(query_param("https://x/y", "page"));
}

TEST_CASE("gist documents with nulls and missing fields parse", "[json]") {
    const json doc = json::parse(R"({
        "id": "abc", "description": null, "public": false, "owner": null, "truncated": true,
        "files": {"a.json": {"filename": "a.json", "size": 10, "raw_url": "https://r/a", "truncated": true,
                             "content": "{\"x\"", "type": "application/json", "language": null},
                  "b.txt": {"size": null}, "junk": 5},
        "history": [{"version": "v2", "committed_at": "2026-01-02T00:00:00Z", "user": {"login": "al"},
                     "change_status": {"additions": 3, "deletions": 1}},
                    {"version": "v1"}]})");
    const Gist g = parse_gist(doc);
    CHECK(g.id == "abc");
    CHECK(g.description.empty());
    CHECK(g.owner_login.empty());
    CHECK(g.files_truncated);
    REQUIRE(g.files.size() == 2);
    CHECK(g.files.at("a.json").truncated);
    CHECK(g.files.at("a.json").size == 10);
    CHECK(g.files.at("b.txt").filename == "b.txt");  // from the key when "filename" is missing
    CHECK(g.files.at("b.txt").size == 0);
    REQUIRE(g.history.size() == 2);
    CHECK(g.history[0].user_login == "al");
    CHECK(g.history[0].additions == 3);
    CHECK(g.history[1].version == "v1");
    CHECK_THROWS_AS(parse_gist(json::array()), ApiError);
    CHECK_THROWS_AS(parse_gist(json{{"files", json::object()}}), ApiError);
    CHECK_THROWS_AS(parse_body("<html>", "gist"), ApiError);
}

TEST_CASE("patch bodies follow GitHub's partial-update semantics", "[json][patch]") {
    const GistPatch patch{{"w.json", FileChange::write("W")},
                          {"r.json", FileChange::rename("r2.json")},
                          {"rc.json", FileChange::rename("rc2.json", "C")},
                          {"d.json", FileChange::remove()}};
    const json body = patch_body(patch, std::nullopt);
    CHECK(body == json{{"files",
                        {{"w.json", {{"content", "W"}}},
                         {"r.json", {{"filename", "r2.json"}}},
                         {"rc.json", {{"filename", "rc2.json"}, {"content", "C"}}},
                         {"d.json", nullptr}}}});
    CHECK(patch_body({}, std::nullopt).empty());
    CHECK(patch_body({}, std::string("d")) == json{{"description", "d"}});
    CHECK_THROWS_AS(patch_body({{"a", FileChange::write("")}}, std::nullopt), ApiError);
    CHECK_THROWS_AS(patch_body({{"a", FileChange::write(" \n\t")}}, std::nullopt), ApiError);
    CHECK_THROWS_AS(patch_body({{"a", FileChange::rename("b", "  ")}}, std::nullopt), ApiError);
    CHECK(create_body("d", {{"a", "x"}}, Visibility::Secret)["public"] == false);
    CHECK_THROWS_AS(create_body("d", {}, Visibility::Secret), ApiError);
}

TEST_CASE("origins decide where credentials may go", "[url]") {
    CHECK(url_origin("https://api.github.com/gists") == std::string("https://api.github.com:443"));
    CHECK(url_origin("HTTPS://API.GitHub.com:443/x") == url_origin("https://api.github.com"));
    CHECK(url_origin("https://gist.githubusercontent.com/a/b/raw/c") != url_origin("https://api.github.com"));
    CHECK(url_origin("http://127.0.0.1:8080/x") != url_origin("http://127.0.0.1:8081/x"));
    CHECK(url_origin("http://api.github.com/") != url_origin("https://api.github.com/"));
    CHECK(url_origin("http://localhost:1/") != url_origin("http://127.0.0.1:1/"));
    CHECK_FALSE(url_origin("not a url"));
    CHECK(url_host("https://api.github.com/user") == "api.github.com");
}

TEST_CASE("response headers are case-insensitive and repeated ones joined", "[url]") {
    HeaderMap h;
    h.add("X-OAuth-Scopes", "gist, repo");
    h.add("Link", "<a>; rel=\"next\"");
    h.add("link", "<b>; rel=\"last\"");
    CHECK(h.get("x-oauth-scopes") == std::string("gist, repo"));
    CHECK(h.get("X-OAUTH-SCOPES") == std::string("gist, repo"));
    CHECK(h.get("LINK") == std::string("<a>; rel=\"next\", <b>; rel=\"last\""));
    CHECK_FALSE(h.get("etag"));
}

TEST_CASE("API errors map to exit-code kinds and say what to do", "[errors]") {
    CHECK(token_refused_error().kind() == ccu::ErrorKind::NotConfigured);
    CHECK(missing_gist_scope_error().kind() == ccu::ErrorKind::NotConfigured);
    CHECK(std::string(missing_gist_scope_error().what()) ==
          "token lacks the gist scope: create one at https://github.com/settings/tokens with 'gist'");
    const ApiError nf = gist_not_found_error("abc123");
    CHECK(nf.kind() == ccu::ErrorKind::NotConfigured);  // exit 3: re-running setup is the fix
    CHECK(std::string(nf.what()).find("abc123") != std::string::npos);
    CHECK(nf.hint().find("ccu gist setup") != std::string::npos);
    const auto at = std::chrono::system_clock::from_time_t(1'800'000'000);
    const ApiError rl = rate_limited_error(at, 403, "request quota used up");
    CHECK(rl.api_kind() == ApiErrorKind::RateLimited);
    CHECK(rl.retry_at() == at);
    CHECK(std::string(rl.what()).find("2027-01-15T08:00:00") != std::string::npos);
    const ApiError net = network_error("api.github.com", "Could not resolve host: api.github.com");
    CHECK(std::string(net.what()) == "could not reach api.github.com: Could not resolve host: api.github.com");
    CHECK(validation_error(422, "Validation Failed").http_status() == 422);
}

namespace {

std::string dropped(const std::string& doc, std::size_t chunk) {
    FileContentDropper dropper;
    std::string out;
    for (std::size_t i = 0; i < doc.size(); i += chunk) dropper.feed(std::string_view(doc).substr(i, chunk), out);
    return out;
}

}  // namespace

TEST_CASE("FileContentDropper keeps a gist document but its files' content text, in any chunks", "[json][dropper]") {
    const json doc = {
        {"id", "g1"},
        {"content", "top-level \"content\" stays"},
        {"git_push_url", "https://gist.github.com/g1.git"},
        {"files",
         {{"content", {{"filename", "content"}, {"size", 12}, {"content", "a \"quoted\" \\ {[,:]} text"}}},
          {"usage_data_a.json", {{"filename", "usage_data_a.json"}, {"truncated", false},
                                 {"content", "{\"records\": [{\"content\": \"x\"}]}"}, {"raw_url", "http://r/a"}}}}},
        {"history", {{{"version", "v1"}, {"content", "in an array: stays"}}}},
        {"owner", {{"login", "alice"}, {"content", {{"content", "deeper: stays"}}}}}};
    json want = doc;
    want["files"]["content"]["content"] = "";
    want["files"]["usage_data_a.json"]["content"] = "";
    for (const std::size_t chunk : {std::size_t{1}, std::size_t{2}, std::size_t{7}, std::size_t{100000}}) {
        for (const int indent : {-1, 2}) {
            INFO("chunk " << chunk << ", indent " << indent);
            const std::string out = dropped(doc.dump(indent), chunk);
            CHECK(json::parse(out) == want);
        }
    }
    // Nothing else changes, byte for byte.
    const std::string plain = json{{"id", "g2"}, {"files", json::object()}, {"description", "a, b: {c}"}}.dump();
    CHECK(dropped(plain, 3) == plain);
}
