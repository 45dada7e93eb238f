#pragma once
// Helpers for the hostile-input, fault and crash e2e tests: crafted data files, a look into a
// machine's store, and proof that nothing outside the data dir changed.
#include <SQLiteCpp/SQLiteCpp.h>

#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "support/tree_snapshot.hpp"
#include "sync_e2e_fixture.hpp"

namespace ccu::test {

namespace fs = std::filesystem;

// A valid wire record (docs/format.md §4) whose session id is "s-<tag>"; tokens sum to wire_total().
inline nlohmann::json wire_record(const std::string& tag) {
    return {{"session_id", "s-" + tag}, {"message_uuid", "u-" + tag}, {"timestamp", "2025-09-01T10:00:00.000Z"},
            {"model", "claude-sonnet-4-5-20250929"}, {"input_tokens", 10}, {"output_tokens", 20},
            {"cache_creation_tokens", 30}, {"cache_read_tokens", 40}, {"total_tokens", 100}, {"folder", "p"}};
}
inline std::int64_t wire_total() { return 100; }

// A data file as ccu writes it: one compact record per line, `tool` naming ccu (a file without it
// is the origin tool's, whose rows are collapsed as lines of responses: docs/format.md §14).
inline std::string data_file_text(const std::string& machine, const std::vector<nlohmann::json>& records) {
    std::string out = "{\"machine_name\":" + nlohmann::json(machine).dump() +
                      ",\"tool\":\"ccu 0.1.0\",\"export_date\":\"2026-01-01T00:00:00.000Z\",\"part\":0,\"records\":[\n";
    for (std::size_t i = 0; i < records.size(); ++i) out += (i ? ",\n" : "") + records[i].dump();
    return out + "\n]}\n";
}

// machine -> "session/uuid" of every record in the gist's current and part files (backups are
// copies), each occurrence counted: a record the gist holds twice is there twice.
using RecordKeys = std::map<std::string, std::multiset<std::string>>;
inline RecordKeys gist_record_keys(FakeGistServer& fake, const std::string& gist_id) {
    RecordKeys out;
    const nlohmann::json state = fake.state();
    for (const auto& [name, content] : state["gists"][gist_id]["files"].items()) {
        if (name.rfind("usage_data_", 0) != 0 || name.find("_backup_") != std::string::npos) continue;
        const nlohmann::json file = nlohmann::json::parse(content.get<std::string>());
        for (const auto& r : file["records"]) {
            out[file["machine_name"]].insert(r["session_id"].get<std::string>() + "/" + r["message_uuid"].get<std::string>());
        }
    }
    return out;
}
// "machine:session/uuid" of each record held more than once.
inline std::vector<std::string> repeated_keys(const RecordKeys& keys) {
    std::vector<std::string> out;
    for (const auto& [machine, set] : keys) {
        for (auto it = set.begin(); it != set.end(); it = set.upper_bound(*it)) {
            if (set.count(*it) > 1) out.push_back(machine + ":" + *it);
        }
    }
    return out;
}

// A small generated tree of one project and one session: a few records for each round of a
// scenario that runs many rounds.
inline ClaudeTreeSpec small_tree_spec(std::size_t total_bytes, int days, std::uint64_t seed) {
    ClaudeTreeSpec spec;
    spec.total_bytes = total_bytes;
    spec.projects = 1;
    spec.sessions_per_project = 1;
    spec.seed = seed;
    spec.days = days;
    return spec;
}

// The two ways ccu reaches the gist (docs/architecture.md, "Transports"); a scenario written once
// runs over both, and the test name says which.
enum class Transport { Rest, Git };
inline std::string transport_name(Transport t) { return t == Transport::Git ? "git" : "rest"; }

// Writes that reached the fake over `t`: REST PATCHes on the API port, or git pushes (receive-pack
// POSTs, each a compare-and-swap the server may refuse) on the git port.
inline std::size_t writes_over(FakeGistServer& fake, Transport t) {
    std::size_t n = 0;
    for (const auto& r : fake.requests()) {
        if (t == Transport::Rest) n += r["port"] == fake.api_port() && r["method"] == "PATCH" ? 1 : 0;
        else n += r["port"] == fake.git_port() && r["path"].get<std::string>().find("git-receive-pack") != std::string::npos &&
                          r["method"] == "POST" ? 1 : 0;
    }
    return n;
}

// An e2e machine that remembers its sandbox (minus the data dir) as it was when made. The
// hostile-input and fault tests count REST requests and hold REST PATCHes, so they use the REST
// transport; the many-writer and crash scenarios run over both.
struct WatchedMachine : E2eMachine {
    WatchedMachine(FakeGistServer& fake, const std::string& gist_id, const std::string& machine_name,
                   Transport t = Transport::Rest)
        : E2eMachine(fake, gist_id, machine_name, make_uuid_v4(), transport_name(t)), name(machine_name),
          transport(t), home_before(snapshot_tree(sandbox.home())), config_before(snapshot_tree(sandbox.config_dir())) {}

    // Sets config.json's sync.<key> (e.g. a short conflict backoff for tests with many writers).
    void set_sync_option(const std::string& key, const nlohmann::json& value) {
        const fs::path file = sandbox.config_dir() / "ccu" / "config.json";
        nlohmann::json cfg = nlohmann::json::parse(read_file(file));
        cfg["sync"][key] = value;
        write_file_atomically(file, cfg.dump(2));
        home_before = snapshot_tree(sandbox.home());
        config_before = snapshot_tree(sandbox.config_dir());
    }
    fs::path mirror_dir(const std::string& gist_id) const { return sandbox.data_dir() / "mirror" / (gist_id + ".git"); }

    // Runs ccu with `cwd` as working directory (coreutils env -C).
    ProcessResult ccu_in(const fs::path& cwd, const std::vector<std::string>& args) {
        std::vector<std::string> argv{"/usr/bin/env", "-C", cwd.string(), ccu_binary()};
        argv.insert(argv.end(), args.begin(), args.end());
        return run_watching_claude_dir(argv);
    }
    std::set<std::string> sessions() const { return strings("SELECT DISTINCT session_id FROM records"); }
    std::int64_t count_records(const std::string& machine) const {
        if (!fs::exists(sandbox.data_dir() / "ccu.db")) return 0;
        SQLite::Database db((sandbox.data_dir() / "ccu.db").string(), SQLite::OPEN_READONLY);
        SQLite::Statement q(db, "SELECT COUNT(*) FROM records WHERE machine_name = ?");
        q.bind(1, machine);
        q.executeStep();
        return q.getColumn(0).getInt64();
    }
    std::set<std::string> strings(const std::string& sql) const {
        std::set<std::string> out;
        if (!fs::exists(sandbox.data_dir() / "ccu.db")) return out;
        SQLite::Database db((sandbox.data_dir() / "ccu.db").string(), SQLite::OPEN_READONLY);
        SQLite::Statement q(db, sql);
        while (q.executeStep()) out.insert(q.getColumn(0).getString());
        return out;
    }
    // HOME (including ~/.claude) and the config dir are byte- and mtime-identical.
    std::string changes_outside_data_dir() const {
        return describe_tree_diff(home_before, snapshot_tree(sandbox.home())) +
               describe_tree_diff(config_before, snapshot_tree(sandbox.config_dir()));
    }

    std::string name;
    Transport transport;
    TreeSnapshot home_before;
    TreeSnapshot config_before;
};

}  // namespace ccu::test
