// `ccu gist auto-sync on|off|run` as a user runs it: the real binary in a sandbox, with a fake
// `crontab` and `systemctl` first on PATH that record their arguments, environment and stdin and
// keep the crontab in a file.
#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>

#include "ccu/common/environment.hpp"
#include "ccu/sync/lock.hpp"
#include "support/fake_gist.hpp"
#include "support/process.hpp"
#include "support/sandbox.hpp"

using nlohmann::json;
namespace fs = std::filesystem;

namespace {

const std::string kToken = "ghp_AutoSyncTokenZ9Q8W7E6R5T4Y3U2I1O0PLKJ";

const char* kFakeCrontab = R"(#!/bin/sh
# fake crontab: the table lives in $FAKE_DIR/crontab
echo "crontab $*" >> "$FAKE_DIR/calls"
env >> "$FAKE_DIR/child-env"
case "$1" in
  -l) if [ -f "$FAKE_DIR/crontab" ]; then cat "$FAKE_DIR/crontab"; else echo "no crontab for tester" >&2; exit 1; fi ;;
  -) cat > "$FAKE_DIR/crontab" ;;
  *) echo "fake crontab: unsupported $*" >&2; exit 2 ;;
esac
)";

const char* kFakeSystemctl = R"(#!/bin/sh
# fake systemctl: a user manager exists only when $FAKE_DIR/systemd-up exists
echo "systemctl $*" >> "$FAKE_DIR/calls"
env >> "$FAKE_DIR/child-env"
[ -f "$FAKE_DIR/systemd-up" ] || { echo "Failed to connect to bus: No medium found" >&2; exit 1; }
case "$*" in
  *NextElapseUSecRealtime*) echo "Tue 2026-12-01 12:00:00 UTC" ;;
esac
exit 0
)";

std::string slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

void write_executable(const fs::path& file, const std::string& text) {
    std::ofstream(file) << text;
    fs::permissions(file, fs::perms::owner_all);
}

struct Machine {
    ccu::test::Sandbox sb;
    fs::path fake_dir = sb.root() / "fake";  // bin/ holds the scripts, the rest what they recorded

    Machine() {
        fs::create_directories(fake_dir / "bin");
        write_executable(fake_dir / "bin" / "crontab", kFakeCrontab);
        write_executable(fake_dir / "bin" / "systemctl", kFakeSystemctl);
        sb.set("FAKE_DIR", fake_dir.string());
        sb.set("PATH", (fake_dir / "bin").string() + ":" + sb.vars().at("PATH"));
    }
    void set_up_config() const {
        const json config = {{"gist_id", "0123456789abcdef0123456789abcdef"},
                             {"machine_name", "box"},
                             {"machine_id", "5a0c5d6e-1111-4222-8333-444455556666"}};
        fs::create_directories(sb.config_dir() / "ccu");
        std::ofstream(sb.config_dir() / "ccu" / "config.json") << config.dump(2);
    }
    ccu::test::ProcessResult ccu(std::vector<std::string> args, const std::string& input = {}) const {
        args.insert(args.begin(), ccu::test::ccu_binary());
        return ccu::test::run_process(args, sb.vars(), input, std::chrono::seconds(60));
    }
    json config() const { return json::parse(slurp(sb.config_dir() / "ccu" / "config.json")); }
    std::string calls() const { return slurp(fake_dir / "calls"); }
    fs::path unit_dir() const { return sb.config_dir() / "systemd" / "user"; }
};

}  // namespace

TEST_CASE("auto-sync on without systemd installs one marked crontab line and off removes only that line",
          "[cli][auto-sync]") {
    Machine m;
    m.set_up_config();
    const std::string user = "MAILTO=me@example.org\n# nightly backup\n15 3 * * * /usr/bin/backup --all\n";
    std::ofstream(m.fake_dir / "crontab") << user;

    auto on = m.ccu({"gist", "auto-sync", "on", "--interval", "30m"});
    INFO(on.err);
    REQUIRE(on.exit_code == 0);
    const std::string table = slurp(m.fake_dir / "crontab");
    CHECK(table.substr(0, user.size()) == user);
    const std::string line = table.substr(user.size());
    const std::string binary = fs::canonical(ccu::test::ccu_binary()).string();
    CHECK(line.substr(0, 13) == "*/30 * * * * ");
    CHECK(line.find("'" + binary + "' gist auto-sync run --quiet # ccu auto-sync\n") != std::string::npos);
    CHECK(line.find("CCU_DATA_DIR='" + m.sb.data_dir().string() + "'") != std::string::npos);
    CHECK(on.out.find("crontab line: */30") != std::string::npos);
    CHECK(m.config()["auto_sync_scheduler"] == "cron");
    CHECK(m.config()["auto_sync_interval_minutes"] == 30);

    // on again with another interval: still one line, the new one
    REQUIRE(m.ccu({"gist", "auto-sync", "on", "--interval", "2h", "--mode", "push"}).exit_code == 0);
    const std::string again = slurp(m.fake_dir / "crontab");
    CHECK(again.substr(0, user.size()) == user);
    CHECK(again.find("*/30") == std::string::npos);
    CHECK(again.find("0 */2 * * * ") != std::string::npos);
    CHECK(m.config()["auto_sync_mode"] == "push");

    const auto off = m.ccu({"gist", "auto-sync", "off"});
    INFO(off.err);
    REQUIRE(off.exit_code == 0);
    CHECK(slurp(m.fake_dir / "crontab") == user);
    CHECK(off.out.find("removed") != std::string::npos);
    CHECK(m.config()["auto_sync"] == false);
    CHECK_FALSE(fs::exists(m.unit_dir() / "ccu-auto-sync.timer"));
}

TEST_CASE("auto-sync on with a systemd user manager enables a timer and off disables it and deletes both units",
          "[cli][auto-sync]") {
    Machine m;
    m.set_up_config();
    std::ofstream(m.fake_dir / "systemd-up") << "";
    fs::create_directories(m.unit_dir());
    std::ofstream(m.unit_dir() / "mine.service") << "[Service]\nExecStart=/bin/true\n";

    const auto on = m.ccu({"gist", "auto-sync", "on", "--interval", "45m", "--json"});
    INFO(on.err);
    REQUIRE(on.exit_code == 0);
    const json doc = json::parse(on.out);
    CHECK(doc["scheduler"] == "systemd");
    CHECK(doc["crontab"].is_null());
    const std::string service = slurp(m.unit_dir() / "ccu-auto-sync.service");
    const std::string binary = fs::canonical(ccu::test::ccu_binary()).string();
    CHECK(service.find("ExecStart=\"" + binary + "\" gist auto-sync run --quiet\n") != std::string::npos);
    CHECK(service.find("Environment=\"XDG_CONFIG_HOME=" + m.sb.config_dir().string() + "\"") != std::string::npos);
    CHECK(slurp(m.unit_dir() / "ccu-auto-sync.timer").find("OnUnitActiveSec=45min\n") != std::string::npos);
    const std::string calls = m.calls();
    CHECK(calls.find("systemctl --user daemon-reload\n") != std::string::npos);
    CHECK(calls.find("systemctl --user enable --now ccu-auto-sync.timer\n") != std::string::npos);
    CHECK_FALSE(fs::exists(m.fake_dir / "crontab"));  // cron was never written

    const auto status = m.ccu({"gist", "status", "--json"});
    REQUIRE(status.exit_code == 0);
    const json a = json::parse(status.out)["auto_sync"];
    CHECK(a["scheduler"] == "systemd");
    CHECK(a["installed"] == true);
    CHECK(a["next_run"] == "Tue 2026-12-01 12:00:00 UTC");

    REQUIRE(m.ccu({"gist", "auto-sync", "off"}).exit_code == 0);
    CHECK(m.calls().find("systemctl --user disable --now ccu-auto-sync.timer\n") != std::string::npos);
    CHECK_FALSE(fs::exists(m.unit_dir() / "ccu-auto-sync.service"));
    CHECK_FALSE(fs::exists(m.unit_dir() / "ccu-auto-sync.timer"));
    CHECK(fs::exists(m.unit_dir() / "mine.service"));  // the user's own unit stays
}

TEST_CASE("auto-sync on on a machine that is not set up refuses with the setup step and installs nothing",
          "[cli][auto-sync]") {
    Machine m;
    const auto on = m.ccu({"gist", "auto-sync", "on"});
    CHECK(on.exit_code == 3);
    CHECK(on.err.find("run 'ccu gist setup' first") != std::string::npos);
    CHECK_FALSE(fs::exists(m.fake_dir / "crontab"));
    CHECK_FALSE(fs::exists(m.fake_dir / "calls"));
}

TEST_CASE("auto-sync on says how to give the scheduled run a token unless the file store holds one",
          "[cli][auto-sync]") {
    Machine m;
    m.set_up_config();
    m.sb.set("CCU_GITHUB_TOKEN", kToken);  // found now, but not by cron
    const auto keyring = m.ccu({"gist", "auto-sync", "on", "--scheduler", "cron"});
    REQUIRE(keyring.exit_code == 0);
    CHECK(keyring.err.find("the scheduled run will not find a token") != std::string::npos);
    CHECK(keyring.err.find("ccu gist set-token --store file") != std::string::npos);
    // no child ever saw the token
    CHECK(slurp(m.fake_dir / "child-env").find(kToken) == std::string::npos);
    CHECK(slurp(m.fake_dir / "crontab").find(kToken) == std::string::npos);

    const auto token_file = m.sb.config_dir() / "ccu" / "token";
    std::ofstream(token_file) << kToken << "\n";
    fs::permissions(token_file, fs::perms::owner_read | fs::perms::owner_write);
    json config = m.config();
    config["token_store"] = "file";
    std::ofstream(m.sb.config_dir() / "ccu" / "config.json") << config.dump(2);
    const auto file = m.ccu({"gist", "auto-sync", "on", "--scheduler", "cron"});
    REQUIRE(file.exit_code == 0);
    CHECK(file.err.find("token") == std::string::npos);
}

TEST_CASE("the installed crontab line syncs without a session, logs to the data dir and status shows the run",
          "[cli][auto-sync]") {
    ccu::test::FakeGistServer fake;
    fake.add_token(kToken, "alice");
    Machine m;
    m.sb.set("CCU_GITHUB_API_URL", fake.api_url());
    m.sb.set("CCU_GITHUB_TOKEN", kToken);
    REQUIRE(m.ccu({"gist", "setup", "--create", "--machine-name", "box"}).exit_code == 0);
    m.sb.unset("CCU_GITHUB_TOKEN");
    // set-token checks the token against the API, so it needs the fake's URL
    REQUIRE(m.ccu({"gist", "set-token", "--store", "file"}, kToken + "\n").exit_code == 0);
    REQUIRE(m.ccu({"gist", "auto-sync", "on", "--scheduler", "cron"}).exit_code == 0);

    // Run the line the way cron does: /bin/sh -c with HOME, a bare PATH and nothing else.
    const std::string table = slurp(m.fake_dir / "crontab");
    const std::string line = table.substr(0, table.find('\n'));
    const std::string command = line.substr(std::string("0 * * * * ").size());
    const auto run = ccu::test::run_process({"/bin/sh", "-c", command},
                                            {{"HOME", m.sb.home().string()}, {"PATH", "/usr/bin:/bin"}});
    INFO(line << "\n" << run.err);
    REQUIRE(run.exit_code == 0);
    CHECK(run.out.empty());  // --quiet: cron mails nothing on success

    const std::string log = slurp(m.sb.data_dir() / "auto-sync.log");
    CHECK(log.find("run started: sync, machine box") != std::string::npos);
    CHECK(log.find("result: ok (exit 0)") != std::string::npos);
    const auto status = m.ccu({"gist", "status", "--json"});
    REQUIRE(status.exit_code == 0);
    const json a = json::parse(status.out)["auto_sync"];
    CHECK(a["scheduler"] == "cron");
    CHECK(a["installed"] == true);
    CHECK(a["next_run"].is_string());
    CHECK(a["last_run"]["outcome"] == "ok");
    CHECK(json::parse(status.out)["local"]["last_pull"].is_string());
}

TEST_CASE("a scheduled run waits a bounded time for a held lock, then records busy and exits 7",
          "[cli][auto-sync]") {
    Machine m;
    m.set_up_config();
    json config = m.config();
    config["auto_sync"] = true;
    std::ofstream(m.sb.config_dir() / "ccu" / "config.json") << config.dump(2);
    const ccu::sync::SyncLock held(m.sb.data_dir() / "ccu.lock");

    const auto start = std::chrono::steady_clock::now();
    const auto run = m.ccu({"gist", "auto-sync", "run", "--max-wait", "2"});
    const auto took = std::chrono::steady_clock::now() - start;
    CHECK(run.exit_code == 7);
    CHECK(took >= std::chrono::seconds(2));
    CHECK(took < std::chrono::seconds(10));
    CHECK(slurp(m.sb.data_dir() / "auto-sync.log").find("result: busy (exit 7)") != std::string::npos);
    const json last = json::parse(slurp(m.sb.data_dir() / "auto-sync-last.json"));
    CHECK(last["outcome"] == "busy");
}

TEST_CASE("report with auto-sync on sends no request and does not wait", "[cli][auto-sync]") {
    ccu::test::FakeGistServer fake;
    fake.add_token(kToken, "alice");
    Machine m;
    m.set_up_config();
    json config = m.config();
    config["auto_sync"] = true;
    config["auto_sync_interval_minutes"] = 1;
    std::ofstream(m.sb.config_dir() / "ccu" / "config.json") << config.dump(2);
    m.sb.set("CCU_GITHUB_API_URL", fake.api_url());
    m.sb.set("CCU_GITHUB_TOKEN", kToken);
    for (const auto& args : {std::vector<std::string>{"report", "daily"}, std::vector<std::string>{"scan"}}) {
        const auto r = m.ccu(args);
        INFO(args[0] << ": " << r.err);
        CHECK(r.exit_code == 0);
        CHECK(r.err.find("auto-sync") == std::string::npos);
    }
    CHECK(fake.requests().empty());
}
