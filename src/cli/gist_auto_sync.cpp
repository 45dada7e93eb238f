// `ccu gist auto-sync on|off`: install or remove a systemd user timer or a crontab line that runs
// `ccu gist auto-sync run`. The text of both is pure (src/sync/auto_sync.cpp); this file wires
// the real commands in.
#include "cli/gist_auto_sync.hpp"

#include <CLI/CLI.hpp>

#include "ccu/auth/token_resolver.hpp"
#include "ccu/cli/commands.hpp"
#include "ccu/cli/context.hpp"
#include "ccu/common/error.hpp"
#include "ccu/sync/auto_sync.hpp"
#include "ccu/sync/run_log.hpp"
#include "cli/command_runner.hpp"

namespace ccu::cli {
namespace fs = std::filesystem;

namespace {

struct OnArgs {
    std::string interval;
    std::string mode;
    std::string scheduler = "auto";
};

fs::path unit_dir(const Context& ctx) {
    const auto xdg = ctx.env().get("XDG_CONFIG_HOME");
    const fs::path config = xdg ? fs::path(*xdg) : fs::path(ctx.env().get("HOME").value_or("")) / ".config";
    return config / "systemd" / "user";
}

// The absolute path of this very binary: cron's PATH would not find a bare `ccu`.
fs::path own_binary() {
    std::error_code ec;
    std::string exe = fs::read_symlink("/proc/self/exe", ec).string();
    constexpr std::string_view deleted = " (deleted)";  // replaced while running (an upgrade)
    if (exe.size() > deleted.size() && exe.ends_with(deleted)) exe.resize(exe.size() - deleted.size());
    if (ec || exe.empty()) {
        throw Error(ErrorKind::Unexpected, "cannot find this program's path (/proc/self/exe)",
                    "is /proc mounted? run 'ccu gist sync' from your own scheduler instead");
    }
    return exe;
}

sync::ScheduledCommand scheduled_command(const Context& ctx) {
    sync::ScheduledCommand command{own_binary(), {}};
    for (const char* name : sync::kCarriedVariables) {
        if (const auto value = ctx.env().get(name)) command.env.emplace_back(name, *value);
    }
    return command;
}

struct TokenCheck {
    bool ok = false;
    std::string problem;
    std::string hint;
};

// A scheduled run has no desktop session: no D-Bus for the keyring, and not this shell's
// exported CCU_GITHUB_TOKEN / GITHUB_TOKEN. Only the 0600 file works there.
TokenCheck check_scheduled_token(const Paths& paths, const Config& config) {
    const std::string fix = "store it once in a private file: ccu gist set-token --store file";
    if (config.token_store != TokenStoreKind::File) {
        return {false,
                "the scheduled run will not find a token: it has no desktop session, so the system keyring "
                "is out of reach, and it does not see tokens exported in this shell",
                fix};
    }
    try {
        if (auth::make_file_store(paths.token_file())->load()) return {true, {}, {}};
    } catch (const Error& e) {
        return {false, std::string("the scheduled run cannot read the token file: ") + e.what(), fix};
    }
    return {false, "the scheduled run will not find a token: " + paths.token_file().string() + " is empty", fix};
}

sync::SchedulerKind choose_scheduler(const std::string& wanted, sync::CommandRunner& runner) {
    if (const auto kind = sync::parse_scheduler_name(wanted)) return *kind;
    return sync::systemd_user_available(runner) ? sync::SchedulerKind::Systemd : sync::SchedulerKind::Cron;
}

int run_on(Context& ctx, const OnArgs& args) {
    const Paths& paths = ctx.paths();
    Config config = load_config(paths.config_file());
    if (!config.is_configured()) {
        throw Error(ErrorKind::NotConfigured, "this machine is not set up for gist sync, so there is nothing to schedule",
                    "run 'ccu gist setup' first, then 'ccu gist auto-sync on'");
    }
    const int minutes = args.interval.empty() ? config.auto_sync_interval_minutes
                                              : sync::parse_interval_minutes(args.interval);
    const sync::AutoSyncMode mode = sync::parse_auto_sync_mode(args.mode.empty() ? config.auto_sync_mode : args.mode);
    ProcessRunner runner(ctx.env());
    const sync::SchedulerKind kind = choose_scheduler(args.scheduler, runner);
    const sync::ScheduledCommand command = scheduled_command(ctx);
    // Switching scheduler: take ccu's entry out of the other one, so exactly one runs.
    const auto other = make_scheduler(ctx, runner, kind == sync::SchedulerKind::Cron ? sync::SchedulerKind::Systemd
                                                                                      : sync::SchedulerKind::Cron);
    (void)other->remove();
    make_scheduler(ctx, runner, kind)->install(command, minutes);

    config.auto_sync = true;
    config.auto_sync_interval_minutes = minutes;
    config.auto_sync_mode = std::string(sync::auto_sync_mode_name(mode));
    config.auto_sync_scheduler = std::string(sync::scheduler_name(kind));
    save_config(paths.config_file(), config);

    Ui& ui = ctx.ui();
    const TokenCheck token = check_scheduled_token(paths, config);
    if (!token.ok) ui.warn(token.problem + "; " + token.hint);
    const bool rounded = kind == sync::SchedulerKind::Cron && sync::cron_rounds(minutes);
    const std::string line = sync::crontab_line(command, minutes);
    if (rounded) ui.warn("cron cannot run exactly every " + sync::describe_interval(minutes) + "; the line runs on '" +
                         sync::cron_schedule(minutes) + "'");
    if (ui.json()) {
        ui.print_json({{"ok", true}, {"auto_sync", true}, {"scheduler", sync::scheduler_name(kind)},
                       {"interval_minutes", minutes}, {"mode", sync::auto_sync_mode_name(mode)},
                       {"binary", command.binary.string()},
                       {"crontab", kind == sync::SchedulerKind::Cron ? nlohmann::json(line) : nlohmann::json(nullptr)},
                       {"unit_dir", kind == sync::SchedulerKind::Systemd ? nlohmann::json(unit_dir(ctx).string())
                                                                         : nlohmann::json(nullptr)},
                       {"token_ok", token.ok}});
        return 0;
    }
    ui.say(std::string(ui.symbol(Symbol::Check)) + " Auto-sync on: '" + command.binary.string() + " gist auto-sync run' (" +
           std::string(sync::auto_sync_mode_name(mode)) + ") every " + sync::describe_interval(minutes));
    if (kind == sync::SchedulerKind::Systemd) {
        ui.say("  systemd user timer " + std::string(sync::kTimerUnit) + " in " + unit_dir(ctx).string());
    } else {
        ui.say("  crontab line: " + line);
    }
    ui.say("  log: " + sync::auto_sync_log_file(paths).string() + "; 'ccu gist status' shows the last run");
    return 0;
}

int run_off(Context& ctx) {
    const Paths& paths = ctx.paths();
    ProcessRunner runner(ctx.env());
    std::vector<std::string> removed;
    for (const auto kind : {sync::SchedulerKind::Systemd, sync::SchedulerKind::Cron}) {
        for (auto& r : make_scheduler(ctx, runner, kind)->remove()) removed.push_back(std::move(r));
    }
    Config config = load_config(paths.config_file());
    if (config.auto_sync || !config.auto_sync_scheduler.empty()) {
        config.auto_sync = false;
        config.auto_sync_scheduler.clear();
        save_config(paths.config_file(), config);
    }
    Ui& ui = ctx.ui();
    if (ui.json()) {
        ui.print_json({{"ok", true}, {"auto_sync", false}, {"removed", removed}});
        return 0;
    }
    ui.say(std::string(ui.symbol(Symbol::Check)) + " Auto-sync off" +
           (removed.empty() ? std::string(" (nothing was scheduled)") : std::string("; removed:")));
    for (const auto& r : removed) ui.say("  " + r);
    return 0;
}

}  // namespace

std::unique_ptr<sync::Scheduler> make_scheduler(Context& ctx, sync::CommandRunner& runner, sync::SchedulerKind kind) {
    if (kind == sync::SchedulerKind::Systemd) return sync::make_systemd_scheduler(runner, unit_dir(ctx));
    return sync::make_cron_scheduler(runner);
}

nlohmann::json auto_sync_status(Context& ctx, const Config& config) {
    nlohmann::json a = {{"enabled", config.auto_sync},
                        {"interval_minutes", config.auto_sync_interval_minutes},
                        {"mode", config.auto_sync_mode},
                        {"scheduler", nullptr},
                        {"installed", false},
                        {"next_run", nullptr},
                        {"last_run", nullptr},
                        {"log_file", sync::auto_sync_log_file(ctx.paths()).string()}};
    if (const auto kind = sync::parse_scheduler_name(config.auto_sync_scheduler)) {
        a["scheduler"] = sync::scheduler_name(*kind);
        ProcessRunner runner(ctx.env(), std::chrono::seconds(5));
        const auto scheduler = make_scheduler(ctx, runner, *kind);
        a["installed"] = !scheduler->describe_installed().empty();
        if (a["installed"].get<bool>()) {
            if (const auto next = scheduler->next_run(config.auto_sync_interval_minutes, ctx.clock().now())) {
                a["next_run"] = *next;
            }
        }
    }
    if (const auto last = sync::load_last_run(sync::auto_sync_last_run_file(ctx.paths()))) {
        a["last_run"] = {{"started_at", last->started_at}, {"finished_at", last->finished_at},
                         {"mode", last->mode},             {"outcome", sync::run_outcome_name(last->outcome)},
                         {"exit_code", last->exit_code},   {"message", last->message}};
    }
    return a;
}

void print_auto_sync_status(Context& ctx, const nlohmann::json& a) {
    Ui& ui = ctx.ui();
    const std::string every = sync::describe_interval(a["interval_minutes"].get<int>());
    if (!a["enabled"].get<bool>()) {
        ui.say("Auto-sync:     off ('ccu gist auto-sync on' schedules it)");
    } else if (!a["installed"].get<bool>()) {
        ui.say("Auto-sync:     on in config.json, but no timer or crontab line of ccu is installed; "
               "run 'ccu gist auto-sync on' again");
    } else {
        ui.say("Auto-sync:     on: " + a["mode"].get<std::string>() + " every " + every + " (" +
               a["scheduler"].get<std::string>() + ")");
        ui.say("  next run:    " + (a["next_run"].is_string() ? a["next_run"].get<std::string>() : std::string("unknown")));
    }
    const auto& last = a["last_run"];
    if (last.is_object()) {
        ui.say("  last run:    " + last["finished_at"].get<std::string>() + " " + last["outcome"].get<std::string>() +
               (last["message"].get<std::string>().empty() ? "" : ": " + last["message"].get<std::string>()));
        ui.say("  log:         " + a["log_file"].get<std::string>());
    }
}

void register_gist_auto_sync(CLI::App& parent, Context& ctx) {
    CLI::App* cmd = parent.add_subcommand("auto-sync", "Schedule sync with a systemd user timer or cron, or stop it");
    cmd->require_subcommand(1);
    auto args = std::make_shared<OnArgs>();
    CLI::App* on = cmd->add_subcommand("on", "Install the timer (or crontab line) that runs 'ccu gist auto-sync run'");
    on->add_option("--interval", args->interval, "Time between runs: 30m, 2h, 1h30m, or minutes (default: 60)");
    on->add_option("--mode", args->mode, "sync (pull, then push; default) or push")
        ->check(CLI::IsMember({"sync", "push"}));
    on->add_option("--scheduler", args->scheduler, "auto (systemd if 'systemctl --user' works, else cron), systemd, cron")
        ->check(CLI::IsMember({"auto", "systemd", "cron"}));
    on->callback([&ctx, args] { ctx.action = [&ctx, args] { return run_on(ctx, *args); }; });
    CLI::App* off = cmd->add_subcommand("off", "Remove what 'on' installed (nothing else)");
    off->callback([&ctx] { ctx.action = [&ctx] { return run_off(ctx); }; });
    register_gist_auto_sync_run(*cmd, ctx);
}

}  // namespace ccu::cli
