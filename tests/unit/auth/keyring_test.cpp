// The real Secret Service path. Hidden from normal discovery ([.keyring]): run by
// tests/keyring/run_keyring_tests.sh inside dbus-run-session with a private gnome-keyring-daemon.
#include <catch2/catch.hpp>

#include "ccu/auth/token_resolver.hpp"
#include "ccu/common/config.hpp"
#include "ccu/common/environment.hpp"
#include "ccu/common/error.hpp"
#include "support/process.hpp"

using namespace ccu;

namespace {
const std::string kToken = "ghp_KeyringTestTokenEEEEEEEEEEEEEEEEEEEEEEE";
const std::string kOther = "github_pat_KeyringSecondFFFFFFFFFFFFFFFFFFFFF";
}  // namespace

TEST_CASE("keyring: store, load, overwrite, remove against gnome-keyring", "[.keyring]") {
    auto store = auth::make_keyring_store();
    (void)store->remove();
    CHECK_FALSE(store->load().has_value());  // a missing item is "none", not an error
    store->save(kToken);
    CHECK(store->load() == kToken);
    store->save(kOther);  // same attributes: replaces, does not duplicate
    CHECK(store->load() == kOther);
    CHECK(store->remove());
    CHECK_FALSE(store->load().has_value());
    CHECK_FALSE(store->remove());
}

TEST_CASE("keyring: resolve_token reads it after the environment, before the file", "[.keyring]") {
    auto store = auth::make_keyring_store();
    store->save(kToken);
    Environment env;
    env.set("HOME", "/nonexistent-home");
    const Paths paths = Paths::resolve(env);
    Config config;
    config.token_store = TokenStoreKind::File;  // the file does not exist: keyring must win first
    auto r = auth::resolve_token(env, paths, config);
    CHECK(r.source == auth::TokenSource::Keyring);
    CHECK(r.token == kToken);
    env.set("GITHUB_TOKEN", kOther);
    CHECK(auth::resolve_token(env, paths, config).source == auth::TokenSource::EnvGithub);
    CHECK(store->remove());
}

TEST_CASE("keyring: secret-tool sees what libsecret stored (same schema attributes)", "[.keyring]") {
    auto store = auth::make_keyring_store();
    store->save(kToken);
    std::map<std::string, std::string> env;
    for (const char* name : {"PATH", "HOME", "DBUS_SESSION_BUS_ADDRESS", "XDG_RUNTIME_DIR", "XDG_DATA_HOME"}) {
        if (const char* v = std::getenv(name)) env[name] = v;
    }
    const auto res = test::run_process({"/usr/bin/secret-tool", "lookup", "service", "ccu", "account", "github"}, env);
    CHECK(res.exit_code == 0);
    CHECK(res.out == kToken);
    CHECK(store->remove());
}
