// Command-line conventions: a misspelt command names the word and the nearest command, and every
// subcommand's --help lists the global options.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "cli/command_words.hpp"
#include "support/process.hpp"
#include "support/sandbox.hpp"

TEST_CASE("the nearest command is found for typos and prefixes and nothing for far words", "[cli][words]") {
    using ccu::cli::nearest_word;
    const std::vector<std::string> gist{"setup", "set-token", "push", "pull", "sync", "auto-sync", "status"};
    CHECK(nearest_word("psh", gist) == "push");
    CHECK(nearest_word("stauts", gist) == "status");
    CHECK(nearest_word("auto", gist) == "auto-sync");
    CHECK_FALSE(nearest_word("frobnicate", gist).has_value());
    CHECK(ccu::cli::edit_distance("reprot", "report") == 2);
}

TEST_CASE("a misspelt subcommand names the word and suggests the nearest, exit 2", "[cli][words]") {
    ccu::test::Sandbox sb;
    const auto run = [&sb](std::vector<std::string> args) {
        args.insert(args.begin(), ccu::test::ccu_binary());
        return ccu::test::run_process(args, sb.vars());
    };
    const auto psh = run({"gist", "psh"});
    CHECK(psh.exit_code == 2);
    CHECK(psh.err.find("ccu: error: unknown command 'psh' for 'ccu gist'; did you mean 'push'?") != std::string::npos);
    CHECK(psh.out.empty());
    const auto reprot = run({"--json", "reprot", "daily"});
    CHECK(reprot.exit_code == 2);
    CHECK(reprot.err.find("unknown command 'reprot' for 'ccu'; did you mean 'report'?") != std::string::npos);
    const auto far = run({"gist", "frobnicate"});
    CHECK(far.exit_code == 2);
    CHECK(far.err.find("(commands: setup, set-token,") != std::string::npos);

    for (const auto& args : {std::vector<std::string>{"gist", "push", "--help"},
                             std::vector<std::string>{"report", "daily", "--help"},
                             std::vector<std::string>{"gist", "auto-sync", "on", "--help"}}) {
        const auto help = run(args);
        INFO(args[1]);
        CHECK(help.exit_code == 0);
        CHECK(help.out.find("--json") != std::string::npos);
        CHECK(help.out.find("-q,--quiet") != std::string::npos);
        CHECK(help.out.find("-v,--verbose") != std::string::npos);
    }
    const auto version = run({"--version"});
    CHECK(version.exit_code == 0);
    CHECK(version.out.rfind("ccu ", 0) == 0);
}

TEST_CASE("a command line the parser refuses is ccu's usage error naming the command's help, JSON with --json",
          "[cli][words]") {
    ccu::test::Sandbox sb;
    const auto run = [&sb](std::vector<std::string> args) {
        args.insert(args.begin(), ccu::test::ccu_binary());
        return ccu::test::run_process(args, sb.vars());
    };
    const auto plain = run({"report", "daily", "--bogus"});
    CHECK(plain.exit_code == 2);
    CHECK(plain.err.find("ccu: error: The following argument was not expected: --bogus") != std::string::npos);
    CHECK(plain.err.find("run 'ccu report daily --help' for its options") != std::string::npos);
    CHECK(plain.out.empty());
    for (const auto& args : {std::vector<std::string>{"report", "daily", "--bogus", "--json"},
                             std::vector<std::string>{"--json", "gist", "push", "--bogus"},
                             std::vector<std::string>{"report", "daily", "--machine", "a", "--all-machines", "--json"},
                             std::vector<std::string>{"gist", "--json"},
                             std::vector<std::string>{"--json", "gist", "psh"}}) {
        const auto r = run(args);
        INFO(r.out << r.err);
        CHECK(r.exit_code == 2);
        const auto doc = nlohmann::json::parse(r.out);
        CHECK(doc["ok"] == false);
        CHECK(doc["error"]["kind"] == "usage");
        CHECK(doc["error"]["exit_code"] == 2);
        CHECK(!doc["error"]["message"].get<std::string>().empty());
        CHECK(r.err.find("ccu: error: ") != std::string::npos);
    }
}
