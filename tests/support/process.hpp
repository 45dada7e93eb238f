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

// Path of the ccu binary under test (compiled in as CCU_BINARY_PATH).
std::string ccu_binary();

}  // namespace ccu::test
