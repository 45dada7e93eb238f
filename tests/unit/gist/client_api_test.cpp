#include <catch2/catch.hpp>

#include <set>

#include "client_fixture.hpp"

using namespace ccu::gist;
using gisttest::ClientFixture;
using gisttest::expect_api_error;
using nlohmann::json;

TEST_CASE_METHOD(ClientFixture, "get_user returns login and scopes", "[client]") {
    const GistUser user = api()->get_user();
    CHECK(user.login == "alice");
    REQUIRE(user.scopes);
    CHECK(*user.scopes == std::vector<std::string>{"gist"});

    fake.add_token("github_pat_finegrained_bob", "bob", std::nullopt);
    options.token = "github_pat_finegrained_bob";
    const GistUser bob = api()->get_user();
    CHECK(bob.login == "bob");
    CHECK_FALSE(bob.scopes);  // no X-OAuth-Scopes header: unknown, not "none"
}

TEST_CASE_METHOD(ClientFixture, "API requests carry the pinned headers and the token", "[client]") {
    api()->get_user();
    const auto reqs = requests("GET", "/user");
    REQUIRE(reqs.size() == 1);
    const json& h = reqs[0]["headers"];
    CHECK(h["authorization"] == "Bearer " + gisttest::kToken);
    CHECK(h["accept"] == "application/vnd.github+json");
    CHECK(h["x-github-api-version"] == "2022-11-28");
    CHECK(h["user-agent"] == "ccu/test");
}

TEST_CASE_METHOD(ClientFixture, "no token: no Authorization header at all", "[client]") {
    options.token.clear();
    const std::string id = seed({{"a.txt", "public"}}, true);
    CHECK(api()->get_gist(id).files.at("a.txt").content == "public");
    const auto reqs = requests("GET", "/gists/");
    REQUIRE(reqs.size() == 1);
    CHECK_FALSE(reqs[0]["headers"].contains("authorization"));
}

TEST_CASE_METHOD(ClientFixture, "create_gist makes a private gist by default", "[client]") {
    const Gist g = api()->create_gist("ccu usage", {{"manifest.json", "{\"version\":\"1.0\"}"}}, Visibility::Secret);
    CHECK_FALSE(g.id.empty());
    CHECK_FALSE(g.is_public);
    CHECK(g.owner_login == "alice");
    CHECK(g.files.at("manifest.json").content == "{\"version\":\"1.0\"}");
    CHECK(g.history.size() == 1);
    const json st = fake.state()["gists"][g.id];
    CHECK(st["public"] == false);
    CHECK(st["description"] == "ccu usage");
    CHECK(st["files"]["manifest.json"] == "{\"version\":\"1.0\"}");

    const Gist pub = api()->create_gist("x", {{"a.txt", "1"}}, Visibility::Public);
    CHECK(pub.is_public);
}

TEST_CASE_METHOD(ClientFixture, "create_gist refuses blank files before sending", "[client]") {
    const auto e = expect_api_error([&] { api()->create_gist("x", {{"a.txt", "  \n"}}, Visibility::Secret); });
    CHECK(e.api_kind() == ApiErrorKind::Validation);
    CHECK(requests().empty());
}

TEST_CASE_METHOD(ClientFixture, "get_gist parses files, owner, history and ETag, 304 when unchanged", "[client]") {
    const std::string id = seed({{"manifest.json", "{}\n"}, {"usage_data_a.json", "[1,2]"}});
    auto client = api();
    const Gist g = client->get_gist(id);
    CHECK(g.id == id);
    CHECK(g.owner_login == "alice");
    CHECK(g.description == "ccu test");
    CHECK(g.html_url.find(id) != std::string::npos);
    CHECK_FALSE(g.created_at.empty());
    CHECK_FALSE(g.etag.empty());
    REQUIRE(g.files.size() == 2);
    const GistFile& m = g.files.at("manifest.json");
    CHECK(m.filename == "manifest.json");
    CHECK(m.size == 3);
    CHECK(m.content == "{}\n");
    CHECK_FALSE(m.truncated);
    CHECK(m.type == "application/json");
    CHECK(m.raw_url.rfind(fake.raw_base(), 0) == 0);
    REQUIRE(g.history.size() == 1);
    CHECK(g.history[0].version.size() == 40);
    CHECK(g.history[0].user_login == "alice");

    const std::optional<Gist> again = client->get_gist_if_none_match(id, g.etag);
    CHECK_FALSE(again);
    CHECK(requests("GET", "/gists/").back()["headers"]["if-none-match"] == g.etag);

    client->patch_gist(id, {{"manifest.json", FileChange::write("{\"v\":2}")}});
    const std::optional<Gist> changed = client->get_gist_if_none_match(id, g.etag);
    REQUIRE(changed);
    CHECK(changed->etag != g.etag);
}

TEST_CASE_METHOD(ClientFixture, "truncated file: content is cut, raw_url gives the whole without auth", "[client]") {
    fake.configure({{"truncate_bytes", 100}});
    const std::string big(1000, 'x');
    const std::string id = seed({{"usage_data_m.json", big}, {"small.txt", "ok"}});
    auto client = api();
    const Gist g = client->get_gist(id);
    const GistFile& f = g.files.at("usage_data_m.json");
    CHECK(f.truncated);
    CHECK(f.content.size() == 100);
    CHECK(f.size == 1000);
    CHECK(client->get_raw(f.raw_url) == big);

    const auto raw = requests("GET", "/alice/");
    REQUIRE(raw.size() == 1);
    CHECK(raw[0]["host"].get<std::string>().rfind("localhost", 0) == 0);
    CHECK_FALSE(raw[0]["headers"].contains("authorization"));
    for (const auto& r : requests("GET", "/gists/")) CHECK(r["headers"].contains("authorization"));
}

TEST_CASE_METHOD(ClientFixture, "patch_gist: write, create, rename, delete and description", "[client]") {
    const std::string id = seed({{"a.txt", "A"}, {"b.txt", "B"}, {"c.txt", "C"}});
    auto client = api();
    const Gist after = client->patch_gist(id,
                                          {{"a.txt", FileChange::write("A2")},
                                           {"new.txt", FileChange::write("N")},
                                           {"b.txt", FileChange::rename("b2.txt")},
                                           {"c.txt", FileChange::remove()}},
                                          std::string("renamed"));
    CHECK(after.files.count("b2.txt") == 1);
    const json st = fake.state()["gists"][id];
    CHECK(st["files"] == json{{"a.txt", "A2"}, {"new.txt", "N"}, {"b2.txt", "B"}});
    CHECK(st["description"] == "renamed");
    CHECK(st["history"].size() == 2);

    const auto patches = requests("PATCH");
    REQUIRE(patches.size() == 1);
    const json body = json::parse(patches[0]["body"].get<std::string>());
    CHECK(body["files"]["c.txt"].is_null());
    CHECK(body["files"]["b.txt"] == json{{"filename", "b2.txt"}});
    CHECK(body["files"]["a.txt"] == json{{"content", "A2"}});
}

TEST_CASE_METHOD(ClientFixture, "patch_gist refuses empty or whitespace-only writes without a request", "[client]") {
    const std::string id = seed({{"a.txt", "A"}});
    auto client = api();
    for (const std::string content : {"", " ", "\n\t \r\n"}) {
        const auto e = expect_api_error([&] {
            client->patch_gist(id, {{"b.txt", FileChange::write("fine")}, {"a.txt", FileChange::write(content)}});
        });
        CHECK(e.api_kind() == ApiErrorKind::Validation);
        CHECK(e.kind() == ccu::ErrorKind::Network);
        CHECK(std::string(e.what()).find("a.txt") != std::string::npos);
    }
    CHECK(requests().empty());
    CHECK(fake.state()["gists"][id]["files"] == json{{"a.txt", "A"}});
}

TEST_CASE_METHOD(ClientFixture, "an empty patch sends nothing", "[client]") {
    const std::string id = seed({{"a.txt", "A"}});
    const Gist g = api()->patch_gist(id, {});
    CHECK(g.id == id);
    CHECK(requests().empty());
}

TEST_CASE_METHOD(ClientFixture, "user gists are paginated (250 gists)", "[client]") {
    std::set<std::string> seeded;
    for (int i = 0; i < 250; ++i) seeded.insert(seed({{"f" + std::to_string(i) + ".txt", "x"}}));
    fake.add_token("other-token-bob", "bob");
    fake.seed_gist({{"owner", "bob"}, {"files", {{"b.txt", "b"}}}});
    const auto gists = api()->list_user_gists();
    CHECK(gists.size() == 250);
    std::set<std::string> ids;
    for (const auto& g : gists) ids.insert(g.id);
    CHECK(ids == seeded);
    REQUIRE_FALSE(gists.empty());
    CHECK(gists[0].filenames.size() == 1);
    const auto pages = requests("GET", "/gists");
    REQUIRE(pages.size() == 3);
    CHECK(pages[0]["path"] == "/gists?per_page=100");
    for (const auto& p : pages) CHECK(p["headers"].contains("authorization"));
}

TEST_CASE_METHOD(ClientFixture, "commits: newest first, paginated up to the limit, counted in one request",
                 "[client]") {
    const std::string id = seed({{"a.txt", "v0"}});
    auto client = api();
    for (int i = 1; i < 130; ++i) client->patch_gist(id, {{"a.txt", FileChange::write("v" + std::to_string(i))}});
    const json history = fake.state()["gists"][id]["history"];
    REQUIRE(history.size() == 130);
    fake.control("DELETE", "/_fake/requests");

    const auto commits = client->list_commits(id, 120);
    REQUIRE(commits.size() == 120);
    for (std::size_t i = 0; i < commits.size(); ++i) CHECK(commits[i].version == history[i]["version"]);
    CHECK(requests("GET", "/gists/" + id + "/commits").size() == 2);  // 100 + 20 of the second page

    fake.control("DELETE", "/_fake/requests");
    const auto five = client->list_commits(id, 5);
    REQUIRE(five.size() == 5);
    CHECK(five[0].version == history[0]["version"]);
    const auto one_page = requests("GET", "/gists/" + id + "/commits");
    REQUIRE(one_page.size() == 1);
    CHECK(one_page[0]["path"] == "/gists/" + id + "/commits?per_page=5");

    CHECK(client->list_commits(id, 1000).size() == 130);
    CHECK(client->list_commits(id, 0).empty());

    fake.control("DELETE", "/_fake/requests");
    CHECK(client->count_commits(id) == 130);
    CHECK(requests().size() == 1);
    const std::string single = seed({{"s.txt", "s"}});
    CHECK(client->count_commits(single) == 1);
}

TEST_CASE_METHOD(ClientFixture, "get_revision returns an older revision's files", "[client]") {
    const std::string id = seed({{"a.txt", "old"}});
    auto client = api();
    client->patch_gist(id, {{"a.txt", FileChange::write("new")}});
    const auto commits = client->list_commits(id, 10);
    REQUIRE(commits.size() == 2);
    const Gist old = client->get_revision(id, commits[1].version);
    CHECK(old.files.at("a.txt").content == "old");
    CHECK(client->get_revision(id, commits[0].version).files.at("a.txt").content == "new");
    const auto e = expect_api_error([&] { client->get_revision(id, "not-a-sha"); });
    CHECK(e.api_kind() == ApiErrorKind::Validation);
}

TEST_CASE_METHOD(ClientFixture, "empty_content quirk: files come back empty, raw_url has them", "[client]") {
    const std::string id = seed({{"manifest.json", "{\"a\":1}"}});
    fake.add_fault({{"method", "GET"}, {"path_regex", "^/gists/"}, {"action", "empty_content"}});
    auto client = api();
    const GistFile f = client->get_gist(id).files.at("manifest.json");
    CHECK(f.content.empty());
    CHECK_FALSE(f.truncated);
    CHECK(client->get_raw(f.raw_url) == "{\"a\":1}");
}

TEST_CASE_METHOD(ClientFixture, "credentials follow scheme+host+port, not the host name alone", "[client]") {
    const std::string id = seed({{"a.txt", "A"}});
    auto client = api();
    // Same host as the API (127.0.0.1) but the raw port: no Authorization.
    const std::string other_port =
        "http://127.0.0.1:" + std::to_string(fake.raw_port()) + "/alice/" + id + "/raw/a.txt";
    CHECK(client->get_raw(other_port) == "A");
    // Same origin as the API (GitHub Enterprise serves raw files there): Authorization is sent.
    CHECK(json::parse(client->get_raw(fake.api_url() + "/user"))["login"] == "alice");
    const auto reqs = requests("GET");
    REQUIRE(reqs.size() == 2);
    CHECK_FALSE(reqs[0]["headers"].contains("authorization"));
    CHECK(reqs[1]["headers"]["authorization"] == "Bearer " + gisttest::kToken);
}

TEST_CASE_METHOD(ClientFixture, "git_push_url reads a gist whose inline contents exceed the response cap", "[client][git_url]") {
    // 3 files of ~900 KB inline (under GitHub's 1 MiB truncation): 2.7 MB of content.
    json files = json::object();
    for (const char* name : {"a.json", "b.json", "c.json"}) files[name] = std::string(900'000, 'x') + "\"end\\";
    const std::string id = fake.seed_gist({{"owner", "alice"}, {"files", files}});
    options.max_response_bytes = 1024 * 1024;
    auto client = api();
    CHECK(client->git_push_url(id) == fake.git_url(id));
    // The whole document does not fit the cap: the content is what made it large.
    CHECK_THROWS(client->get_gist(id));
}
