// End-to-end: the real ccu binary against the fake Gist server (token via CCU_GITHUB_TOKEN,
// CCU_GITHUB_API_URL pointing at the fake).
#include <catch2/catch.hpp>

#include "ccu/common/config.hpp"
#include "client_fixture.hpp"
#include "support/process.hpp"
#include "support/sandbox.hpp"

using gisttest::ClientFixture;
using nlohmann::json;

namespace {

struct InfoFixture : ClientFixture {
    ccu::test::Sandbox box;

    InfoFixture() {
        box.set("CCU_GITHUB_TOKEN", gisttest::kToken);
        box.set("CCU_GITHUB_API_URL", fake.api_url());
        box.unset("GITHUB_TOKEN");
    }

    void configure(const std::string& gist_id) {
        ccu::Config config;
        config.gist_id = gist_id;
        config.machine_name = "laptop";
        ccu::save_config(box.config_dir() / "ccu" / "config.json", config);
    }

    ccu::test::ProcessResult ccu(std::vector<std::string> args) {
        args.insert(args.begin(), ccu::test::ccu_binary());
        return ccu::test::run_process(args, box.vars(), {}, std::chrono::seconds(60));
    }
};

}  // namespace

TEST_CASE_METHOD(InfoFixture, "gist info --json describes the configured gist", "[info][e2e]") {
    fake.configure({{"truncate_bytes", 64}});
    const std::string id = seed({{"manifest.json", "{\"version\":\"1.0\"}"},
                                 {"usage_data_laptop.json", std::string(200, 'd')}});
    auto client = api();
    client->patch_gist(id, {{"manifest.json", ccu::gist::FileChange::write("{\"version\":\"1.0\",\"x\":1}")}});
    client->patch_gist(id, {{"manifest.json", ccu::gist::FileChange::write("{\"version\":\"1.0\",\"x\":2}")}});
    configure(id);

    const auto r = ccu({"gist", "info", "--json"});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    const json doc = json::parse(r.out);
    CHECK(doc["id"] == id);
    CHECK(doc["owner"] == "alice");
    CHECK(doc["visibility"] == "secret");
    CHECK(doc["url"].get<std::string>().find(id) != std::string::npos);
    CHECK(doc["revisions"] == 3);
    CHECK_FALSE(doc["created_at"].get<std::string>().empty());
    REQUIRE(doc["files"].size() == 2);
    CHECK(doc["files"][0]["name"] == "manifest.json");
    CHECK(doc["files"][0]["truncated"] == false);
    CHECK(doc["files"][1]["name"] == "usage_data_laptop.json");
    CHECK(doc["files"][1]["size"] == 200);
    CHECK(doc["files"][1]["truncated"] == true);
    CHECK(doc["total_bytes"] == 200 + 23);
    CHECK(r.out.find(gisttest::kToken) == std::string::npos);
    CHECK(r.err.find(gisttest::kToken) == std::string::npos);
}

TEST_CASE_METHOD(InfoFixture, "gist info prints a human summary", "[info][e2e]") {
    const std::string id = seed({{"manifest.json", "{}"}});
    configure(id);
    const auto r = ccu({"gist", "info"});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(r.out.find("Gist:        " + id + " (secret)") != std::string::npos);
    CHECK(r.out.find("Owner:       alice") != std::string::npos);
    CHECK(r.out.find("Revisions:   1") != std::string::npos);
    CHECK(r.out.find("manifest.json") != std::string::npos);
}

TEST_CASE_METHOD(InfoFixture, "gist info without a configured gist says to run setup (exit 3)", "[info][e2e]") {
    const auto r = ccu({"gist", "info", "--json"});
    CHECK(r.exit_code == 3);
    CHECK(r.err.find("ccu gist setup") != std::string::npos);
    const json doc = json::parse(r.out);
    CHECK(doc["error"]["kind"] == "not_configured");
    CHECK(requests().empty());
}

TEST_CASE_METHOD(InfoFixture, "gist info: a deleted gist exits 3 naming the id, a refused token exits 3 without echoing it", "[info][e2e]") {
    configure("0123456789abcdef");
    const auto missing = ccu({"gist", "info"});
    CHECK(missing.exit_code == 3);  // docs/cli.md "Exit codes": the configured gist is gone or not the token's
    CHECK(missing.err.find("0123456789abcdef") != std::string::npos);
    CHECK(missing.err.find("ccu gist setup") != std::string::npos);

    box.set("CCU_GITHUB_TOKEN", "ghp_wrong_token_0000000000");
    const auto refused = ccu({"gist", "info"});
    CHECK(refused.exit_code == 3);
    CHECK(refused.err.find("GitHub refused the token (401)") != std::string::npos);
    CHECK(refused.err.find("ghp_wrong_token_0000000000") == std::string::npos);
}
