// set-token logic: store choice recorded in config.json, checks against the fake API, delete.
#include <catch2/catch.hpp>

#include "ccu/auth/set_token.hpp"
#include "ccu/auth/token_resolver.hpp"
#include "ccu/common/clock.hpp"
#include "ccu/common/error.hpp"
#include "ccu/gist/curl_gist_api.hpp"
#include "memory_token_store.hpp"
#include "support/fake_gist.hpp"
#include "support/process.hpp"
#include "support/sandbox.hpp"

using namespace ccu;

namespace {

const std::string kToken = "ghp_SetTokenTestHHHHHHHHHHHHHHHHHHHHHHHHHH";

struct Rig {
    test::Sandbox sb;
    Paths paths = Paths::resolve(sb.environment());
    std::optional<std::string> keyring_slot;
    auth::StoreOpener open = [this](TokenStoreKind kind) -> std::unique_ptr<auth::TokenStore> {
        if (kind == TokenStoreKind::File) return auth::make_file_store(paths.token_file());
        return std::make_unique<test::MemoryTokenStore>(keyring_slot);
    };
};

auth::TokenChecker checker_for(test::FakeGistServer& fake, Clock& clock) {
    return [&fake, &clock](const std::string& token) {
        gist::ClientOptions o;
        o.api_base_url = fake.api_url();
        o.token = token;
        o.user_agent = "ccu-test";
        o.jitter = [] { return 0.0; };
        return gist::make_curl_gist_api(o, clock)->get_user();
    };
}

}  // namespace

TEST_CASE("set-token stores in the chosen store, records it, and checks with GitHub", "[auth][set-token]") {
    test::FakeGistServer fake;
    fake.add_token(kToken, "alice");
    ManualClock clock{std::chrono::system_clock::time_point(std::chrono::hours(480000))};
    Rig rig;
    auto out = auth::store_token(kToken, TokenStoreKind::File, Environment{}, rig.paths, rig.open,
                                 checker_for(fake, clock));
    CHECK(out.check.status == auth::TokenCheckResult::Status::Valid);
    CHECK(out.check.login == "alice");
    CHECK(out.config_changed);
    CHECK(load_config(rig.paths.config_file()).token_store == TokenStoreKind::File);
    CHECK(auth::make_file_store(rig.paths.token_file())->load() == kToken);
    CHECK_FALSE(rig.keyring_slot.has_value());

    out = auth::store_token(kToken, std::nullopt, Environment{}, rig.paths, rig.open, {});
    CHECK(rig.keyring_slot == kToken);
    CHECK(load_config(rig.paths.config_file()).token_store == TokenStoreKind::Keyring);
    // The old file is no longer read: say so.
    REQUIRE_FALSE(out.warnings.empty());
    CHECK_THAT(out.warnings.front(), Catch::Contains("no longer used"));
}

TEST_CASE("set-token refuses a token GitHub rejects or that lacks the gist scope", "[auth][set-token]") {
    test::FakeGistServer fake;
    const std::string no_scope = "ghp_NoGistScopeIIIIIIIIIIIIIIIIIIIIIIIIIII";
    fake.add_token(no_scope, "alice", std::vector<std::string>{"repo"});
    ManualClock clock{std::chrono::system_clock::time_point(std::chrono::hours(480000))};
    Rig rig;
    for (const std::string& token : {kToken, no_scope}) {
        try {
            (void)auth::store_token(token, TokenStoreKind::File, Environment{}, rig.paths, rig.open,
                                    checker_for(fake, clock));
            FAIL("stored a token GitHub does not accept for gists");
        } catch (const Error& e) {
            CHECK(e.kind() == ErrorKind::NotConfigured);
            CHECK_THAT(std::string(e.what()), !Catch::Contains(token));
        }
        CHECK_FALSE(std::filesystem::exists(rig.paths.token_file()));
    }
}

TEST_CASE("set-token offline stores with a warning", "[auth][set-token]") {
    test::FakeGistServer fake;
    fake.add_token(kToken, "alice");
    for (int i = 0; i < 10; ++i) fake.add_fault({{"method", "GET"}, {"path_regex", "^/user"}, {"times", 1},
                                                  {"action", "drop"}});
    ManualClock clock{std::chrono::system_clock::time_point(std::chrono::hours(480000))};
    Rig rig;
    const auto out = auth::store_token(kToken, TokenStoreKind::File, Environment{}, rig.paths, rig.open,
                                       checker_for(fake, clock));
    CHECK(out.check.status == auth::TokenCheckResult::Status::Offline);
    CHECK(auth::make_file_store(rig.paths.token_file())->load() == kToken);
    REQUIRE_FALSE(out.warnings.empty());
    CHECK_THAT(out.warnings.front(), Catch::Contains("could not check"));
}

TEST_CASE("set-token --delete clears the store and the config choice", "[auth][set-token]") {
    Rig rig;
    Environment env;
    env.set("CCU_GITHUB_TOKEN", kToken);
    (void)auth::store_token(kToken, TokenStoreKind::File, env, rig.paths, rig.open, {});
    rig.keyring_slot = kToken;
    auto out = auth::delete_token(TokenStoreKind::File, env, rig.paths, rig.open);
    CHECK(out.removed);
    CHECK_FALSE(std::filesystem::exists(rig.paths.token_file()));
    CHECK(rig.keyring_slot == kToken);  // only the named store
    CHECK_FALSE(load_config(rig.paths.config_file()).token_store.has_value());
    CHECK_FALSE(out.warnings.empty());  // the environment still has one
    out = auth::delete_token(std::nullopt, Environment{}, rig.paths, rig.open);
    CHECK(out.removed);
    CHECK_FALSE(rig.keyring_slot.has_value());
    CHECK_FALSE(auth::delete_token(std::nullopt, Environment{}, rig.paths, rig.open).removed);
}

TEST_CASE("set-token via the binary: stdin, argument warning, shape check", "[auth][set-token][binary]") {
    test::Sandbox sb;
    sb.set("DBUS_SESSION_BUS_ADDRESS", "unix:path=" + (sb.root() / "no-bus").string());
    const auto bin = test::ccu_binary();
    auto res = test::run_process({bin, "gist", "set-token", "--store", "file", "--no-check", "--json"}, sb.vars(),
                                 "  " + kToken + "  \n");
    INFO(res.err);
    REQUIRE(res.exit_code == 0);
    CHECK_THAT(res.out, Catch::Contains("\"action\":\"stored\"") || Catch::Contains("\"action\": \"stored\""));
    const auto paths = Paths::resolve(sb.environment());
    CHECK(auth::make_file_store(paths.token_file())->load() == kToken);

    res = test::run_process({bin, "gist", "set-token", "--store", "file", "--no-check", kToken}, sb.vars());
    CHECK(res.exit_code == 0);
    CHECK_THAT(res.err, Catch::Contains("shell history"));

    res = test::run_process({bin, "gist", "set-token", "--store", "file", "--no-check"}, sb.vars(), "ghp_ab cd\n");
    CHECK(res.exit_code == 2);
    res = test::run_process({bin, "gist", "set-token", "--store", "nowhere"}, sb.vars(), kToken);
    CHECK(res.exit_code == 2);
}
