#pragma once
// Shared by the gist push/pull/sync/status/backup/repair/auto-sync commands.
#include <string>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "ccu/cli/context.hpp"
#include "ccu/common/error.hpp"
#include "ccu/sync/events.hpp"
#include "ccu/sync/sync_manager.hpp"

namespace ccu::cli {

// --transport on every command that talks to the gist (cli/sync_factory.cpp reads it).
inline void add_transport_option(CLI::App* cmd, Context& ctx) {
    cmd->add_option("--transport", ctx.options().transport,
                    "auto (git, REST if the git endpoint refuses the token), git or rest; overrides sync.transport")
        ->check(CLI::IsMember({"auto", "git", "rest"}));
}

// Sync progress onto the terminal: marks become Ui::symbol (✓ / ⚠️ / 🔄, ASCII off a UTF-8 TTY);
// files and bytes go to the context's progress line.
class UiSink final : public sync::EventSink {
public:
    explicit UiSink(Context& ctx) : ui_(ctx.ui()), progress_(ctx.progress()) {}
    void say(sync::Mark mark, std::string_view text) override {
        std::string line;
        switch (mark) {
            case sync::Mark::None: break;
            case sync::Mark::Check: line = std::string(ui_.symbol(Symbol::Check)) + " "; break;
            case sync::Mark::Cross: line = std::string(ui_.symbol(Symbol::Cross)) + " "; break;
            case sync::Mark::Warning: line = std::string(ui_.symbol(Symbol::Warning)) + " "; break;
            case sync::Mark::Sync: line = std::string(ui_.symbol(Symbol::Sync)) + " "; break;
        }
        ui_.say(line + std::string(text));
    }
    void warn(std::string_view text) override { ui_.warn(text); }
    ProgressSink& progress() override { return progress_; }

private:
    Ui& ui_;
    ProgressSink& progress_;
};

inline nlohmann::json push_json(const sync::PushResult& r) {
    nlohmann::json files = nlohmann::json::array();
    for (const auto& f : r.files) {
        files.push_back({{"name", f.name},
                         {"action", f.action == sync::PlannedFile::Action::Write ? "write" : "delete"},
                         {"bytes", f.bytes},
                         {"records", f.records}});
    }
    return {{"uploaded", r.uploaded},          {"nothing_to_do", r.nothing_to_do},
            {"new_records", r.new_records},    {"files", files},
            {"conflicts_resolved", r.conflicts_resolved}, {"backup_created", r.backup_created},
            {"backups_deleted", r.backups_deleted}};
}

inline nlohmann::json pull_json(const sync::PullResult& r) {
    nlohmann::json invalid = nlohmann::json::array();
    for (const auto& f : r.invalid_files) invalid.push_back({{"file", f.name}, {"reason", f.reason}});
    return {{"not_modified", r.not_modified},
            {"files_fetched", r.files_fetched},
            {"files_unchanged", r.files_skipped_unchanged},
            {"records_new", r.records_new},
            {"records_updated", r.records_updated},
            {"records_duplicate", r.records_duplicate},
            {"records_invalid", r.records_invalid},
            {"invalid_files", invalid}};
}

// Prints the push summary (seed format) or dry-run plan; returns the exit code.
int report_push(Ui& ui, const sync::PushResult& r, const std::string& gist_id, bool dry_run);
// Prints the pull summary; returns 6 when invalid remote files were skipped, else 0.
int report_pull(Ui& ui, const sync::PullResult& r);
// Prints the seed's conflict failure text ("✗ Conflict Error" ...); returns 5.
int report_conflict(Ui& ui, const Error& e);

}  // namespace ccu::cli
