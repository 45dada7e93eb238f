// `ccu report` as a user runs it: a real binary, a sandboxed home, a real store.
#include <catch2/catch.hpp>

#include <fstream>

#include <nlohmann/json.hpp>

#include "ccu/common/config.hpp"
#include "ccu/store/store.hpp"
#include "support/process.hpp"
#include "support/sandbox.hpp"
#include "support/costs.hpp"

namespace {

void write_line(const std::filesystem::path& file, const std::string& ts, const std::string& id, int input) {
    std::filesystem::create_directories(file.parent_path());
    std::ofstream out(file, std::ios::app);
    out << R"({"type":"assistant","sessionId":"s1","uuid":"u-)" << id << R"(","timestamp":")" << ts
        << R"(","cwd":"/home/dev/proj","message":{"id":"msg_)" << id
        << R"(","model":"claude-opus-4-6","usage":{"input_tokens":)" << input
        << R"(,"output_tokens":10}},"requestId":"req_)" << id << "\"}\n";
}

ccu::test::ProcessResult ccu_run(const ccu::test::Sandbox& sandbox, std::vector<std::string> args) {
    args.insert(args.begin(), ccu::test::ccu_binary());
    return ccu::test::run_process(args, sandbox.vars());
}

ccu::UsageRecord other_machine_record() {
    ccu::UsageRecord r;
    r.session_id = "remote-session";
    r.message_uuid = "remote-1";
    r.timestamp = "2025-03-01T12:00:00.000Z";
    r.model = "claude-opus-4-6";
    r.input_tokens = 1000;
    r.folder = "elsewhere";
    r.machine_name = "desktop";
    return r;
}

}  // namespace

TEST_CASE("ccu report daily --json: this machine by default, --machine, --all-machines", "[report][cli]") {
    ccu::test::Sandbox sandbox;
    ccu::Config config;
    config.machine_name = "laptop";
    ccu::save_config(sandbox.config_dir() / "ccu" / "config.json", config);
    write_line(sandbox.projects_dir() / "-home-dev-proj" / "s1.jsonl", "2025-03-01T10:00:00.000Z", "a", 100);
    write_line(sandbox.projects_dir() / "-home-dev-proj" / "s1.jsonl", "2025-03-02T23:30:00.000Z", "b", 200);
    {
        std::filesystem::create_directories(sandbox.data_dir());
        ccu::store::Store store(sandbox.data_dir() / "ccu.db", ccu::store::OpenMode::ReadWrite, ccu::test::embedded_costs());
        store.upsert({other_machine_record()});
    }

    auto mine = ccu_run(sandbox, {"report", "daily", "--json", "--tz", "UTC"});
    REQUIRE(mine.exit_code == 0);
    auto doc = nlohmann::json::parse(mine.out);
    REQUIRE(doc["daily"].size() == 2);
    CHECK(doc["daily"][0]["date"] == "2025-03-01");
    CHECK(doc["daily"][0]["inputTokens"] == 100);
    CHECK(doc["totals"]["inputTokens"] == 300);
    CHECK(doc["totals"]["totalCost"].get<double>() == Approx(300 * 5e-6 + 20 * 25e-6));

    auto all = nlohmann::json::parse(ccu_run(sandbox, {"report", "daily", "--json", "--tz", "UTC", "--all-machines"}).out);
    CHECK(all["totals"]["inputTokens"] == 1300);
    auto desktop = nlohmann::json::parse(ccu_run(sandbox, {"report", "monthly", "--json", "--machine", "desktop"}).out);
    REQUIRE(desktop["monthly"].size() == 1);
    CHECK(desktop["monthly"][0]["month"] == "2025-03");
    CHECK(desktop["monthly"][0]["inputTokens"] == 1000);

    // Day boundaries in another zone: 23:30Z on the 2nd is the 3rd in Tokyo.
    auto tokyo = nlohmann::json::parse(ccu_run(sandbox, {"report", "daily", "--json", "--tz", "Asia/Tokyo"}).out);
    REQUIRE(tokyo["daily"].size() == 2);
    CHECK(tokyo["daily"][1]["date"] == "2025-03-03");
    auto filtered = nlohmann::json::parse(
        ccu_run(sandbox, {"report", "daily", "--json", "--tz", "UTC", "--since", "2025-03-02", "--until", "20250302"}).out);
    CHECK(filtered["totals"]["inputTokens"] == 200);
}

TEST_CASE("ccu report: human table, unknown model warning, usage errors", "[report][cli]") {
    ccu::test::Sandbox sandbox;
    write_line(sandbox.projects_dir() / "p" / "s.jsonl", "2025-03-01T10:00:00.000Z", "a", 1234567);
    {
        std::ofstream out(sandbox.projects_dir() / "p" / "s.jsonl", std::ios::app);
        out << R"({"type":"assistant","sessionId":"s1","uuid":"u-z","timestamp":"2025-03-01T11:00:00.000Z",)"
            << R"("message":{"id":"msg_z","model":"mystery-model","usage":{"input_tokens":5,"output_tokens":5}},"requestId":"r"})"
            << "\n";
    }
    auto table = ccu_run(sandbox, {"report", "session", "--tz", "UTC"});
    REQUIRE(table.exit_code == 0);
    CHECK(table.out.find("1,234,572") != std::string::npos);  // input total with separators
    CHECK(table.out.find("Total") != std::string::npos);
    CHECK(table.err.find("mystery-model") != std::string::npos);
    auto models = ccu_run(sandbox, {"report", "models", "--json"});
    REQUIRE(models.exit_code == 0);
    CHECK(nlohmann::json::parse(models.out)["models"].size() == 2);

    CHECK(ccu_run(sandbox, {"report", "daily", "--since", "yesterday"}).exit_code == 2);
    CHECK(ccu_run(sandbox, {"report", "daily", "--tz", "Nowhere/City"}).exit_code == 2);
    CHECK(ccu_run(sandbox, {"report", "daily", "--machine", "x", "--all-machines"}).exit_code == 2);
}
