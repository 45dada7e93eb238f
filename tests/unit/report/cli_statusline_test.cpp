// `ccu statusline` as Claude Code runs it: JSON on stdin, one line on stdout, always exit 0.
#include <catch2/catch.hpp>

#include <fstream>

#include "support/process.hpp"
#include "support/sandbox.hpp"

namespace {

ccu::test::ProcessResult statusline(const ccu::test::Sandbox& sandbox, const std::string& input) {
    auto env = sandbox.vars();
    env["TZ"] = "UTC";
    return ccu::test::run_process({ccu::test::ccu_binary(), "statusline"}, env, input);
}

}  // namespace

TEST_CASE("statusline prints the session cost from the store plus the transcript's unscanned tail", "[report][statusline][cli]") {
    ccu::test::Sandbox sandbox;
    const auto transcript = sandbox.projects_dir() / "-home-dev-proj" / "s1.jsonl";
    std::filesystem::create_directories(transcript.parent_path());
    const auto line = [](const char* id, int input) {
        return std::string(R"({"type":"assistant","sessionId":"s1","uuid":"u-)") + id +
               R"(","timestamp":"2025-03-01T10:00:00.000Z","cwd":"/home/dev/proj","message":{"id":"m-)" + id +
               R"(","model":"claude-opus-4-6","usage":{"input_tokens":)" + std::to_string(input) +
               R"(,"output_tokens":0}},"requestId":"r-)" + id + "\"}\n";
    };
    std::ofstream(transcript) << line("a", 1000000);  // $5.00 at opus-4-6's $5 per million
    REQUIRE(ccu::test::run_process({ccu::test::ccu_binary(), "scan"}, sandbox.vars()).exit_code == 0);
    std::ofstream(transcript, std::ios::app) << line("b", 200000);  // $1.00, not scanned yet
    const std::string input = R"({"session_id":"s1","transcript_path":")" + transcript.string() +
                              R"(","model":{"id":"claude-opus-4-6","display_name":"Opus"}})";
    const auto result = statusline(sandbox, input);
    CHECK(result.exit_code == 0);
    CHECK(result.out.rfind("🤖 Opus | 💰 $6.00 session / ", 0) == 0);
    // It wrote nothing: the store still has only the scanned record.
    const auto report = ccu::test::run_process({ccu::test::ccu_binary(), "report", "session", "--json", "--tz", "UTC",
                                                "--all-machines"},
                                               sandbox.vars());
    CHECK(report.out.find("\"inputTokens\": 1200000") != std::string::npos);  // the report scans the tail itself
}

TEST_CASE("statusline with empty or garbage stdin prints a short line and exits 0", "[report][statusline][cli]") {
    ccu::test::Sandbox sandbox;
    for (const std::string& input : {std::string(), std::string("not json {"), std::string(R"({"model":{}})")}) {
        const auto result = statusline(sandbox, input);
        CHECK(result.exit_code == 0);
        CHECK(result.out == "ccu: no usage to show (no session on stdin)\n");
        CHECK(result.err.empty());
    }
    CHECK_FALSE(std::filesystem::exists(sandbox.data_dir() / "ccu.db"));
}
