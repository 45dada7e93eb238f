#pragma once
// The schedulers `ccu gist auto-sync on` installs into: a systemd user timer, or one crontab line.
// Both talk to the system only through a CommandRunner (cli/ hands in the real one; tests put a
// fake `crontab` and `systemctl` on PATH), and remove exactly what they added.
#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ccu/sync/auto_sync.hpp"

namespace ccu::sync {

struct CommandResult {
    int exit_code = -1;  // -1: the program could not be started (not installed)
    std::string out;
    std::string err;
};

// Runs a program found on PATH, with `input` on stdin, and waits for it (bounded).
class CommandRunner {
public:
    virtual ~CommandRunner() = default;
    virtual CommandResult run(const std::vector<std::string>& argv, const std::string& input = {}) = 0;
};

enum class SchedulerKind { Systemd, Cron };
std::string_view scheduler_name(SchedulerKind kind);  // "systemd" | "cron"
std::optional<SchedulerKind> parse_scheduler_name(std::string_view text);

class Scheduler {
public:
    virtual ~Scheduler() = default;
    virtual SchedulerKind kind() const = 0;
    // Installs (or replaces) ccu's entry. Throws ccu::Error(Unexpected) naming the failed command.
    virtual void install(const ScheduledCommand& command, int interval_minutes) = 0;
    // Removes ccu's entry and nothing else; returns what was removed (empty: there was nothing).
    virtual std::vector<std::string> remove() = 0;
    // What is installed now ("" when nothing), for status.
    virtual std::string describe_installed() = 0;
    // When it next fires, as text, if known.
    virtual std::optional<std::string> next_run(int interval_minutes, std::chrono::system_clock::time_point now) = 0;
};

// `systemctl --user` reaches a user manager (false in containers, under plain cron, over SSH
// without lingering).
bool systemd_user_available(CommandRunner& runner);
// Unit files go to `unit_dir` ($XDG_CONFIG_HOME/systemd/user).
std::unique_ptr<Scheduler> make_systemd_scheduler(CommandRunner& runner, std::filesystem::path unit_dir);
std::unique_ptr<Scheduler> make_cron_scheduler(CommandRunner& runner);

}  // namespace ccu::sync
