// Report options as people type them: `--tz utc` in any case, and an inverted date range refused.
#include <catch2/catch.hpp>

#include "support/process.hpp"
#include "support/costs.hpp"
#include "support/sandbox.hpp"
#include "unit/store/store_test_util.hpp"

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

TEST_CASE("report --machine with an unknown name exits 2 and lists the machines the store knows", "[cli][report]") {
    ccu::test::Sandbox sb;
    {
        ccu::store::Store store(sb.data_dir() / "ccu.db", ccu::store::OpenMode::ReadWrite, ccu::test::embedded_costs());
        store.upsert({ccu::test::make_record("s-1", "u-1", 5, 0, "laptop"),
                      ccu::test::make_record("s-2", "u-2", 7, 1, "desktop")});
    }
    const auto run = [&sb](std::vector<std::string> args) {
        args.insert(args.begin(), ccu::test::ccu_binary());
        return ccu::test::run_process(args, sb.vars());
    };
    const auto typo = run({"report", "daily", "--machine", "lapotp"});
    INFO(typo.err);
    CHECK(typo.exit_code == 2);
    CHECK(typo.err.find("no machine named 'lapotp' in the store") != std::string::npos);
    CHECK(typo.err.find("known machines: desktop, laptop (or --all-machines)") != std::string::npos);
    const auto known = run({"report", "daily", "--machine", "desktop", "--json"});
    INFO(known.err);
    CHECK(known.exit_code == 0);
    CHECK(known.out.find("\"outputTokens\": 7") != std::string::npos);
}
