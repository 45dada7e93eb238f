#pragma once
#include <chrono>

#include "ccu/common/environment.hpp"
#include "ccu/sync/scheduler.hpp"

namespace ccu::cli {

// The real CommandRunner: finds the program on the PATH of `env`, runs it with `env` minus the
// token variables (a child never sees the token), feeds stdin, and kills it after `timeout`.
class ProcessRunner final : public sync::CommandRunner {
public:
    explicit ProcessRunner(const Environment& env, std::chrono::seconds timeout = std::chrono::seconds(30));
    sync::CommandResult run(const std::vector<std::string>& argv, const std::string& input = {}) override;

private:
    std::vector<std::string> env_strings_;
    std::string path_;
    std::chrono::seconds timeout_;
};

}  // namespace ccu::cli
