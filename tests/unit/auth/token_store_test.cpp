// File store, resolver order, token shape, and the no-D-Bus failure of the real keyring store.
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <fstream>

#include "ccu/auth/token_resolver.hpp"
#include "ccu/common/error.hpp"
#include "ccu/common/log.hpp"
#include "memory_token_store.hpp"
#include "support/process.hpp"
#include "support/sandbox.hpp"

using namespace ccu;
namespace fs = std::filesystem;

namespace {

const std::string kToken = "ghp_TESTtokenAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";

mode_t mode_of(const fs::path& p) {
    struct stat st {};
    REQUIRE(::stat(p.c_str(), &st) == 0);
    return st.st_mode & 07777;
}

void write_plain(const fs::path& p, const std::string& text, mode_t mode) {
    fs::create_directories(p.parent_path());
    std::ofstream(p) << text;
    REQUIRE(::chmod(p.c_str(), mode) == 0);
}

ErrorKind kind_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const Error& e) {
        return e.kind();
    }
    FAIL("expected a ccu::Error");
    return ErrorKind::Unexpected;
}

}  // namespace

TEST_CASE("file store writes the token with mode 0600 and reads it back", "[auth][file]") {
    test::Sandbox sb;
    const fs::path file = sb.config_dir() / "ccu" / "token";
    auto store = auth::make_file_store(file);
    CHECK_FALSE(store->load().has_value());
    store->save(kToken);
    CHECK(mode_of(file) == 0600);
    CHECK(store->load() == kToken);
    CHECK(store->remove());
    CHECK_FALSE(fs::exists(file));
    CHECK_FALSE(store->remove());
}

TEST_CASE("file store trims whitespace and treats an empty file as no token", "[auth][file]") {
    test::Sandbox sb;
    const fs::path file = sb.config_dir() / "ccu" / "token";
    write_plain(file, "  " + kToken + "\r\n\n", 0600);
    CHECK(auth::make_file_store(file)->load() == kToken);
    write_plain(file, " \n", 0600);
    CHECK_FALSE(auth::make_file_store(file)->load().has_value());
}

TEST_CASE("file store refuses a group- or world-readable file and names the chmod fix", "[auth][file]") {
    test::Sandbox sb;
    const fs::path file = sb.config_dir() / "ccu" / "token";
    for (const mode_t mode : {mode_t{0644}, mode_t{0640}, mode_t{0604}, mode_t{0660}}) {
        write_plain(file, kToken, mode);
        try {
            (void)auth::make_file_store(file)->load();
            FAIL("mode " << mode << " was accepted");
        } catch (const Error& e) {
            CHECK(e.kind() == ErrorKind::NotConfigured);
            CHECK_THAT(e.hint(), Catch::Contains("chmod 600 " + file.string()));
            CHECK_THAT(std::string(e.what()), !Catch::Contains(kToken));
        }
    }
    write_plain(file, kToken, 0400);  // read-only for the owner is fine
    CHECK(auth::make_file_store(file)->load() == kToken);
}

TEST_CASE("file store refuses a file owned by someone else", "[auth][file]") {
    test::Sandbox sb;
    const fs::path file = sb.config_dir() / "ccu" / "token";
    write_plain(file, kToken, 0600);
    if (::geteuid() != 0) {
        WARN("not root: cannot chown a file to another user here; foreign-owner check not exercised");
        return;
    }
    REQUIRE(::chown(file.c_str(), 65534, 65534) == 0);
    try {
        (void)auth::make_file_store(file)->load();
        FAIL("a foreign-owned token file was accepted");
    } catch (const Error& e) {
        CHECK(e.kind() == ErrorKind::NotConfigured);
        CHECK_THAT(std::string(e.what()), Catch::Contains("owned by uid 65534"));
    }
}

TEST_CASE("file store refuses a symbolic link", "[auth][file]") {
    test::Sandbox sb;
    const fs::path real = sb.root() / "elsewhere";
    write_plain(real, kToken, 0600);
    const fs::path file = sb.config_dir() / "ccu" / "token";
    fs::create_directories(file.parent_path());
    fs::create_symlink(real, file);
    CHECK(kind_of([&] { (void)auth::make_file_store(file)->load(); }) == ErrorKind::NotConfigured);
}

TEST_CASE("resolver order: CCU_GITHUB_TOKEN, GITHUB_TOKEN, keyring, then the chosen file", "[auth][resolver]") {
    std::optional<std::string> keyring_slot = "ghp_fromKeyringXXXXXXXXXXXXXXXXXXXXXXXXXX";
    std::optional<std::string> file_slot = "ghp_fromFileXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX";
    test::MemoryTokenStore keyring(keyring_slot);
    test::MemoryTokenStore file(file_slot);

    Environment env;
    env.set("GITHUB_TOKEN", "ghp_fromGithubEnvXXXXXXXXXXXXXXXXXXXXXXXX");
    env.set("CCU_GITHUB_TOKEN", " ghp_fromCcuEnvXXXXXXXXXXXXXXXXXXXXXXXXXXX\n");
    auto r = auth::resolve_token_from(env, keyring, &file);
    CHECK(r.source == auth::TokenSource::EnvCcu);
    CHECK(r.token == "ghp_fromCcuEnvXXXXXXXXXXXXXXXXXXXXXXXXXXX");  // trimmed
    CHECK(log::redact("x " + r.token + " y") == "x [REDACTED] y");

    env.set("CCU_GITHUB_TOKEN", "");  // empty counts as unset
    r = auth::resolve_token_from(env, keyring, &file);
    CHECK(r.source == auth::TokenSource::EnvGithub);

    r = auth::resolve_token_from(Environment{}, keyring, &file);
    CHECK(r.source == auth::TokenSource::Keyring);
    CHECK(r.token == *keyring_slot);

    keyring_slot.reset();
    r = auth::resolve_token_from(Environment{}, keyring, &file);
    CHECK(r.source == auth::TokenSource::File);
    CHECK(r.token == *file_slot);
}

TEST_CASE("resolver never reads the file unless the config chose it", "[auth][resolver]") {
    test::Sandbox sb;
    const auto paths = Paths::resolve(sb.environment());
    auth::make_file_store(paths.token_file())->save(kToken);
    std::optional<std::string> empty_keyring;
    test::MemoryTokenStore keyring(empty_keyring);
    try {
        (void)auth::resolve_token_from(Environment{}, keyring, nullptr);
        FAIL("resolved a token without any store holding one");
    } catch (const Error& e) {
        CHECK(e.kind() == ErrorKind::NotConfigured);
        CHECK_THAT(e.hint(), Catch::Contains("run 'ccu gist set-token'"));
    }
    auto file = auth::make_file_store(paths.token_file());
    CHECK(auth::resolve_token_from(Environment{}, keyring, file.get()).source == auth::TokenSource::File);
}

TEST_CASE("resolver: an unreachable keyring falls through to the chosen file, else explains both ways out",
          "[auth][resolver]") {
    std::optional<std::string> keyring_slot;
    test::MemoryTokenStore broken_keyring(keyring_slot, /*unavailable=*/true);
    std::optional<std::string> file_slot = kToken;
    test::MemoryTokenStore file(file_slot);
    CHECK(auth::resolve_token_from(Environment{}, broken_keyring, &file).source == auth::TokenSource::File);
    try {
        (void)auth::resolve_token_from(Environment{}, broken_keyring, nullptr);
        FAIL("no error without a keyring");
    } catch (const Error& e) {
        CHECK(e.kind() == ErrorKind::NotConfigured);
        CHECK(std::string(e.what()) ==
              "no token stored; on a machine without a desktop keyring use `ccu gist set-token --store file`");
        CHECK_THAT(e.hint(), Catch::Contains("CCU_GITHUB_TOKEN"));
    }
    file_slot.reset();
    CHECK(kind_of([&] { (void)auth::resolve_token_from(Environment{}, broken_keyring, &file); }) ==
          ErrorKind::NotConfigured);
}

TEST_CASE("token shape: trimmed, no inner whitespace, sane length", "[auth][shape]") {
    CHECK(auth::normalize_token("  " + kToken + "\n") == kToken);
    CHECK(kind_of([] { (void)auth::normalize_token(" \n"); }) == ErrorKind::Usage);
    CHECK(kind_of([] { (void)auth::normalize_token("ghp_abc def_0123456789abcdef"); }) == ErrorKind::Usage);
    CHECK(kind_of([] { (void)auth::normalize_token("short"); }) == ErrorKind::Usage);
    CHECK(auth::looks_like_github_token(kToken));
    CHECK(auth::looks_like_github_token("github_pat_11AAAAAAA0123456789_abcdefghijklmnopqrstuvwxyz"));
    CHECK(auth::looks_like_github_token("0123456789abcdef0123456789abcdef01234567"));
    CHECK_FALSE(auth::looks_like_github_token("not-a-github-token-but-long-enough"));
}

// libsecret reads the real process environment, so this runs the binary with a dead bus.
TEST_CASE("no D-Bus session: keyring fails fast and the error names both ways out", "[auth][nodbus]") {
    test::Sandbox sb;
    sb.unset("DISPLAY");
    sb.unset("WAYLAND_DISPLAY");
    sb.unset("CCU_GITHUB_TOKEN");
    sb.unset("GITHUB_TOKEN");
    for (const std::string& bus : {"unix:path=" + (sb.root() / "no-such-bus-socket").string(), std::string()}) {
        if (bus.empty()) {
            sb.unset("DBUS_SESSION_BUS_ADDRESS");  // cron: no bus at all, no X11 to autolaunch one
        } else {
            sb.set("DBUS_SESSION_BUS_ADDRESS", bus);
        }
        const auto started = std::chrono::steady_clock::now();
        const auto res = test::run_process({test::ccu_binary(), "gist", "set-token", "--no-check"}, sb.vars(),
                                           kToken + "\n", std::chrono::seconds(30));
        const auto took = std::chrono::steady_clock::now() - started;
        INFO("bus=" << bus << " stderr: " << res.err);
        CHECK(res.exit_code == 3);
        CHECK(took < std::chrono::seconds(10));
        CHECK_THAT(res.err, Catch::Contains("keyring"));
        CHECK_THAT(res.err, Catch::Contains("CCU_GITHUB_TOKEN"));
        CHECK_THAT(res.err, Catch::Contains("ccu gist set-token --store file"));
        CHECK_THAT(res.err, !Catch::Contains(kToken));

        // Reading hits the same wall: setup without any token.
        const auto setup = test::run_process({test::ccu_binary(), "gist", "setup", "--yes"}, sb.vars(), "",
                                             std::chrono::seconds(30));
        CHECK(setup.exit_code == 3);
        CHECK_THAT(setup.err, Catch::Contains("--store file"));
    }
}
