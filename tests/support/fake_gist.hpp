#pragma once
// A real HTTP fake of the GitHub Gist API for tests: spawns tests/fake_gist/fake_gist_server.py
// (one private server per instance) and drives its /_fake/ control endpoints.
// Behaviours and their GitHub sources: tests/fake_gist/README.md.
#include <sys/types.h>

#include <nlohmann/json.hpp>
#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace ccu::test {

class FakeGistServer {
public:
    FakeGistServer();   // spawns the python server, waits (<= 10 s) for its port file; throws on failure
    ~FakeGistServer();  // SIGTERM + waitpid (SIGKILL after 3 s)
    FakeGistServer(const FakeGistServer&) = delete;
    FakeGistServer& operator=(const FakeGistServer&) = delete;

    std::string api_url() const;   // "http://127.0.0.1:N"
    std::string raw_base() const;  // "http://localhost:M"
    std::string git_base() const;  // "http://127.0.0.1:G" (the git host, like gist.github.com)
    std::string git_url(const std::string& gist_id) const;  // git_base() + "/<id>.git" = git_pull_url
    int api_port() const { return api_port_; }
    int raw_port() const { return raw_port_; }
    int git_port() const { return git_port_; }
    pid_t pid() const { return pid_; }

    // Any control (or API) call on the API port; throws std::runtime_error on a non-2xx status.
    nlohmann::json control(const std::string& method, const std::string& path, const nlohmann::json& body = nullptr);
    void add_token(const std::string& token, const std::string& login = "alice",
                   std::optional<std::vector<std::string>> scopes = std::vector<std::string>{"gist"});
    void add_fault(const nlohmann::json& fault);         // one entry of /_fake/faults
    nlohmann::json state();                             // GET /_fake/state
    nlohmann::json requests();                          // GET /_fake/requests ["requests"]
    std::string seed_gist(const nlohmann::json& body);  // POST /_fake/gists, returns id
    void configure(const nlohmann::json& config);       // POST /_fake/config (any subset)
    void set_rate_limit(const nlohmann::json& state);   // POST /_fake/rate_limit
    void reset();                                       // POST /_fake/reset

    // Barrier (README "Barrier"): hold the next `count` requests of `target` ("patch" = REST
    // PATCH /gists/{id}, "receive-pack" = git push) before they are applied, optionally only for
    // one gist; wait_held returns false if fewer than n are held within the timeout; release lets
    // the first `count` held requests (all without a count) proceed, returns how many.
    void hold(const std::string& target, int count = 1, const std::string& gist_id = "");
    bool wait_held(int n, std::chrono::milliseconds timeout = std::chrono::milliseconds(10000));
    int release(std::optional<int> count = std::nullopt);

private:
    void stop() noexcept;

    pid_t pid_ = -1;
    int api_port_ = 0;
    int raw_port_ = 0;
    int git_port_ = 0;
};

}  // namespace ccu::test
