#pragma once
// A real smart-HTTP git server for the git module's tests (git_http_server.py around
// `git http-backend`), bare repositories made with the git CLI, and a Mirror factory.
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>

#include "ccu/git/mirror.hpp"
#include "support/process.hpp"
#include "support/sandbox.hpp"

extern char** environ;

namespace ccu::test {

inline std::string git_cli(const std::filesystem::path& git_dir, const std::vector<std::string>& args,
                           const std::string& input = {}) {
    std::vector<std::string> argv = {"/usr/bin/git", "--git-dir=" + git_dir.string()};
    argv.insert(argv.end(), args.begin(), args.end());
    const auto r = run_process(argv, {{"PATH", "/usr/bin:/bin"}, {"HOME", git_dir.parent_path().string()},
                                      {"GIT_CONFIG_NOSYSTEM", "1"}},
                               input);
    if (r.exit_code != 0) throw std::runtime_error("git " + args.front() + " failed: " + r.err);
    std::string out = r.out;
    while (!out.empty() && out.back() == '\n') out.pop_back();
    return out;
}

class GitHttpServer {
public:
    explicit GitHttpServer(std::string token, const std::filesystem::path& root,
                           std::optional<std::pair<std::string, std::string>> tls = std::nullopt)
        : token_(std::move(token)), root_(root), tls_(tls.has_value()) {
        std::filesystem::create_directories(root_);
        const auto port_file = root_ / "port";
        std::vector<std::string> args = {CCU_PYTHON, std::string(CCU_SOURCE_DIR) + "/tests/unit/git/git_http_server.py",
                                         root_.string(), port_file.string(), token_};
        if (tls) args.insert(args.end(), {"--tls", tls->first, tls->second});
        std::vector<char*> argv;
        for (auto& a : args) argv.push_back(a.data());
        argv.push_back(nullptr);
        if (posix_spawn(&pid_, argv[0], nullptr, nullptr, argv.data(), environ) != 0) {
            throw std::runtime_error("cannot start git_http_server.py");
        }
        for (int i = 0; i < 200 && !std::filesystem::exists(port_file); ++i) {
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
        std::ifstream in(port_file);
        if (!(in >> port_)) throw std::runtime_error("git_http_server.py did not start");
    }
    ~GitHttpServer() {
        kill(pid_, SIGTERM);
        int status = 0;
        waitpid(pid_, &status, 0);
    }
    GitHttpServer(const GitHttpServer&) = delete;
    GitHttpServer& operator=(const GitHttpServer&) = delete;

    // A new bare repository whose HEAD names `branch`; seeded with one commit of `files` unless empty.
    std::filesystem::path create_repo(const std::string& name, const std::string& branch,
                                      const std::map<std::string, std::string>& files = {}) {
        const auto dir = root_ / (name + ".git");
        run_process({"/usr/bin/git", "init", "-q", "--bare", "-b", branch, dir.string()}, {{"PATH", "/usr/bin:/bin"}});
        git_cli(dir, {"config", "http.receivepack", "true"});
        if (!files.empty()) {
            std::string tree;
            for (const auto& [file, content] : files) {
                tree += "100644 blob " + git_cli(dir, {"hash-object", "-w", "--stdin"}, content) + "\t" + file + "\n";
            }
            const std::string tree_id = git_cli(dir, {"mktree"}, tree);
            const std::string commit = run_process({"/usr/bin/git", "--git-dir=" + dir.string(), "commit-tree", tree_id,
                                                    "-m", "seed"},
                                                   {{"PATH", "/usr/bin:/bin"}, {"GIT_AUTHOR_NAME", "seed"},
                                                    {"GIT_AUTHOR_EMAIL", "s@x"}, {"GIT_COMMITTER_NAME", "seed"},
                                                    {"GIT_COMMITTER_EMAIL", "s@x"}, {"GIT_CONFIG_NOSYSTEM", "1"}})
                                           .out;
            git_cli(dir, {"update-ref", "refs/heads/" + branch, commit.substr(0, 40)});
        }
        return dir;
    }

    std::string url(const std::string& name) const {
        // mbedTLS (libgit2's TLS) matches DNS names only, so the TLS server is "localhost".
        return std::string(tls_ ? "https://localhost:" : "http://127.0.0.1:") + std::to_string(port_) + "/" + name + ".git";
    }
    std::string head(const std::string& name, const std::string& branch) const {
        return git_cli(root_ / (name + ".git"), {"rev-parse", "refs/heads/" + branch});
    }
    std::string show(const std::string& name, const std::string& rev_path) const {
        return git_cli(root_ / (name + ".git"), {"show", rev_path});
    }
    const std::filesystem::path& root() const { return root_; }

private:
    std::string token_;
    std::filesystem::path root_;
    bool tls_ = false;
    pid_t pid_ = -1;
    int port_ = 0;
};

// A token source that counts how often libgit2 asked.
struct CountingToken {
    std::string token;
    std::shared_ptr<int> calls = std::make_shared<int>(0);
    git::TokenSource source() const {
        return [t = token, c = calls] {
            ++*c;
            return t;
        };
    }
};

inline git::MirrorOptions mirror_options(const std::filesystem::path& dir, const std::string& url,
                                         git::TokenSource token, Clock& clock) {
    git::MirrorOptions o;
    o.dir = dir;
    o.url = url;
    o.token = std::move(token);
    o.clock = &clock;
    o.identity = {"test-machine", "test@ccu.invalid"};
    return o;
}

}  // namespace ccu::test
