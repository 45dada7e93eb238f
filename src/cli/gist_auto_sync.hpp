#pragma once
#include <memory>

#include <nlohmann/json.hpp>

#include "ccu/common/config.hpp"
#include "ccu/sync/scheduler.hpp"

namespace CLI {
class App;
}

namespace ccu::cli {
class Context;

// The scheduler named in config.json (or, when none, the one `on` would pick).
std::unique_ptr<sync::Scheduler> make_scheduler(Context& ctx, sync::CommandRunner& runner, sync::SchedulerKind kind);

// The `auto_sync` object of `gist status`: config, what is installed, the next and the last run.
nlohmann::json auto_sync_status(Context& ctx, const Config& config);
// Human lines for it.
void print_auto_sync_status(Context& ctx, const nlohmann::json& auto_sync);

// `ccu gist auto-sync run`: what the timer / crontab line runs (src/cli/gist_auto_sync_run.cpp).
void register_gist_auto_sync_run(CLI::App& auto_sync, Context& ctx);

}  // namespace ccu::cli
