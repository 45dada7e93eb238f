#include "support/process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <stdexcept>

namespace ccu::test {

std::string ccu_binary() { return CCU_BINARY_PATH; }

namespace {

// posix_spawn of argv[0] with exactly `env`, with the caller's file actions (then destroyed).
int spawn_with(posix_spawn_file_actions_t& actions, const std::vector<std::string>& argv,
               const std::map<std::string, std::string>& env, pid_t& pid) {
    std::vector<std::string> env_strings;
    for (const auto& [k, v] : env) env_strings.push_back(k + "=" + v);
    std::vector<char*> cargv, cenv;
    for (const auto& a : argv) cargv.push_back(const_cast<char*>(a.c_str()));
    cargv.push_back(nullptr);
    for (auto& e : env_strings) cenv.push_back(e.data());
    cenv.push_back(nullptr);
    const int rc = ::posix_spawn(&pid, argv.at(0).c_str(), &actions, nullptr, cargv.data(), cenv.data());
    posix_spawn_file_actions_destroy(&actions);
    return rc;
}

}  // namespace

ProcessResult run_process(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env,
                          const std::string& input, std::chrono::seconds timeout) {
    std::array<int, 2> in{}, out{}, err{};
    if (::pipe2(in.data(), O_CLOEXEC) != 0 || ::pipe2(out.data(), O_CLOEXEC) != 0 ||
        ::pipe2(err.data(), O_CLOEXEC) != 0) {
        throw std::runtime_error("pipe failed");
    }
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, in[0], 0);
    posix_spawn_file_actions_adddup2(&actions, out[1], 1);
    posix_spawn_file_actions_adddup2(&actions, err[1], 2);

    pid_t pid = 0;
    const int rc = spawn_with(actions, argv, env, pid);
    ::close(in[0]);
    ::close(out[1]);
    ::close(err[1]);
    if (rc != 0) throw std::runtime_error("posix_spawn failed for " + argv.at(0));

    std::size_t input_written = 0;
    if (input.empty()) ::close(in[1]);
    ProcessResult result;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    bool out_open = true, err_open = true, in_open = !input.empty();
    ::signal(SIGPIPE, SIG_IGN);
    while (out_open || err_open) {
        std::array<pollfd, 3> fds{{{out[0], POLLIN, 0}, {err[0], POLLIN, 0}, {in[1], POLLOUT, 0}}};
        fds[0].fd = out_open ? out[0] : -1;
        fds[1].fd = err_open ? err[0] : -1;
        fds[2].fd = in_open ? in[1] : -1;
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) {
            ::kill(pid, SIGKILL);
            break;
        }
        if (::poll(fds.data(), fds.size(), static_cast<int>(left.count())) < 0 && errno != EINTR) break;
        std::array<char, 65536> buf{};
        for (int i = 0; i < 2; ++i) {
            if (fds[static_cast<std::size_t>(i)].revents & (POLLIN | POLLHUP | POLLERR)) {
                const int fd = i == 0 ? out[0] : err[0];
                const ssize_t n = ::read(fd, buf.data(), buf.size());
                if (n <= 0) {
                    (i == 0 ? out_open : err_open) = false;
                } else {
                    (i == 0 ? result.out : result.err).append(buf.data(), static_cast<std::size_t>(n));
                }
            }
        }
        if (in_open && (fds[2].revents & (POLLOUT | POLLERR | POLLHUP))) {
            const ssize_t n = ::write(in[1], input.data() + input_written, input.size() - input_written);
            if (n > 0) input_written += static_cast<std::size_t>(n);
            if (n < 0 || input_written == input.size()) {
                ::close(in[1]);
                in_open = false;
            }
        }
    }
    if (in_open) ::close(in[1]);
    ::close(out[0]);
    ::close(err[0]);
    int status = 0;
    ::waitpid(pid, &status, 0);
    result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return result;
}

BackgroundProcess::BackgroundProcess(const std::vector<std::string>& argv,
                                     const std::map<std::string, std::string>& env) {
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    for (int fd = 0; fd <= 2; ++fd) {
        posix_spawn_file_actions_addopen(&actions, fd, "/dev/null", fd == 0 ? O_RDONLY : O_WRONLY, 0);
    }
    pid_t pid = 0;
    const int rc = spawn_with(actions, argv, env, pid);
    if (rc != 0) throw std::runtime_error("posix_spawn failed for " + argv.at(0));
    pid_ = pid;
}

BackgroundProcess::~BackgroundProcess() {
    if (exit_code_ < 0 && pid_ > 0) {
        ::kill(pid_, SIGKILL);
        wait();
    }
}

void BackgroundProcess::kill(int signal) {
    if (exit_code_ < 0) ::kill(pid_, signal);
}

int BackgroundProcess::wait() {
    if (exit_code_ >= 0) return exit_code_;
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return exit_code_;
}

}  // namespace ccu::test
