#pragma once
// End-to-end sync: the ccu binary in separate Sandboxes ("machines") sharing one fake gist.
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "ccu/common/atomic_file.hpp"
#include "ccu/common/config.hpp"
#include "support/claude_tree_generator.hpp"
#include "support/fake_gist.hpp"
#include "support/process.hpp"
#include "support/sandbox.hpp"
#include "support/tree_snapshot.hpp"

namespace ccu::test {

inline const std::string kE2eToken = "ghp_e2esynctoken00000000000000000000000";

struct E2eMachine {
    E2eMachine(FakeGistServer& fake, const std::string& gist_id, const std::string& name,
               const std::string& machine_id = make_uuid_v4(), const std::string& transport = "") {
        sandbox.set("CCU_GITHUB_TOKEN", kE2eToken);
        sandbox.set("CCU_GITHUB_API_URL", fake.api_url());
        sandbox.set("TZ", "UTC");
        sandbox.unset("GITHUB_TOKEN");
        nlohmann::json cfg = {{"gist_id", gist_id}, {"machine_name", name}, {"machine_id", machine_id},
                              {"backup_retention_days", 30}};
        // Empty: the default (auto, which picks git against the fake); a test written for one
        // transport names it.
        if (!transport.empty()) cfg["sync"] = {{"transport", transport}};
        write_file_atomically(sandbox.config_dir() / "ccu" / "config.json", cfg.dump(2));
    }
    ClaudeTreeTruth generate(std::uint64_t seed, const std::string& sub = "") {
        ClaudeTreeSpec spec;
        spec.total_bytes = 96 * 1024;
        spec.projects = 2;
        spec.sessions_per_project = 2;
        spec.seed = seed;
        spec.days = 5;
        return generate_claude_tree(sub.empty() ? sandbox.projects_dir() : sandbox.projects_dir() / sub, spec);
    }
    // ~/.claude must be byte- and mtime-identical after every command: checked around each
    // call, asserted when the machine goes away (calls may come from several threads).
    ~E2eMachine() { CHECK(claude_dir_changes.empty()); }
    ProcessResult ccu(const std::vector<std::string>& args) {
        std::vector<std::string> argv{ccu_binary()};
        argv.insert(argv.end(), args.begin(), args.end());
        return run_watching_claude_dir(argv);
    }
    ProcessResult run_watching_claude_dir(const std::vector<std::string>& argv) {
        const TreeSnapshot before = snapshot_tree(sandbox.claude_dir());
        ProcessResult result = run_process(argv, sandbox.vars());
        const std::string diff = describe_tree_diff(before, snapshot_tree(sandbox.claude_dir()));
        if (!diff.empty()) claude_dir_changes += args_text(argv) + ": " + diff + "\n";
        return result;
    }
    static std::string args_text(const std::vector<std::string>& argv) {
        std::string out;
        for (std::size_t i = 1; i < argv.size(); ++i) out += (i > 1 ? " " : "") + argv[i];
        return out;
    }
    nlohmann::json json_of(const std::vector<std::string>& args) {
        std::vector<std::string> a = args;
        a.push_back("--json");
        const ProcessResult r = ccu(a);
        INFO(r.err);
        return nlohmann::json::parse(r.out);
    }

    Sandbox sandbox;
    std::string claude_dir_changes;  // "command: what changed" per command that touched ~/.claude
};

struct E2eGist {
    E2eGist() {
        fake.add_token(kE2eToken);
        gist_id = fake.seed_gist({{"owner", "alice"}, {"description", "ccu usage"}, {"public", false},
                                  {"files", {{"README.md", "ccu usage data"}}}});
    }
    std::size_t count(const std::string& method) {
        std::size_t n = 0;
        for (const auto& r : fake.requests()) n += r["method"] == method ? 1 : 0;
        return n;
    }
    FakeGistServer fake;
    std::string gist_id;
};

// Per-day totalTokens of a `ccu report daily --json` document.
inline std::map<std::string, std::int64_t> daily_tokens(const nlohmann::json& report) {
    std::map<std::string, std::int64_t> out;
    for (const auto& row : report.at("daily")) out[row.at("date")] += row.at("totalTokens").get<std::int64_t>();
    return out;
}

}  // namespace ccu::test
