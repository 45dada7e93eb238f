#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <sys/stat.h>

#include "ccu/common/atomic_file.hpp"
#include "ccu/common/config.hpp"
#include "ccu/common/environment.hpp"
#include "ccu/common/error.hpp"
#include "support/sandbox.hpp"

namespace fs = std::filesystem;

TEST_CASE("config round-trips and keeps unknown keys", "[config]") {
    ccu::test::Sandbox box;
    const fs::path file = box.config_dir() / "ccu" / "config.json";
    ccu::write_file_atomically(file, R"({"gist_id":"abc","machine_name":"laptop","future_key":{"x":1},
        "sync":{"max_file_bytes":1000,"other":true}})");
    ccu::Config cfg = ccu::load_config(file);
    CHECK(cfg.gist_id == "abc");
    CHECK(cfg.max_file_bytes == 1000);
    CHECK(cfg.is_configured());
    cfg.auto_sync = true;
    ccu::save_config(file, cfg);

    const auto j = nlohmann::json::parse(ccu::read_file(file));
    CHECK(j["future_key"]["x"] == 1);
    CHECK(j["sync"]["other"] == true);
    CHECK(j["auto_sync"] == true);
    struct stat st {};
    REQUIRE(::stat(file.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
}

TEST_CASE("missing config is the default, malformed config is a usage error", "[config]") {
    ccu::test::Sandbox box;
    const fs::path file = box.config_dir() / "ccu" / "config.json";
    CHECK_FALSE(ccu::load_config(file).is_configured());
    ccu::write_file_atomically(file, "{not json");
    try {
        (void)ccu::load_config(file);
        FAIL("expected an error");
    } catch (const ccu::Error& e) {
        CHECK(e.kind() == ccu::ErrorKind::Usage);
        CHECK_THAT(e.what(), Catch::Contains(file.string()));
    }
}

TEST_CASE("sync.transport is auto, git or rest: absent is auto, anything else a usage error", "[config]") {
    ccu::test::Sandbox box;
    const fs::path file = box.config_dir() / "ccu" / "config.json";
    ccu::write_file_atomically(file, R"({"gist_id":"abc","sync":{"transport":"git"}})");
    ccu::Config cfg = ccu::load_config(file);
    CHECK(cfg.transport == ccu::TransportChoice::Git);
    CHECK_FALSE(cfg.extra.contains("sync"));  // a known key, not kept as unknown
    cfg.transport = ccu::TransportChoice::Rest;
    ccu::save_config(file, cfg);
    CHECK(nlohmann::json::parse(ccu::read_file(file))["sync"]["transport"] == "rest");
    cfg.transport = ccu::TransportChoice::Auto;
    ccu::save_config(file, cfg);
    CHECK_FALSE(nlohmann::json::parse(ccu::read_file(file))["sync"].contains("transport"));
    CHECK(ccu::load_config(file).transport == ccu::TransportChoice::Auto);
    ccu::write_file_atomically(file, R"({"sync":{"transport":"ssh"}})");
    try {
        ccu::load_config(file);
        FAIL("an unknown transport was accepted");
    } catch (const ccu::Error& e) {
        CHECK(e.kind() == ccu::ErrorKind::Usage);
        CHECK(std::string(e.what()).find("sync.transport 'ssh'") != std::string::npos);
    }
}

TEST_CASE("sync.conflict_backoff_ms: 1000 by default and not written, kept when set, out of 0-60000 a usage error",
          "[config]") {
    ccu::test::Sandbox box;
    const fs::path file = box.config_dir() / "ccu" / "config.json";
    ccu::write_file_atomically(file, R"({"gist_id":"abc","sync":{"conflict_backoff_ms":100}})");
    ccu::Config cfg = ccu::load_config(file);
    CHECK(cfg.conflict_backoff_ms == 100);
    CHECK_FALSE(cfg.extra.contains("sync"));
    ccu::save_config(file, cfg);
    CHECK(nlohmann::json::parse(ccu::read_file(file))["sync"]["conflict_backoff_ms"] == 100);
    cfg.conflict_backoff_ms = 1000;
    ccu::save_config(file, cfg);
    CHECK_FALSE(nlohmann::json::parse(ccu::read_file(file))["sync"].contains("conflict_backoff_ms"));
    CHECK(ccu::load_config(file).conflict_backoff_ms == 1000);
    for (const char* bad : {R"({"sync":{"conflict_backoff_ms":-1}})", R"({"sync":{"conflict_backoff_ms":60001}})"}) {
        ccu::write_file_atomically(file, bad);
        try {
            ccu::load_config(file);
            FAIL("accepted " << bad);
        } catch (const ccu::Error& e) {
            CHECK(e.kind() == ccu::ErrorKind::Usage);
            CHECK(std::string(e.what()).find("sync.conflict_backoff_ms") != std::string::npos);
        }
    }
}

TEST_CASE("sync.seal_bytes: unset by default and not written, kept when set, a wrong type a usage error", "[config]") {
    ccu::test::Sandbox box;
    const fs::path file = box.config_dir() / "ccu" / "config.json";
    ccu::Config cfg = ccu::load_config(file);
    CHECK_FALSE(cfg.seal_bytes.has_value());  // the transport's default (docs/format.md §5)
    ccu::save_config(file, cfg);
    CHECK_FALSE(nlohmann::json::parse(ccu::read_file(file))["sync"].contains("seal_bytes"));
    ccu::write_file_atomically(file, R"({"gist_id":"abc","sync":{"seal_bytes":131072}})");
    cfg = ccu::load_config(file);
    CHECK(cfg.seal_bytes == 131072);  // set by hand or by an older ccu: kept as it is
    ccu::save_config(file, cfg);
    CHECK(nlohmann::json::parse(ccu::read_file(file))["sync"]["seal_bytes"] == 131072);
    ccu::write_file_atomically(file, R"({"sync":{"seal_bytes":"big"}})");
    CHECK_THROWS_AS(ccu::load_config(file), ccu::Error);
}

TEST_CASE("machine names follow the spec pattern", "[config]") {
    CHECK(ccu::is_valid_machine_name("laptop-1.home"));
    CHECK_FALSE(ccu::is_valid_machine_name("my_box"));
    CHECK_FALSE(ccu::is_valid_machine_name("-lead"));
    CHECK_FALSE(ccu::is_valid_machine_name(std::string(64, 'a')));
    CHECK(ccu::sanitize_machine_name("My_Box (work)") == "My-Box--work-");
    CHECK(ccu::sanitize_machine_name("__") == "machine");
    CHECK(ccu::is_valid_machine_name(ccu::default_machine_name()));
    const auto a = ccu::make_uuid_v4();
    CHECK(a.size() == 36);
    CHECK(a[14] == '4');
    CHECK(a != ccu::make_uuid_v4());
}

TEST_CASE("paths follow CLAUDE_CONFIG_DIR, XDG and CCU_DATA_DIR", "[paths]") {
    ccu::Environment env;
    env.set("HOME", "/h");
    env.set("CLAUDE_CONFIG_DIR", "/a, /b ,/a");
    env.set("XDG_CONFIG_HOME", "/x");
    const auto p = ccu::Paths::resolve(env);
    REQUIRE(p.projects_dirs.size() == 4);
    CHECK(p.projects_dirs[0] == "/a/projects");
    CHECK(p.projects_dirs[1] == "/b/projects");
    CHECK(p.projects_dirs[2] == "/h/.config/claude/projects");
    CHECK(p.projects_dirs[3] == "/h/.claude/projects");
    CHECK(p.data_dir == "/h/.claude/usage/ccu");
    CHECK(p.config_file() == "/x/ccu/config.json");
    env.set("CCU_DATA_DIR", "/d");
    CHECK(ccu::Paths::resolve(env).data_dir == "/d");
    CHECK_THROWS_AS(ccu::Paths::resolve(ccu::Environment{}), ccu::Error);
}
