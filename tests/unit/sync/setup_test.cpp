// `ccu gist setup` logic against the real HTTP fake of the Gist API (curl client, real config file).
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "ccu/sync/manifest.hpp"
#include "ccu/sync/setup.hpp"
#include "ccu/auth/token_resolver.hpp"
#include "ccu/common/atomic_file.hpp"
#include "ccu/common/clock.hpp"
#include "ccu/common/error.hpp"
#include "ccu/gist/curl_gist_api.hpp"
#include "unit/auth/memory_token_store.hpp"
#include "support/fake_gist.hpp"
#include "support/process.hpp"
#include "support/sandbox.hpp"

using namespace ccu;
using nlohmann::json;

namespace {

const std::string kToken = "ghp_SetupTestTokenBBBBBBBBBBBBBBBBBBBBBBBB";

class ScriptedPrompter final : public auth::Prompter {
public:
    std::vector<std::string> answers;  // consumed front to back; "" = take the default
    std::vector<std::string> questions;
    std::string ask(std::string_view q, std::string_view def) override {
        const std::string a = next(q);
        return a.empty() ? std::string(def) : a;
    }
    bool confirm(std::string_view q, bool def) override {
        const std::string a = next(q);
        return a.empty() ? def : a == "y";
    }
    std::string ask_secret(std::string_view q) override { return next(q); }

private:
    std::string next(std::string_view q) {
        questions.emplace_back(q);
        if (answers.empty()) FAIL("unexpected question: " << q);
        std::string a = answers.front();
        answers.erase(answers.begin());
        return a;
    }
};

struct Rig {
    test::FakeGistServer fake;
    test::Sandbox sb;
    ManualClock clock{std::chrono::system_clock::time_point(std::chrono::hours(24 * 20000))};
    Environment env;
    Paths paths;
    std::optional<std::string> keyring_slot;
    std::vector<std::pair<std::string, std::string>> renames;
    ScriptedPrompter prompter;

    Rig() {
        fake.add_token(kToken, "alice");
        env = sb.environment();
        env.set("CCU_GITHUB_TOKEN", kToken);
        paths = Paths::resolve(env);
    }

    sync::SetupDeps deps() {
        sync::SetupDeps d;
        d.make_api = [this](const std::string& token) {
            gist::ClientOptions o;
            o.api_base_url = fake.api_url();
            o.token = token;
            o.user_agent = "ccu-test";
            o.jitter = [] { return 0.0; };
            return gist::make_curl_gist_api(o, clock);
        };
        d.open_store = [this](TokenStoreKind) { return std::make_unique<test::MemoryTokenStore>(keyring_slot); };
        d.prompter = &prompter;
        d.rename_local_machine = [this](const std::string& from, const std::string& to) -> std::int64_t {
            renames.emplace_back(from, to);
            return 7;
        };
        return d;
    }

    sync::SetupOutcome run(sync::SetupOptions o) { return sync::run_setup(o, env, paths, clock, deps()); }

    json gist_state(const std::string& id) { return fake.state()["gists"][id]; }

    // A ccu gist whose manifest lists another machine (its own machine_id) named "box-a", the name
    // noninteractive() asks for.
    std::string seed_gist_of_another_box_a() {
        const json manifest = {{"version", "1.0"}, {"last_updated", "2026-01-01T00:00:00Z"}, {"backup_retention_days", 30},
                               {"machines", {{{"machine_name", "box-a"}, {"machine_id", "11111111-2222-4333-8444-555555555555"},
                                              {"last_sync", "2026-01-01T00:00:00Z"}, {"last_record_date", "2026-01-01"},
                                              {"total_records", 1}, {"current_file", "usage_data_box-a.json"},
                                              {"backups", json::array()}}}}};
        return fake.seed_gist({{"owner", "alice"}, {"description", sync::kCcuGistDescription},
                               {"public", false}, {"files", {{"manifest.json", manifest.dump()}}}});
    }
};

sync::SetupOptions noninteractive() {
    sync::SetupOptions o;
    o.machine_name = "box-a";
    return o;
}

ErrorKind kind_of(const std::function<void()>& f, std::string* message = nullptr, std::string* hint = nullptr) {
    try {
        f();
    } catch (const Error& e) {
        if (message) *message = e.what();
        if (hint) *hint = e.hint();
        return e.kind();
    }
    FAIL("expected a ccu::Error");
    return ErrorKind::Unexpected;
}

}  // namespace

TEST_CASE("setup --create makes a private gist with a seed manifest and writes config", "[sync][setup]") {
    Rig rig;
    auto o = noninteractive();
    o.gist = sync::GistChoice::Create;
    const auto out = rig.run(o);
    CHECK(out.origin == sync::GistOrigin::Created);
    CHECK(out.login == "alice");
    const json g = rig.gist_state(out.gist_id);
    CHECK(g["public"] == false);
    CHECK(g["description"] == sync::kCcuGistDescription);
    const json manifest = json::parse(g["files"]["manifest.json"].get<std::string>());
    CHECK(manifest["version"] == "1.0");
    CHECK(manifest["machines"] == json::array());
    CHECK(manifest["backup_retention_days"] == 30);
    CHECK(manifest.contains("last_updated"));

    const Config cfg = load_config(rig.paths.config_file());
    CHECK(cfg.gist_id == out.gist_id);
    CHECK(cfg.machine_name == "box-a");
    CHECK(cfg.machine_id == out.machine_id);
    CHECK(out.machine_id.size() == 36);
    CHECK_FALSE(out.changes.empty());
}

TEST_CASE("setup finds the existing ccu gist beyond the first page of >100 gists", "[sync][setup]") {
    Rig rig;
    const std::string ours = rig.fake.seed_gist(
        {{"owner", "alice"}, {"description", sync::kCcuGistDescription}, {"public", false},
         {"files", {{"manifest.json", sync::Manifest::make_empty("2026-01-01T00:00:00Z").serialize()}}}});
    for (int i = 0; i < 130; ++i) {
        rig.fake.seed_gist({{"owner", "alice"}, {"description", "note " + std::to_string(i)}, {"public", false},
                            {"files", {{"n.txt", "x"}}}});
    }
    rig.fake.seed_gist({{"owner", "bob"}, {"description", sync::kCcuGistDescription}, {"public", false},
                        {"files", {{"manifest.json", sync::Manifest::make_empty("2026-01-01T00:00:00Z").serialize()}}}});
    const auto out = rig.run(noninteractive());
    CHECK(out.origin == sync::GistOrigin::Existing);
    CHECK(out.gist_id == ours);
    CHECK(rig.fake.state()["gists"].size() == 132);  // nothing created
    int gist_list_pages = 0;
    for (const auto& r : rig.fake.requests()) {
        const std::string path = r["path"];
        if (r["method"] == "GET" && path.rfind("/gists?", 0) == 0) ++gist_list_pages;
        if (r["method"] == "GET" && path == "/gists") ++gist_list_pages;
    }
    CHECK(gist_list_pages >= 2);
}

TEST_CASE("setup adopts a gist of the origin Python tool only when asked", "[sync][setup]") {
    Rig rig;
    const json origin_manifest = {
        {"version", "1.0"}, {"last_updated", "2025-06-01T10:00:00+00:00"}, {"backup_retention_days", 0},
        {"machines", {{{"machine_name", "old_laptop"}, {"last_sync", "2025-06-01T10:00:00+00:00"},
                       {"last_record_date", "2025-06-01"}, {"total_records", 3},
                       {"current_file", "usage_data_old_laptop.json"}, {"backups", json::array()}}}}};
    const std::string id = rig.fake.seed_gist(
        {{"owner", "alice"}, {"description", sync::kOriginGistDescription}, {"public", false},
         {"files", {{"manifest.json", origin_manifest.dump()}, {"usage_data_old_laptop.json", "{}"}}}});

    std::string message, hint;
    CHECK(kind_of([&] { rig.run(noninteractive()); }, &message, &hint) == ErrorKind::Usage);
    CHECK_THAT(hint, Catch::Contains("--gist-id " + id));
    CHECK_FALSE(std::filesystem::exists(rig.paths.config_file()));

    auto o = noninteractive();
    o.yes = true;
    const auto out = rig.run(o);
    CHECK(out.origin == sync::GistOrigin::Adopted);
    CHECK(out.gist_id == id);
    CHECK(rig.gist_state(id)["description"] == sync::kOriginGistDescription);  // left as the origin tool knows it
    CHECK(rig.fake.state()["gists"].size() == 1);
}

TEST_CASE("setup asks before adopting on a terminal", "[sync][setup]") {
    Rig rig;
    const std::string id = rig.fake.seed_gist({{"owner", "alice"}, {"description", sync::kOriginGistDescription},
                                               {"public", false}, {"files", {{"usage_data_x.json", "{}"}}}});
    sync::SetupOptions o;
    o.interaction = sync::Interaction::Interactive;
    rig.prompter.answers = {"box-b", "y"};  // machine name, adopt?
    const auto out = rig.run(o);
    CHECK(out.origin == sync::GistOrigin::Adopted);
    CHECK(out.machine_name == "box-b");
    CHECK(rig.gist_state(id)["files"].contains("manifest.json"));  // marked with a seed manifest
    REQUIRE(rig.prompter.questions.size() == 2);
    CHECK_THAT(rig.prompter.questions[1], Catch::Contains(id));
}

TEST_CASE("re-running setup is idempotent and keeps the machine id", "[sync][setup]") {
    Rig rig;
    auto o = noninteractive();
    o.gist = sync::GistChoice::Create;
    const auto first = rig.run(o);
    // Before setup, scans stamp records with the default machine name: setup renames them.
    REQUIRE(rig.renames.size() == 1);
    CHECK(rig.renames[0] == std::make_pair(default_machine_name(), std::string("box-a")));
    rig.renames.clear();
    const std::string config_before = read_file(rig.paths.config_file());

    const auto second = rig.run(noninteractive());
    CHECK(second.origin == sync::GistOrigin::Existing);
    CHECK(second.gist_id == first.gist_id);
    CHECK(second.machine_id == first.machine_id);
    CHECK(second.changes.empty());
    CHECK(read_file(rig.paths.config_file()) == config_before);
    CHECK(rig.fake.state()["gists"].size() == 1);
    CHECK(rig.renames.empty());

    auto renamed = noninteractive();
    renamed.machine_name = "box-renamed";
    const auto third = rig.run(renamed);
    CHECK(third.machine_id == first.machine_id);
    REQUIRE(rig.renames.size() == 1);
    CHECK(rig.renames[0] == std::make_pair(std::string("box-a"), std::string("box-renamed")));
    CHECK(third.renamed_from == "box-a");
    CHECK(load_config(rig.paths.config_file()).machine_name == "box-renamed");
}

TEST_CASE("setup stops when another machine already uses the name", "[sync][setup]") {
    Rig rig;
    const std::string id = rig.seed_gist_of_another_box_a();
    std::string message, hint;
    auto o = noninteractive();
    o.gist = sync::GistChoice::UseId;
    o.gist_id = id;
    // the same rule and exit code as push (5)
    CHECK(kind_of([&] { rig.run(o); }, &message, &hint) == ErrorKind::Conflict);
    CHECK_THAT(message, Catch::Contains("'box-a' is already used"));
    CHECK_THAT(hint, Catch::Contains("--machine-name"));
    CHECK_FALSE(std::filesystem::exists(rig.paths.config_file()));

    o.machine_name = "box-a2";
    CHECK(rig.run(o).origin == sync::GistOrigin::Existing);
}

TEST_CASE("setup requires the gist scope of classic tokens and accepts fine-grained ones", "[sync][setup]") {
    Rig rig;
    const std::string repo_only = "ghp_RepoOnlyTokenCCCCCCCCCCCCCCCCCCCCCCCCC";
    rig.fake.add_token(repo_only, "alice", std::vector<std::string>{"repo", "read:user"});
    rig.env.set("CCU_GITHUB_TOKEN", repo_only);
    auto o = noninteractive();
    o.gist = sync::GistChoice::Create;
    std::string message, hint;
    CHECK(kind_of([&] { rig.run(o); }, &message, &hint) == ErrorKind::NotConfigured);
    CHECK_THAT(message + " " + hint, Catch::Contains("gist"));
    CHECK(rig.fake.state()["gists"].empty());

    const std::string fine = "github_pat_FineGrainedDDDDDDDDDDDDDDDDDDDDDDD";
    rig.fake.add_token(fine, "alice", std::nullopt);
    rig.env.set("CCU_GITHUB_TOKEN", fine);
    CHECK(rig.run(o).origin == sync::GistOrigin::Created);
}

TEST_CASE("setup on a terminal without a token prompts, checks and stores it", "[sync][setup]") {
    Rig rig;
    rig.env = rig.sb.environment();  // no token in the environment
    sync::SetupOptions o;
    o.interaction = sync::Interaction::Interactive;
    o.gist = sync::GistChoice::Create;
    o.machine_name = "box-p";
    rig.prompter.answers = {"  " + kToken + "  "};
    const auto out = rig.run(o);
    CHECK(out.token_source == "prompt");
    CHECK(rig.keyring_slot == kToken);
    CHECK(load_config(rig.paths.config_file()).token_store == TokenStoreKind::Keyring);
}

TEST_CASE("setup non-interactive without the needed flag exits 2 and names the flag", "[sync][setup][binary]") {
    test::FakeGistServer fake;
    fake.add_token(kToken, "alice");
    test::Sandbox sb;
    sb.set("CCU_GITHUB_TOKEN", kToken);
    sb.set("CCU_GITHUB_API_URL", fake.api_url());
    auto res = test::run_process({test::ccu_binary(), "gist", "setup", "--machine-name", "box-c"}, sb.vars());
    INFO(res.err);
    CHECK(res.exit_code == 2);
    CHECK_THAT(res.err, Catch::Contains("--create"));
    CHECK(fake.state()["gists"].empty());

    res = test::run_process({test::ccu_binary(), "gist", "setup", "--machine-name", "bad_name", "--create"}, sb.vars());
    CHECK(res.exit_code == 2);
    CHECK_THAT(res.err, Catch::Contains("--machine-name"));

    res = test::run_process({test::ccu_binary(), "gist", "setup", "--create", "--machine-name", "box-c", "--json"},
                            sb.vars());
    INFO(res.err);
    REQUIRE(res.exit_code == 0);
    const json doc = json::parse(res.out);
    CHECK(doc["created"] == true);
    CHECK(doc["machine_name"] == "box-c");
    CHECK(doc["gist_id"].get<std::string>().size() > 0);
    CHECK(doc["machine_id"].get<std::string>().size() == 36);

    res = test::run_process({test::ccu_binary(), "gist", "setup", "--json"}, sb.vars());
    REQUIRE(res.exit_code == 0);
    const json again = json::parse(res.out);
    CHECK(again["existing"] == true);
    CHECK(again["changed"] == false);
    CHECK(again["gist_id"] == doc["gist_id"]);
}

TEST_CASE("setup refuses another user's gist and warns about a public one", "[sync][setup]") {
    Rig rig;
    const std::string bobs = rig.fake.seed_gist({{"owner", "bob"}, {"description", sync::kCcuGistDescription},
                                                 {"public", false},
                                                 {"files", {{"manifest.json", sync::Manifest::make_empty("2026-01-01T00:00:00Z").serialize()}}}});
    auto o = noninteractive();
    o.gist = sync::GistChoice::UseId;
    o.gist_id = bobs;
    std::string message, hint;
    CHECK(kind_of([&] { rig.run(o); }, &message, &hint) == ErrorKind::NotConfigured);
    CHECK_THAT(message, Catch::Contains("belongs to bob"));

    o.gist_id = rig.fake.seed_gist({{"owner", "alice"}, {"description", "my public notes"}, {"public", true},
                                    {"files", {{"manifest.json", sync::Manifest::make_empty("2026-01-01T00:00:00Z").serialize()}}}});
    const auto out = rig.run(o);
    CHECK(out.origin == sync::GistOrigin::Adopted);
    REQUIRE_FALSE(out.warnings.empty());
    CHECK_THAT(out.warnings.front(), Catch::Contains("public"));
}

TEST_CASE("setup: --gist-id accepts the gist URL as the browser shows it as well as the bare id", "[sync][setup][url]") {
    const std::string id = "8c20b5bf38884dde89df449867806a34";
    for (const std::string& arg : {id, " " + id + "\n", "https://gist.github.com/alice/" + id,
                                   "https://gist.github.com/alice/" + id + "/", "https://gist.github.com/alice/" + id + ".git",
                                   "https://gist.github.com/alice/" + id + "#file-manifest-json",
                                   "gist.github.com/alice/" + id, "https://gist.github.com/" + id,
                                   "https://gist.github.com/alice/" + id + "/revisions"}) {
        INFO(arg);
        CHECK(ccu::sync::gist_id_from_argument(arg) == id);
    }
    for (const std::string& bad : {std::string("https://gist.github.com/alice"), std::string("not-a-gist"),
                                   std::string("alice/" + id), std::string("")}) {
        INFO(bad);
        try {
            (void)ccu::sync::gist_id_from_argument(bad);
            FAIL("accepted");
        } catch (const ccu::Error& e) {
            CHECK(e.kind() == ccu::ErrorKind::Usage);
            CHECK(std::string(e.hint()).find("https://gist.github.com/USER/") != std::string::npos);
        }
    }
}

TEST_CASE("setup --yes after the configured gist was deleted joins the ccu gist another machine created",
          "[sync][setup]") {
    Rig rig;
    Config gone;  // set up before; the user has since deleted that gist (GitHub answers 404)
    gone.gist_id = "0123456789abcdef0123456789abcdef";
    gone.machine_name = "box-a";
    gone.machine_id = "5a0c5d6e-1111-4222-8333-444455556666";
    save_config(rig.paths.config_file(), gone);
    const std::string other = rig.fake.seed_gist(
        {{"owner", "alice"}, {"description", sync::kCcuGistDescription}, {"public", false},
         {"files", {{"manifest.json", sync::Manifest::make_empty("2026-01-01T00:00:00Z").serialize()}}}});

    auto again = noninteractive();
    again.yes = true;
    const auto out = rig.run(again);
    CHECK(out.gist_id == other);
    CHECK(out.origin == sync::GistOrigin::Existing);
    CHECK(rig.fake.state()["gists"].size() == 1);  // joined, not a new gist of its own
    REQUIRE(out.warnings.size() == 1);
    CHECK_THAT(out.warnings[0], Catch::Contains(gone.gist_id + " from config.json no longer exists"));
    CHECK(load_config(rig.paths.config_file()).gist_id == other);
}

TEST_CASE("setup on a terminal asks again for a refused token and for a taken machine name", "[sync][setup]") {
    Rig rig;
    rig.env = rig.sb.environment();  // no token in the environment
    rig.keyring_slot = std::string("ghp_RevokedTokenEEEEEEEEEEEEEEEEEEEEEEEEE");  // GitHub answers 401
    const std::string id = rig.seed_gist_of_another_box_a();
    sync::SetupOptions o;
    o.interaction = sync::Interaction::Interactive;
    o.gist = sync::GistChoice::UseId;
    o.gist_id = id;
    o.machine_name = "box-a";
    rig.prompter.answers = {kToken, ""};  // a working token, then the offered name "box-a-2"
    const auto out = rig.run(o);
    REQUIRE(rig.prompter.questions.size() == 2);
    CHECK_THAT(rig.prompter.questions[0], Catch::Contains("GitHub refused the token"));
    CHECK_THAT(rig.prompter.questions[1], Catch::Contains("'box-a' is already used"));
    CHECK(out.machine_name == "box-a-2");
    CHECK(out.token_source == "prompt");
    CHECK(rig.keyring_slot == kToken);  // the working one replaced the refused one
    CHECK(load_config(rig.paths.config_file()).machine_name == "box-a-2");
}
