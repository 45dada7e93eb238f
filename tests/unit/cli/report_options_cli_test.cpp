// Report options as people type them: `--tz utc` in any case, and an inverted date range refused.
#include <catch2/catch.hpp>

#include "support/process.hpp"
#include "support/sandbox.hpp"

TEST_CASE("report accepts --tz utc in lower case and refuses --since after --until with exit 2", "[cli][report]") {
    ccu::test::Sandbox sb;
    const auto run = [&sb](std::vector<std::string> args) {
        args.insert(args.begin(), ccu::test::ccu_binary());
        return ccu::test::run_process(args, sb.vars());
    };
    for (const char* zone : {"utc", "UTC", "Utc"}) {
        const auto r = run({"report", "daily", "--tz", zone});
        INFO(zone << ": " << r.err);
        CHECK(r.exit_code == 0);
    }
    const auto inverted = run({"report", "daily", "--since", "20261201", "--until", "20261101"});
    CHECK(inverted.exit_code == 2);
    CHECK(inverted.err.find("--since 20261201 is after --until 20261101") != std::string::npos);
    CHECK(run({"report", "daily", "--since", "20261101", "--until", "20261101"}).exit_code == 0);
}
