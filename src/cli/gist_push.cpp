#include <CLI/CLI.hpp>

#include "ccu/common/text.hpp"
#include "ccu/cli/commands.hpp"
#include "ccu/common/error.hpp"
#include "cli/gist_sync_common.hpp"
#include "cli/sync_factory.hpp"

namespace ccu::cli {

int report_push(Ui& ui, const sync::PushResult& r, const std::string& gist_id, bool dry_run) {
    if (ui.json()) {
        nlohmann::json doc = push_json(r);
        doc["ok"] = true;
        doc["dry_run"] = dry_run;
        doc["gist_id"] = gist_id;
        ui.print_json(doc);
        return 0;
    }
    if (r.nothing_to_do) return 0;
    if (dry_run) {
        ui.say("Dry run: nothing was sent. The push would:");
        for (const auto& f : r.files) {
            if (f.action == sync::PlannedFile::Action::Delete) {
                ui.say("  delete " + f.name);
            } else {
                ui.say("  write  " + f.name + " (" + human_bytes(f.bytes) +
                       (f.records ? ", " + std::to_string(f.records) + " records" : std::string()) + ")");
            }
        }
        ui.say("New records: " + std::to_string(r.new_records));
        return 0;
    }
    ui.say(std::string(ui.symbol(Symbol::Check)) + " Done");
    if (r.conflicts_resolved > 0) ui.say(std::string(ui.symbol(Symbol::Check)) + " Conflicts auto-resolved via merge");
    ui.say("");
    ui.say("Records exported:  " + std::to_string(r.new_records));
    ui.say(std::string("Backup created:    ") + (r.backup_created ? "Yes" : "No"));
    ui.say("Gist ID:           " + gist_id);
    if (!r.backups_deleted.empty()) ui.say("Old backups deleted: " + std::to_string(r.backups_deleted.size()));
    return 0;
}

int report_conflict(Ui& ui, const Error& e) {
    ui.say(std::string(ui.symbol(Symbol::Cross)) + " " + ui.red("Conflict Error"));
    ui.say("");
    ui.error(e.what(), "");
    ui.say("");
    ui.say("Suggestions:");
    ui.say("  1. Run ccu gist pull to sync latest data, then push again");
    ui.say("  2. Or use ccu gist push --force to override (may lose data)");
    if (ui.json()) {
        ui.print_json({{"ok", false},
                       {"error",
                        {{"kind", error_kind_name(e.kind())},
                         {"message", e.what()},
                         {"hint", e.hint()},
                         {"exit_code", exit_code_for(e.kind())}}}});
    }
    return exit_code_for(e.kind());
}

void register_gist_push(CLI::App& parent, Context& ctx) {
    CLI::App* cmd = parent.add_subcommand("push", "Upload this machine's new records to the gist");
    add_transport_option(cmd, ctx);
    auto force = std::make_shared<bool>(false);
    auto dry_run = std::make_shared<bool>(false);
    cmd->add_flag("--force", *force, "Skip conflict detection (last writer wins for manifest.json)");
    cmd->add_flag("--dry-run", *dry_run, "Print what would be uploaded; send nothing but the read");
    cmd->callback([&ctx, force, dry_run] {
        ctx.action = [&ctx, force, dry_run]() -> int {
            SyncSession session = open_sync_session(ctx);
            UiSink sink(ctx);
            sync::SyncManager manager = make_sync_manager(ctx, session.config, *session.remote, *session.store, sink);
            // A ConflictError (exit 5) goes to the one catch in cli/run.cpp (report_conflict).
            const auto result = manager.push(*force ? sync::ConflictMode::Force : sync::ConflictMode::Detect,
                                             *dry_run ? sync::WriteMode::DryRun : sync::WriteMode::Write);
            return report_push(ctx.ui(), result, session.config.gist_id, *dry_run);
        };
    });
}

}  // namespace ccu::cli
