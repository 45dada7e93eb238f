#include "ccu/sync/scheduler.hpp"

#include <ctime>
#include <system_error>

#include "ccu/common/atomic_file.hpp"
#include "ccu/common/error.hpp"
#include "ccu/common/text.hpp"

namespace ccu::sync {
namespace fs = std::filesystem;

std::string_view scheduler_name(SchedulerKind kind) { return kind == SchedulerKind::Systemd ? "systemd" : "cron"; }

std::optional<SchedulerKind> parse_scheduler_name(std::string_view text) {
    if (text == "systemd") return SchedulerKind::Systemd;
    if (text == "cron") return SchedulerKind::Cron;
    return std::nullopt;
}

namespace {

std::string joined(const std::vector<std::string>& argv) {
    std::string text;
    for (const auto& a : argv) text += (text.empty() ? "" : " ") + a;
    return text;
}

Error command_failed(const std::vector<std::string>& argv, const CommandResult& r, const std::string& hint) {
    std::string detail(trim(r.err.empty() ? r.out : r.err));
    if (r.exit_code < 0) detail = "not found on PATH";
    return Error(ErrorKind::Unexpected, "'" + joined(argv) + "' failed" + (detail.empty() ? "" : ": " + detail), hint);
}

std::string local_time_text(std::chrono::system_clock::time_point t) {
    const std::time_t tt = std::chrono::system_clock::to_time_t(t);
    std::tm local{};
    ::localtime_r(&tt, &local);
    char buffer[64] = {};
    std::strftime(buffer, sizeof buffer, "%Y-%m-%d %H:%M %Z", &local);
    return buffer;
}

class SystemdScheduler final : public Scheduler {
public:
    SystemdScheduler(CommandRunner& runner, fs::path unit_dir) : runner_(runner), dir_(std::move(unit_dir)) {}

    SchedulerKind kind() const override { return SchedulerKind::Systemd; }

    void install(const ScheduledCommand& command, int interval_minutes) override {
        write_file_atomically(dir_ / kServiceUnit, systemd_service_unit(command));
        write_file_atomically(dir_ / kTimerUnit, systemd_timer_unit(interval_minutes));
        systemctl({"daemon-reload"});
        // `restart` too: enable --now leaves an already running timer on its old interval.
        systemctl({"enable", "--now", kTimerUnit});
        systemctl({"restart", kTimerUnit});
    }

    std::vector<std::string> remove() override {
        std::vector<std::string> removed;
        if (ours(dir_ / kTimerUnit)) {
            (void)runner_.run({"systemctl", "--user", "disable", "--now", kTimerUnit});
        }
        for (const char* name : {kTimerUnit, kServiceUnit}) {
            const fs::path file = dir_ / name;
            std::error_code ec;
            if (ours(file) && fs::remove(file, ec)) removed.push_back(file.string());
        }
        if (!removed.empty()) (void)runner_.run({"systemctl", "--user", "daemon-reload"});
        return removed;
    }

    std::string describe_installed() override {
        return ours(dir_ / kTimerUnit) ? std::string("systemd user timer ") + kTimerUnit : std::string();
    }

    std::optional<std::string> next_run(int, std::chrono::system_clock::time_point) override {
        const auto r = runner_.run(
            {"systemctl", "--user", "show", kTimerUnit, "--property=NextElapseUSecRealtime", "--value"});
        const std::string text(trim(r.out));
        if (r.exit_code != 0 || text.empty() || text == "n/a") return std::nullopt;
        return text;
    }

private:
    static bool ours(const fs::path& file) {
        std::error_code ec;
        if (!fs::exists(file, ec)) return false;
        try {
            return written_by_ccu(read_file(file));
        } catch (const Error&) {
            return false;
        }
    }

    void systemctl(std::vector<std::string> args) {
        args.insert(args.begin(), {"systemctl", "--user"});
        const auto r = runner_.run(args);
        if (r.exit_code != 0) {
            throw command_failed(args, r, "check 'systemctl --user status " + std::string(kTimerUnit) +
                                              "', or pass --scheduler cron");
        }
    }

    CommandRunner& runner_;
    fs::path dir_;
};

class CronScheduler final : public Scheduler {
public:
    explicit CronScheduler(CommandRunner& runner) : runner_(runner) {}

    SchedulerKind kind() const override { return SchedulerKind::Cron; }

    void install(const ScheduledCommand& command, int interval_minutes) override {
        write(crontab_with_line(read(), crontab_line(command, interval_minutes)));
    }

    std::vector<std::string> remove() override {
        const std::string current = read_or_empty();
        const auto line = ccu_crontab_line(current);
        if (!line) return {};
        write(crontab_without_ccu(current));
        return {"crontab line: " + *line};
    }

    std::string describe_installed() override {
        return ccu_crontab_line(read_or_empty()) ? "crontab line" : "";
    }

    std::optional<std::string> next_run(int interval_minutes, std::chrono::system_clock::time_point now) override {
        return local_time_text(next_cron_run(interval_minutes, now));
    }

private:
    // The user's crontab; "" when they have none. Any other failure stops before a write could
    // replace lines ccu did not read.
    std::string read() {
        const std::vector<std::string> argv{"crontab", "-l"};
        const auto r = runner_.run(argv);
        if (r.exit_code == 0) return r.out;
        if (r.exit_code > 0 && r.err.find("no crontab") != std::string::npos) return {};
        throw command_failed(argv, r,
                             r.exit_code < 0 ? "install cron ('apt-get install cron') or use a systemd user session"
                                             : "fix 'crontab -l' first; ccu changed nothing");
    }
    std::string read_or_empty() {
        try {
            return read();
        } catch (const Error&) {
            return {};
        }
    }
    void write(const std::string& text) {
        const std::vector<std::string> argv{"crontab", "-"};
        const auto r = runner_.run(argv, text);
        if (r.exit_code != 0) throw command_failed(argv, r, "check 'crontab -l'; ccu changed nothing else");
    }

    CommandRunner& runner_;
};

}  // namespace

bool systemd_user_available(CommandRunner& runner) {
    return runner.run({"systemctl", "--user", "show-environment"}).exit_code == 0;
}

std::unique_ptr<Scheduler> make_systemd_scheduler(CommandRunner& runner, fs::path unit_dir) {
    return std::make_unique<SystemdScheduler>(runner, std::move(unit_dir));
}

std::unique_ptr<Scheduler> make_cron_scheduler(CommandRunner& runner) { return std::make_unique<CronScheduler>(runner); }

}  // namespace ccu::sync
