#pragma once
#include <chrono>
#include <map>
#include <string>
#include <vector>

namespace ccu::test {

struct ProcessResult {
    int exit_code = -1;  // 128+signal when killed by a signal
    std::string out;
    std::string err;
};

// Runs `argv` (argv[0] is a path) with exactly `env` as its environment, feeding `input` on
// stdin, and captures stdout/stderr. Kills it after `timeout`.
ProcessResult run_process(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env,
                          const std::string& input = {},
                          std::chrono::seconds timeout = std::chrono::seconds(120));

// A child running in the background with stdin, stdout and stderr on /dev/null, for tests
// that kill it at a chosen moment. The destructor SIGKILLs and reaps a child still running.
class BackgroundProcess {
public:
    BackgroundProcess(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env);
    ~BackgroundProcess();
    BackgroundProcess(const BackgroundProcess&) = delete;
    BackgroundProcess& operator=(const BackgroundProcess&) = delete;

    int pid() const { return pid_; }
    void kill(int signal);
    int wait();  // exit code, 128+signal when killed by a signal

private:
    int pid_ = -1;
    int exit_code_ = -1;
};

// Path of the ccu binary under test (compiled in as CCU_BINARY_PATH).
std::string ccu_binary();

}  // namespace ccu::test
