// `ccu gist auto-sync run`: what the systemd timer or the crontab line runs. It waits a bounded
// time for the sync lock, syncs (or pushes) as config.json says, logs to the data dir's rotating
// auto-sync.log and records the result for `ccu gist status`. Errors still reach stderr (cron
// mails them) and the exit code (systemd marks the unit failed).
#include <CLI/CLI.hpp>
#include <unistd.h>

#include "ccu/cli/context.hpp"
#include "ccu/common/error.hpp"
#include "ccu/common/time.hpp"
#include "ccu/sync/auto_sync.hpp"
#include "ccu/sync/run_log.hpp"
#include "ccu/sync/sync_manager.hpp"
#include "cli/gist_auto_sync.hpp"
#include "cli/sync_factory.hpp"

namespace ccu::cli {
namespace {

std::string summary(const sync::PullResult* pull, const sync::PushResult& push) {
    std::string text;
    if (pull != nullptr) {
        text = pull->not_modified ? "pull: gist unchanged; "
                                  : "pull: " + std::to_string(pull->records_new) + " new records; ";
    }
    if (push.nothing_to_do) return text + "push: nothing new";
    return text + "push: " + std::to_string(push.new_records) + " new records" +
           (push.uploaded ? " uploaded" : "");
}

std::string run_once(Context& ctx, sync::RunLog& log, const Config& config, sync::AutoSyncMode mode,
                     std::chrono::seconds max_wait) {
    if (!sync::wait_for_lock(ctx.paths().lock_file(), max_wait, ctx.clock())) {
        throw Error(ErrorKind::Locked,
                    "another ccu sync held the lock for more than " + std::to_string(max_wait.count()) +
                        " s; this run was skipped",
                    "the next scheduled run tries again");
    }
    SyncSession session = open_sync_session(ctx);
    sync::SyncManager manager = make_sync_manager(ctx, config, *session.remote, *session.store, log);
    if (mode == sync::AutoSyncMode::Push) return summary(nullptr, manager.push(sync::ConflictMode::Detect));
    const auto result = manager.sync(sync::ConflictMode::Detect);
    return summary(&result.pull, result.push);
}

int run_scheduled(Context& ctx, std::chrono::seconds max_wait) {
    const Paths& paths = ctx.paths();
    sync::RunLog log(sync::auto_sync_log_file(paths), ctx.clock());
    sync::LastRun last;
    last.started_at = timeutil::format_rfc3339(ctx.clock().now());
    const auto finish = [&](sync::RunOutcome outcome, int code, const std::string& message) {
        last.finished_at = timeutil::format_rfc3339(ctx.clock().now());
        last.outcome = outcome;
        last.exit_code = code;
        last.message = message;
        log.line("result: " + std::string(sync::run_outcome_name(outcome)) + " (exit " + std::to_string(code) +
                 ")" + (message.empty() ? "" : ": " + message));
        sync::save_last_run(sync::auto_sync_last_run_file(paths), last);
    };
    try {
        const Config config = load_config(paths.config_file());
        last.mode = config.auto_sync_mode;
        if (!config.auto_sync) {
            finish(sync::RunOutcome::Skipped, 0, "auto-sync is off in config.json");
            return 0;
        }
        const sync::AutoSyncMode mode = sync::parse_auto_sync_mode(config.auto_sync_mode);
        log.line("run started: " + config.auto_sync_mode + ", machine " + config.machine_name + ", pid " +
                 std::to_string(::getpid()));
        finish(sync::RunOutcome::Ok, 0, run_once(ctx, log, config, mode, max_wait));
        return 0;
    } catch (const Error& e) {
        const bool busy = e.kind() == ErrorKind::Locked;
        finish(busy ? sync::RunOutcome::Busy : sync::RunOutcome::Failed, exit_code_for(e.kind()),
               std::string(e.what()) + (e.hint().empty() ? "" : " (" + e.hint() + ")"));
        throw;  // the one catch in run.cpp prints it and picks the exit code
    }
}

}  // namespace

void register_gist_auto_sync_run(CLI::App& auto_sync, Context& ctx) {
    CLI::App* run = auto_sync.add_subcommand("run", "One scheduled run (what the timer or crontab line calls)");
    auto max_wait = std::make_shared<int>(120);
    run->add_option("--max-wait", *max_wait, "Seconds to wait for another ccu sync to finish (default 120)")
        ->check(CLI::Range(0, 3600));
    run->callback([&ctx, max_wait] {
        ctx.action = [&ctx, max_wait] { return run_scheduled(ctx, std::chrono::seconds(*max_wait)); };
    });
}

}  // namespace ccu::cli
