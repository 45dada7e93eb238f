// The token must never leave the places it belongs: the API host's Authorization header and the
// token store. Runs every gist command with -vv against the fake server and searches everything.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>

#include "ccu/common/environment.hpp"
#include "support/fake_gist.hpp"
#include "support/process.hpp"
#include "support/sandbox.hpp"

using nlohmann::json;
namespace fs = std::filesystem;

namespace {

const std::string kToken = "ghp_LeakCanaryZ9Q8W7E6R5T4Y3U2I1O0PLKJHGF";
const std::string kFileToken = "ghp_LeakCanaryFileStoreZZZZZZZZZZZZZZZZZZZ";

void write_usage_line(const fs::path& projects) {
    const fs::path dir = projects / "-home-me-proj";
    fs::create_directories(dir);
    std::ofstream(dir / "session-1.jsonl")
        << R"({"type":"assistant","sessionId":"s-1","uuid":"u-1","timestamp":"2026-11-01T10:00:00.000Z",)"
        << R"("cwd":"/home/me/proj","version":"1.0.0","gitBranch":"main","requestId":"req-1","message":{"id":"msg-1",)"
        << R"("model":"claude-sonnet-4-20250514","usage":{"input_tokens":10,"output_tokens":20,)"
        << R"("cache_creation_input_tokens":3,"cache_read_input_tokens":4}}})" << "\n";
}

std::string slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

}  // namespace

TEST_CASE("the token appears in no output, no file but its store, and only in requests to the API port",
          "[cli][security]") {
    ccu::test::FakeGistServer fake;
    fake.add_token(kToken, "alice");
    fake.add_token(kFileToken, "alice");
    fake.configure({{"truncate_bytes", 16}});  // force raw_url reads so the raw host sees traffic
    ccu::test::Sandbox sb;
    sb.set("CCU_GITHUB_TOKEN", kToken);
    sb.set("CCU_GITHUB_API_URL", fake.api_url());
    write_usage_line(sb.projects_dir());

    const std::vector<std::vector<std::string>> commands = {
        {"gist", "setup", "--create", "--machine-name", "leak-box", "-vv"},
        {"gist", "setup", "-vv"},  // re-run: reads the (truncated) manifest through raw_url
        {"gist", "info", "-vv"},
        {"gist", "status", "-vv", "--json"},
        {"scan", "-vv"},
        {"gist", "push", "-vv"},
        {"gist", "pull", "-vv"},
        {"gist", "sync", "-vv"},
        {"gist", "backup", "create", "-vv"},
        {"gist", "backup", "list", "-vv"},
        {"gist", "repair", "-vv"},
        {"gist", "set-token", "--store", "file", "-vv"},  // token on stdin, checked against the API
    };
    int setup_ok = 0;
    for (const auto& args : commands) {
        std::vector<std::string> argv{ccu::test::ccu_binary()};
        argv.insert(argv.end(), args.begin(), args.end());
        const std::string input = args[1] == "set-token" ? kFileToken + "\n" : std::string();
        const auto res = ccu::test::run_process(argv, sb.vars(), input, std::chrono::seconds(60));
        INFO("ccu " << args[0] << " " << args[1] << " exit " << res.exit_code << "\nstderr: " << res.err);
        if (args[1] == "setup" && res.exit_code == 0) ++setup_ok;
        CHECK(res.out.find(kToken) == std::string::npos);
        CHECK(res.err.find(kToken) == std::string::npos);
        CHECK(res.out.find(kFileToken) == std::string::npos);
        CHECK(res.err.find(kFileToken) == std::string::npos);
    }
    REQUIRE(setup_ok == 2);  // otherwise the rest proves little

    const auto paths = ccu::Paths::resolve(sb.environment());
    CHECK(slurp(paths.token_file()).find(kFileToken) != std::string::npos);  // the store itself
    std::size_t files_checked = 0;
    for (const auto& entry : fs::recursive_directory_iterator(sb.root())) {
        if (!entry.is_regular_file() || entry.path() == paths.token_file()) continue;
        const std::string content = slurp(entry.path());
        INFO("file " << entry.path());
        CHECK(content.find(kToken) == std::string::npos);
        CHECK(content.find(kFileToken) == std::string::npos);
        ++files_checked;
    }
    CHECK(files_checked >= 2);  // config.json and the store at least

    std::size_t api_with_token = 0, raw_requests = 0;
    for (const auto& r : fake.requests()) {
        const std::string dump = r.dump();
        const bool carries = dump.find(kToken) != std::string::npos || dump.find(kFileToken) != std::string::npos;
        if (r["port"] == fake.raw_port()) {
            ++raw_requests;
            INFO("raw request " << r["path"]);
            CHECK_FALSE(carries);
            CHECK_FALSE(r["headers"].contains("authorization"));
        } else if (carries) {
            CHECK(r["port"] == fake.api_port());
            const std::string path = r["path"];
            CHECK(path.find(kToken) == std::string::npos);  // only ever in the header
            ++api_with_token;
        }
    }
    CHECK(api_with_token > 0);
    CHECK(raw_requests > 0);
}
