#pragma once
// Helpers for the hostile-input, fault and crash e2e tests: crafted data files, a look into a
// machine's store, and proof that nothing outside the data dir changed.
#include <SQLiteCpp/SQLiteCpp.h>

#include <filesystem>
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

// An e2e machine that remembers its sandbox (minus the data dir) as it was when made. The
// hostile-input, fault, many-writer and crash tests count REST requests and hold REST PATCHes, so
// these machines use the REST transport.
struct WatchedMachine : E2eMachine {
    WatchedMachine(FakeGistServer& fake, const std::string& gist_id, const std::string& machine_name)
        : E2eMachine(fake, gist_id, machine_name, make_uuid_v4(), "rest"), name(machine_name), home_before(snapshot_tree(sandbox.home())),
          config_before(snapshot_tree(sandbox.config_dir())) {}

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
    TreeSnapshot home_before;
    TreeSnapshot config_before;
};

}  // namespace ccu::test
