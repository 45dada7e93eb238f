#pragma once
// What a scheduled `ccu gist auto-sync run` leaves behind: a rotating log in the data dir and the
// last run's result, which `ccu gist status` shows. Nobody watches a cron job's terminal.
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <string>

#include "ccu/common/clock.hpp"
#include "ccu/common/environment.hpp"
#include "ccu/sync/events.hpp"

namespace ccu::sync {

std::filesystem::path auto_sync_log_file(const Paths& paths);       // <data dir>/auto-sync.log
std::filesystem::path auto_sync_last_run_file(const Paths& paths);  // <data dir>/auto-sync-last.json

// Appends timestamped, redacted lines. At open, a log larger than `max_bytes` becomes
// `<file>.1` (replacing the older one): the log never grows past about twice that.
class RunLog final : public EventSink {
public:
    static constexpr std::uintmax_t kDefaultMaxBytes = 256 * 1024;
    RunLog(const std::filesystem::path& file, const Clock& clock, std::uintmax_t max_bytes = kDefaultMaxBytes);
    ~RunLog() override;
    RunLog(const RunLog&) = delete;
    RunLog& operator=(const RunLog&) = delete;

    void line(std::string_view text);
    void say(Mark mark, std::string_view text) override;
    void warn(std::string_view text) override;

private:
    const Clock& clock_;
    std::FILE* file_ = nullptr;
};

enum class RunOutcome { Ok, Failed, Busy, Skipped };
std::string_view run_outcome_name(RunOutcome outcome);  // "ok" | "failed" | "busy" | "skipped"

struct LastRun {
    std::string started_at;   // RFC 3339
    std::string finished_at;  // RFC 3339
    std::string mode;         // "sync" | "push"
    RunOutcome outcome = RunOutcome::Ok;
    int exit_code = 0;
    std::string message;      // summary or the error
};
void save_last_run(const std::filesystem::path& file, const LastRun& run);
// nullopt when there was no run yet (or the file is unreadable: status must not fail on it).
std::optional<LastRun> load_last_run(const std::filesystem::path& file);

// Waits until no other process holds the sync lock, polling every second through `clock`, for at
// most `max_wait`. True when the lock was free (it is not kept: push and pull take it themselves).
bool wait_for_lock(const std::filesystem::path& lock_file, std::chrono::seconds max_wait, Clock& clock);

}  // namespace ccu::sync
