#include "ccu/sync/run_log.hpp"

#include <nlohmann/json.hpp>

#include "ccu/common/atomic_file.hpp"
#include "ccu/common/error.hpp"
#include "ccu/common/log.hpp"
#include "ccu/common/time.hpp"
#include "ccu/sync/lock.hpp"

namespace ccu::sync {
namespace fs = std::filesystem;

fs::path auto_sync_log_file(const Paths& paths) { return paths.data_dir / "auto-sync.log"; }
fs::path auto_sync_last_run_file(const Paths& paths) { return paths.data_dir / "auto-sync-last.json"; }

RunLog::RunLog(const fs::path& file, const Clock& clock, std::uintmax_t max_bytes) : clock_(clock) {
    std::error_code ec;
    fs::create_directories(file.parent_path(), ec);
    if (fs::exists(file, ec) && fs::file_size(file, ec) > max_bytes) {
        fs::rename(file, fs::path(file.string() + ".1"), ec);
    }
    file_ = std::fopen(file.c_str(), "ae");  // 'e': O_CLOEXEC
    if (file_ == nullptr) {
        throw Error(ErrorKind::Unexpected, "cannot open the auto-sync log " + file.string(),
                    "check that the data dir is writable");
    }
}

RunLog::~RunLog() {
    if (file_ != nullptr) std::fclose(file_);
}

void RunLog::line(std::string_view text) {
    const std::string out = timeutil::format_rfc3339(clock_.now()) + " " + log::redact(text) + "\n";
    std::fwrite(out.data(), 1, out.size(), file_);
    std::fflush(file_);
}

void RunLog::say(Mark, std::string_view text) { line(text); }
void RunLog::warn(std::string_view text) { line("warning: " + std::string(text)); }

std::string_view run_outcome_name(RunOutcome outcome) {
    switch (outcome) {
        case RunOutcome::Ok: return "ok";
        case RunOutcome::Failed: return "failed";
        case RunOutcome::Busy: return "busy";
        case RunOutcome::Skipped: return "skipped";
    }
    return "failed";
}

void save_last_run(const fs::path& file, const LastRun& run) {
    const nlohmann::json doc = {{"started_at", run.started_at}, {"finished_at", run.finished_at},
                                {"mode", run.mode},             {"outcome", run_outcome_name(run.outcome)},
                                {"exit_code", run.exit_code},   {"message", log::redact(run.message)}};
    write_file_atomically(file, doc.dump(2) + "\n");
}

std::optional<LastRun> load_last_run(const fs::path& file) {
    std::error_code ec;
    if (!fs::exists(file, ec)) return std::nullopt;
    try {
        const auto doc = nlohmann::json::parse(read_file(file));
        LastRun run;
        run.started_at = doc.at("started_at").get<std::string>();
        run.finished_at = doc.at("finished_at").get<std::string>();
        run.mode = doc.at("mode").get<std::string>();
        run.exit_code = doc.at("exit_code").get<int>();
        run.message = doc.at("message").get<std::string>();
        const std::string outcome = doc.at("outcome").get<std::string>();
        for (const RunOutcome o : {RunOutcome::Ok, RunOutcome::Failed, RunOutcome::Busy, RunOutcome::Skipped}) {
            if (run_outcome_name(o) == outcome) run.outcome = o;
        }
        return run;
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

bool wait_for_lock(const fs::path& lock_file, std::chrono::seconds max_wait, Clock& clock) {
    const auto deadline = clock.now() + max_wait;
    while (true) {
        try {
            SyncLock probe(lock_file);
            return true;
        } catch (const Error& e) {
            if (e.kind() != ErrorKind::Locked) throw;
        }
        if (clock.now() >= deadline) return false;
        clock.sleep_for(std::chrono::seconds(1));
    }
}

}  // namespace ccu::sync
