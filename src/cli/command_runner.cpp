#include "cli/command_runner.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <filesystem>

namespace ccu::cli {
namespace {

bool is_secret_variable(const std::string& name) { return name == "CCU_GITHUB_TOKEN" || name == "GITHUB_TOKEN"; }

std::string find_on_path(const std::string& program, const std::string& path) {
    if (program.find('/') != std::string::npos) return program;
    std::size_t start = 0;
    while (start <= path.size()) {
        const auto colon = path.find(':', start);
        const std::string dir = path.substr(start, colon == std::string::npos ? std::string::npos : colon - start);
        const std::filesystem::path candidate = std::filesystem::path(dir.empty() ? "." : dir) / program;
        if (::access(candidate.c_str(), X_OK) == 0) return candidate.string();
        if (colon == std::string::npos) break;
        start = colon + 1;
    }
    return {};
}

// Reads stdout/stderr and writes stdin until the child closes its ends or the deadline passes.
bool pump(int in_fd, int out_fd, int err_fd, const std::string& input, sync::CommandResult& result,
          std::chrono::steady_clock::time_point deadline) {
    std::size_t written = 0;
    bool in_open = in_fd >= 0, out_open = true, err_open = true;
    while (out_open || err_open) {
        std::array<pollfd, 3> fds{{{out_open ? out_fd : -1, POLLIN, 0},
                                   {err_open ? err_fd : -1, POLLIN, 0},
                                   {in_open ? in_fd : -1, POLLOUT, 0}}};
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0 ||
            (::poll(fds.data(), fds.size(), static_cast<int>(left.count())) < 0 && errno != EINTR)) {
            if (in_open) ::close(in_fd);
            return false;
        }
        std::array<char, 16384> buf{};
        for (std::size_t i = 0; i < 2; ++i) {
            if ((fds[i].revents & (POLLIN | POLLHUP | POLLERR)) == 0) continue;
            const ssize_t n = ::read(i == 0 ? out_fd : err_fd, buf.data(), buf.size());
            if (n <= 0) {
                (i == 0 ? out_open : err_open) = false;
            } else {
                (i == 0 ? result.out : result.err).append(buf.data(), static_cast<std::size_t>(n));
            }
        }
        if (in_open && (fds[2].revents & (POLLOUT | POLLERR | POLLHUP)) != 0) {
            const ssize_t n = ::write(in_fd, input.data() + written, input.size() - written);
            if (n > 0) written += static_cast<std::size_t>(n);
            if (n < 0 || written == input.size()) {
                ::close(in_fd);
                in_open = false;
            }
        }
    }
    if (in_open) ::close(in_fd);
    return true;
}

}  // namespace

ProcessRunner::ProcessRunner(const Environment& env, std::chrono::seconds timeout)
    : path_(env.get("PATH").value_or("/usr/bin:/bin")), timeout_(timeout) {
    for (const auto& [name, value] : env.variables()) {
        if (!is_secret_variable(name)) env_strings_.push_back(name + "=" + value);
    }
}

sync::CommandResult ProcessRunner::run(const std::vector<std::string>& argv, const std::string& input) {
    sync::CommandResult result;
    const std::string program = find_on_path(argv.at(0), path_);
    if (program.empty()) return result;  // exit_code -1: not installed
    std::array<int, 2> in{}, out{}, err{};
    if (::pipe2(in.data(), O_CLOEXEC) != 0 || ::pipe2(out.data(), O_CLOEXEC) != 0 ||
        ::pipe2(err.data(), O_CLOEXEC) != 0) {
        return result;
    }
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, in[0], 0);
    posix_spawn_file_actions_adddup2(&actions, out[1], 1);
    posix_spawn_file_actions_adddup2(&actions, err[1], 2);
    std::vector<char*> cargv, cenv;
    for (const auto& a : argv) cargv.push_back(const_cast<char*>(a.c_str()));
    cargv.push_back(nullptr);
    for (auto& e : env_strings_) cenv.push_back(e.data());
    cenv.push_back(nullptr);
    pid_t pid = 0;
    const int rc = ::posix_spawn(&pid, program.c_str(), &actions, nullptr, cargv.data(), cenv.data());
    posix_spawn_file_actions_destroy(&actions);
    ::close(in[0]);
    ::close(out[1]);
    ::close(err[1]);
    if (rc != 0) {
        for (const int fd : {in[1], out[0], err[0]}) ::close(fd);
        return result;
    }
    ::signal(SIGPIPE, SIG_IGN);  // a child that exits without reading stdin must not kill ccu
    int in_fd = in[1];
    if (input.empty()) {
        ::close(in_fd);
        in_fd = -1;
    }
    const bool finished = pump(in_fd, out[0], err[0], input, result, std::chrono::steady_clock::now() + timeout_);
    if (!finished) ::kill(pid, SIGKILL);
    ::close(out[0]);
    ::close(err[0]);
    int status = 0;
    ::waitpid(pid, &status, 0);
    result.exit_code = finished && WIFEXITED(status) ? WEXITSTATUS(status) : 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
    return result;
}

}  // namespace ccu::cli
