#include "support/fake_gist.hpp"

#include "support/process.hpp"

#include <curl/curl.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <fstream>
#include <memory>
#include <mutex>
#include <sstream>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace ccu::test {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

fs::path make_temp_dir() {
    std::string tmpl = (fs::temp_directory_path() / "ccu-fakegist-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("FakeGistServer: mkdtemp failed");
    return tmpl;
}

// Reads the port file once the server has renamed it into place (it is written atomically).
std::optional<nlohmann::json> read_port_file(const fs::path& file) {
    std::ifstream in(file);
    if (!in) return std::nullopt;
    std::stringstream text;
    text << in.rdbuf();
    auto parsed = nlohmann::json::parse(text.str(), nullptr, false);
    if (parsed.is_discarded()) return std::nullopt;
    return parsed;
}

// CCU_PYTHON may be a wrapper (a pyenv shim costs ~0.6 s per start); resolve the real interpreter
// once per test process so each server starts in ~0.2 s. Falls back to CCU_PYTHON as given.
const std::string& python_interpreter() {
    static const std::string resolved = [] {
        std::map<std::string, std::string> env;
        for (char** e = environ; *e != nullptr; ++e) {
            const std::string entry(*e);
            const auto eq = entry.find('=');
            if (eq != std::string::npos) env[entry.substr(0, eq)] = entry.substr(eq + 1);
        }
        try {
            auto result = run_process({CCU_PYTHON, "-c", "import sys; print(sys.executable)"}, env, {},
                                      std::chrono::seconds(20));
            std::string path = result.out.substr(0, result.out.find('\n'));
            if (result.exit_code == 0 && !path.empty() && ::access(path.c_str(), X_OK) == 0) return path;
        } catch (const std::exception&) {
        }
        return std::string(CCU_PYTHON);
    }();
    return resolved;
}

pid_t spawn_server(const fs::path& port_file) {
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    // Don't hand the test's pipes/sockets to a long-lived child (a reader waiting for EOF would hang).
    posix_spawn_file_actions_addclosefrom_np(&actions, 3);
    // -S: no site module (stdlib only), a little faster to start.
    std::vector<std::string> args{python_interpreter(), "-S", CCU_FAKE_GIST_SERVER, "--port-file",
                                  port_file.string()};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    pid_t pid = -1;
    const int rc = ::posix_spawn(&pid, args[0].c_str(), &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) throw std::runtime_error("FakeGistServer: cannot spawn " + args[0] + ": " + std::to_string(rc));
    return pid;
}

std::size_t append_to_string(char* data, std::size_t size, std::size_t count, void* out) {
    static_cast<std::string*>(out)->append(data, size * count);
    return size * count;
}

void global_curl_init() {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

}  // namespace

FakeGistServer::FakeGistServer() {
    const fs::path dir = make_temp_dir();
    const fs::path port_file = dir / "ports.json";
    pid_ = spawn_server(port_file);
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    std::optional<nlohmann::json> ports;
    while (!(ports = read_port_file(port_file))) {
        int status = 0;
        if (::waitpid(pid_, &status, WNOHANG) == pid_) {
            pid_ = -1;
            std::error_code ec;
            fs::remove_all(dir, ec);
            throw std::runtime_error("FakeGistServer: server exited before writing its port file");
        }
        if (std::chrono::steady_clock::now() > deadline) {
            stop();
            std::error_code ec;
            fs::remove_all(dir, ec);
            throw std::runtime_error("FakeGistServer: no port file within 10 s");
        }
        std::this_thread::sleep_for(5ms);
    }
    std::error_code ec;
    fs::remove_all(dir, ec);
    api_port_ = ports->at("api_port").get<int>();
    raw_port_ = ports->at("raw_port").get<int>();
    git_port_ = ports->at("git_port").get<int>();
}

FakeGistServer::~FakeGistServer() { stop(); }

void FakeGistServer::stop() noexcept {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGTERM);
    const auto deadline = std::chrono::steady_clock::now() + 3s;
    int status = 0;
    while (::waitpid(pid_, &status, WNOHANG) == 0) {
        if (std::chrono::steady_clock::now() > deadline) {
            ::kill(pid_, SIGKILL);
            ::waitpid(pid_, &status, 0);
            break;
        }
        std::this_thread::sleep_for(2ms);
    }
    pid_ = -1;
}

std::string FakeGistServer::api_url() const { return "http://127.0.0.1:" + std::to_string(api_port_); }
std::string FakeGistServer::raw_base() const { return "http://localhost:" + std::to_string(raw_port_); }
std::string FakeGistServer::git_base() const { return "http://127.0.0.1:" + std::to_string(git_port_); }
std::string FakeGistServer::git_url(const std::string& gist_id) const { return git_base() + "/" + gist_id + ".git"; }

nlohmann::json FakeGistServer::control(const std::string& method, const std::string& path,
                                       const nlohmann::json& body) {
    global_curl_init();
    std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), &curl_easy_cleanup);
    if (!curl) throw std::runtime_error("FakeGistServer: curl_easy_init failed");
    const std::string url = api_url() + path;
    const std::string payload = body.is_null() ? std::string() : body.dump();
    std::string response;
    curl_slist* headers = curl_slist_append(nullptr, "Content-Type: application/json");
    headers = curl_slist_append(headers, "User-Agent: ccu-test-fakegist");
    CURL* h = curl.get();
    curl_easy_setopt(h, CURLOPT_URL, url.c_str());
    curl_easy_setopt(h, CURLOPT_NOPROXY, "*");
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method.c_str());
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(h, CURLOPT_TIMEOUT, 30L);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    if (!body.is_null()) {
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, payload.c_str());
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(payload.size()));
    }
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, &append_to_string);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &response);
    const CURLcode rc = curl_easy_perform(h);
    curl_slist_free_all(headers);
    if (rc != CURLE_OK) {
        throw std::runtime_error("FakeGistServer: " + method + " " + path + ": " + curl_easy_strerror(rc));
    }
    long status = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    if (status == 408 && path == "/_fake/hold/wait") return nullptr;  // wait_held timed out
    if (status < 200 || status >= 300) {
        throw std::runtime_error("FakeGistServer: " + method + " " + path + " -> " + std::to_string(status) +
                                 ": " + response);
    }
    if (response.empty()) return nullptr;
    return nlohmann::json::parse(response);
}

void FakeGistServer::add_token(const std::string& token, const std::string& login,
                               std::optional<std::vector<std::string>> scopes) {
    nlohmann::json body{{"token", token}, {"login", login}, {"scopes", nullptr}};
    if (scopes) body["scopes"] = *scopes;
    control("POST", "/_fake/tokens", body);
}

void FakeGistServer::add_fault(const nlohmann::json& fault) {
    control("POST", "/_fake/faults", nlohmann::json{{"faults", nlohmann::json::array({fault})}});
}

nlohmann::json FakeGistServer::state() { return control("GET", "/_fake/state"); }

nlohmann::json FakeGistServer::requests() { return control("GET", "/_fake/requests").at("requests"); }

std::string FakeGistServer::seed_gist(const nlohmann::json& body) {
    return control("POST", "/_fake/gists", body).at("id").get<std::string>();
}

void FakeGistServer::configure(const nlohmann::json& config) { control("POST", "/_fake/config", config); }

void FakeGistServer::set_rate_limit(const nlohmann::json& state) { control("POST", "/_fake/rate_limit", state); }

void FakeGistServer::reset() { control("POST", "/_fake/reset", nlohmann::json::object()); }

void FakeGistServer::hold(const std::string& target, int count, const std::string& gist_id) {
    nlohmann::json body{{"target", target}, {"count", count}};
    if (!gist_id.empty()) body["gist"] = gist_id;
    control("POST", "/_fake/hold", body);
}

bool FakeGistServer::wait_held(int n, std::chrono::milliseconds timeout) {
    const auto answer = control("POST", "/_fake/hold/wait", {{"count", n}, {"timeout_ms", timeout.count()}});
    return !answer.is_null();
}

int FakeGistServer::release(std::optional<int> count) {
    nlohmann::json body = nlohmann::json::object();
    if (count) body["count"] = *count;
    return control("POST", "/_fake/release", body).at("released").get<int>();
}

}  // namespace ccu::test
