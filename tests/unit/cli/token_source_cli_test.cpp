// Which token ccu used is never a mystery: status names its source, a 401 names it with a fix
// that works for that source, and an exported GITHUB_TOKEN beating the stored token is said once.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "support/fake_gist.hpp"
#include "support/process.hpp"
#include "support/sandbox.hpp"

using nlohmann::json;
namespace fs = std::filesystem;

namespace {

const std::string kGood = "ghp_TokenSourceGoodZ9Q8W7E6R5T4Y3U2I1O0PL";
const std::string kStale = "ghp_TokenSourceStaleZ9Q8W7E6R5T4Y3U2I1O0P";

ccu::test::ProcessResult ccu_run(const ccu::test::Sandbox& sb, std::vector<std::string> args) {
    args.insert(args.begin(), ccu::test::ccu_binary());
    return ccu::test::run_process(args, sb.vars(), "", std::chrono::seconds(60));
}

std::size_t count_of(const std::string& text, const std::string& needle) {
    std::size_t n = 0;
    for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
    return n;
}

// A set-up machine whose token lives in the 0600 file (config token_store = file).
void set_up_with_file_token(ccu::test::Sandbox& sb, ccu::test::FakeGistServer& fake) {
    sb.set("CCU_GITHUB_API_URL", fake.api_url());
    sb.set("CCU_GITHUB_TOKEN", kGood);
    REQUIRE(ccu_run(sb, {"gist", "setup", "--create", "--machine-name", "box"}).exit_code == 0);
    sb.unset("CCU_GITHUB_TOKEN");
    std::vector<std::string> argv{ccu::test::ccu_binary(), "gist", "set-token", "--store", "file"};
    REQUIRE(ccu::test::run_process(argv, sb.vars(), kGood + "\n").exit_code == 0);
}

}  // namespace

TEST_CASE("status names the token source and warns once when GITHUB_TOKEN beats the stored token",
          "[cli][token]") {
    ccu::test::FakeGistServer fake;
    fake.add_token(kGood, "alice");
    ccu::test::Sandbox sb;
    set_up_with_file_token(sb, fake);

    const auto plain = ccu_run(sb, {"gist", "status", "--json"});
    REQUIRE(plain.exit_code == 0);
    CHECK(json::parse(plain.out)["token"]["source"] == "the token file");
    CHECK(plain.err.find("GITHUB_TOKEN") == std::string::npos);

    sb.set("GITHUB_TOKEN", kGood);
    const auto shadowed = ccu_run(sb, {"gist", "status"});
    INFO(shadowed.err);
    REQUIRE(shadowed.exit_code == 0);
    CHECK(shadowed.out.find("Token:         GITHUB_TOKEN from the environment") != std::string::npos);
    CHECK(count_of(shadowed.err, "ccu: warning: using GITHUB_TOKEN from the environment, not the token stored in") == 1);
    CHECK(shadowed.err.find("unset GITHUB_TOKEN") != std::string::npos);
}

TEST_CASE("a refused exported token is named in the 401 error with a fix that does not store another token",
          "[cli][token]") {
    ccu::test::FakeGistServer fake;
    fake.add_token(kGood, "alice");
    ccu::test::Sandbox sb;
    set_up_with_file_token(sb, fake);
    sb.set("GITHUB_TOKEN", kStale);  // unknown to the fake: 401

    const auto info = ccu_run(sb, {"gist", "info"});
    INFO(info.err);
    CHECK(info.exit_code == 3);
    CHECK(info.err.find("GitHub refused the token from GITHUB_TOKEN from the environment (401)") != std::string::npos);
    CHECK(info.err.find("unset GITHUB_TOKEN") != std::string::npos);
    CHECK(info.err.find(kStale) == std::string::npos);

    sb.unset("GITHUB_TOKEN");  // the fix offered: the stored token works again
    CHECK(ccu_run(sb, {"gist", "info"}).exit_code == 0);

    std::ofstream(sb.config_dir() / "ccu" / "token") << kStale << "\n";
    const auto file = ccu_run(sb, {"gist", "info"});
    CHECK(file.exit_code == 3);
    CHECK(file.err.find("GitHub refused the token from the token file (401)") != std::string::npos);
    CHECK(file.err.find("ccu gist set-token --store file") != std::string::npos);
}

TEST_CASE("without a desktop keyring a missing token says to use the file store, not the D-Bus error",
          "[cli][token]") {
    ccu::test::Sandbox sb;
    sb.unset("DISPLAY");
    sb.unset("WAYLAND_DISPLAY");
    sb.unset("DBUS_SESSION_BUS_ADDRESS");
    const fs::path config = sb.config_dir() / "ccu" / "config.json";
    fs::create_directories(config.parent_path());
    std::ofstream(config) << R"({"gist_id": "0123456789abcdef0123456789abcdef", "machine_name": "box"})";
    const auto push = ccu_run(sb, {"gist", "push"});
    CHECK(push.exit_code == 3);
    CHECK(push.err.find("ccu: error: no token stored; on a machine without a desktop keyring use "
                        "`ccu gist set-token --store file`") != std::string::npos);

    const auto set = ccu::test::run_process({ccu::test::ccu_binary(), "gist", "set-token"}, sb.vars(), kGood + "\n");
    CHECK(set.exit_code == 3);
    CHECK(set.err.find("the system keyring is not reachable, so the token cannot be stored there") != std::string::npos);
}

TEST_CASE("gist status with the API unreachable returns at once and says the remote part is unavailable",
          "[cli][status][offline]") {
    ccu::test::Sandbox sb;
    int port = 0;
    {
        ccu::test::FakeGistServer gone;  // a port that was just served and is closed now
        port = gone.api_port();
    }
    sb.set("CCU_GITHUB_API_URL", "http://127.0.0.1:" + std::to_string(port));
    sb.set("CCU_GITHUB_TOKEN", kGood);
    const fs::path config = sb.config_dir() / "ccu" / "config.json";
    fs::create_directories(config.parent_path());
    std::ofstream(config) << R"({"gist_id": "0123456789abcdef0123456789abcdef", "machine_name": "box"})";
    const auto start = std::chrono::steady_clock::now();
    const auto status = ccu_run(sb, {"gist", "status"});
    const auto took = std::chrono::steady_clock::now() - start;
    INFO(status.out << status.err);
    CHECK(status.exit_code == 0);
    CHECK(took < std::chrono::seconds(3));
    CHECK(status.out.find("Remote:        unavailable (") != std::string::npos);
    CHECK(status.out.find("Token:         CCU_GITHUB_TOKEN from the environment") != std::string::npos);
}
