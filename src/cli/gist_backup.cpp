#include <CLI/CLI.hpp>

#include "ccu/common/text.hpp"
#include "ccu/cli/commands.hpp"
#include "ccu/sync/backup_ops.hpp"
#include "cli/gist_sync_common.hpp"
#include "cli/sync_factory.hpp"

namespace ccu::cli {
namespace {

struct RestoreArgs {
    std::string date;
    std::string machine;
    std::string to;
    bool force = false;
};

template <typename F>
int with_ops(Context& ctx, F&& body) {
    SyncSession session = open_sync_session(ctx);
    UiSink sink(ctx);
    sync::BackupOps ops(*session.remote, *session.store, ctx.clock(), session.config, ctx.paths(), sink);
    return body(ops);
}

int run_list(Context& ctx, sync::BackupOps& ops) {
    const auto backups = ops.list();
    if (ctx.ui().json()) {
        nlohmann::json arr = nlohmann::json::array();
        for (const auto& b : backups) {
            arr.push_back({{"machine", b.machine}, {"date", b.date}, {"file", b.file}, {"size", b.size},
                           {"records", b.records ? nlohmann::json(*b.records) : nlohmann::json(nullptr)}});
        }
        ctx.ui().print_json({{"ok", true}, {"backups", arr}});
        return 0;
    }
    if (backups.empty()) ctx.ui().say("No backups in the gist.");
    for (const auto& b : backups) {
        ctx.ui().say(b.machine + "  " + b.date + "  " + human_bytes(static_cast<std::uint64_t>(b.size)) + "  " +
                     (b.records ? std::to_string(*b.records) + " records" : std::string("invalid")));
    }
    return 0;
}

int run_restore(Context& ctx, sync::BackupOps& ops, const RestoreArgs& a) {
    const auto r = ops.restore(a.date, a.machine.empty() ? std::nullopt : std::optional<std::string>(a.machine),
                               a.to.empty() ? std::nullopt : std::optional<std::filesystem::path>(a.to),
                               a.force ? sync::Overwrite::Allow : sync::Overwrite::Refuse);
    if (ctx.ui().json()) {
        ctx.ui().print_json({{"ok", true}, {"file", r.file}, {"records", r.records},
                             {"written_to", r.written_to ? nlohmann::json(r.written_to->string()) : nlohmann::json(nullptr)},
                             {"inserted", r.inserted}, {"updated", r.updated}, {"unchanged", r.unchanged}});
        return 0;
    }
    const std::string check(ctx.ui().symbol(Symbol::Check));
    if (r.written_to) {
        ctx.ui().say(check + " Wrote " + r.file + " (" + std::to_string(r.records) + " records) to " + r.written_to->string());
    } else {
        ctx.ui().say(check + " Restored " + r.file + ": " + std::to_string(r.inserted) + " new, " +
                     std::to_string(r.updated) + " updated, " + std::to_string(r.unchanged) + " already present");
    }
    return 0;
}

}  // namespace

void register_gist_backup(CLI::App& parent, Context& ctx) {
    CLI::App* cmd = parent.add_subcommand("backup", "Create, list and restore daily backups in the gist");
    cmd->require_subcommand(1);
    CLI::App* create = cmd->add_subcommand("create", "Back up this machine's current file (today, UTC)");
    add_transport_option(create, ctx);
    create->callback([&ctx] {
        ctx.action = [&ctx]() -> int {
            return with_ops(ctx, [&](sync::BackupOps& ops) {
                const std::string name = ops.create();
                if (ctx.ui().json()) {
                    ctx.ui().print_json({{"ok", true}, {"file", name}});
                } else {
                    ctx.ui().say(std::string(ctx.ui().symbol(Symbol::Check)) + " Backup " + name + " created");
                }
                return 0;
            });
        };
    });
    CLI::App* list = cmd->add_subcommand("list", "Every machine's backups: date, size, records");
    add_transport_option(list, ctx);
    list->callback([&ctx] {
        ctx.action = [&ctx]() -> int { return with_ops(ctx, [&](sync::BackupOps& ops) { return run_list(ctx, ops); }); };
    });
    auto args = std::make_shared<RestoreArgs>();
    CLI::App* restore = cmd->add_subcommand("restore", "Import a backup into the store, or write it to --to DIR");
    add_transport_option(restore, ctx);
    restore->add_option("date", args->date, "YYYY-MM-DD or YYYYMMDD")->required();
    restore->add_option("--machine", args->machine, "Whose backup (default: this machine)");
    restore->add_option("--to", args->to, "Write the file into DIR instead of importing it");
    restore->add_flag("--force", args->force, "Overwrite an existing file in DIR");
    restore->callback([&ctx, args] {
        ctx.action = [&ctx, args]() -> int {
            return with_ops(ctx, [&](sync::BackupOps& ops) { return run_restore(ctx, ops, *args); });
        };
    });
}

}  // namespace ccu::cli
