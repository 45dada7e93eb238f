// Security properties of the real ccu process: file modes of the token and config, TLS
// verification against a self-signed HTTPS front (a tiny Python `ssl` proxy to the fake, with a
// certificate made by openssl in the test), and no core dump of a process holding the token.
#include <catch2/catch.hpp>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <thread>

#include "ccu/common/atomic_file.hpp"
#include "ccu/common/config.hpp"
#include "ccu/common/environment.hpp"
#include "support/fake_gist.hpp"
#include "support/process.hpp"
#include "support/sandbox.hpp"

namespace fs = std::filesystem;
using ccu::test::ProcessResult;

namespace {

const std::string kToken = "ghp_SecurityCanary0000000000000000000000";

std::string slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

unsigned mode_of(const fs::path& p) {
    struct stat st {};
    REQUIRE(::stat(p.c_str(), &st) == 0);
    return st.st_mode & 07777;
}

// A TLS terminator in front of the fake's API port: every byte is relayed both ways.
constexpr const char* kTlsFront = R"PY(
import socket, ssl, sys, threading
cert, key, upstream, port_file = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(cert, key)
srv = socket.socket()
srv.bind(("127.0.0.1", 0))
srv.listen(16)
with open(port_file + ".tmp", "w") as f:
    f.write(str(srv.getsockname()[1]))
import os; os.rename(port_file + ".tmp", port_file)
def pump(a, b):
    try:
        while True:
            data = a.recv(65536)
            if not data:
                break
            b.sendall(data)
    except OSError:
        pass
    for s in (a, b):
        try: s.shutdown(socket.SHUT_RDWR)
        except OSError: pass
def serve(raw):
    try:
        tls = ctx.wrap_socket(raw, server_side=True)
    except (ssl.SSLError, OSError):
        raw.close()
        return
    up = socket.create_connection(("127.0.0.1", upstream))
    threading.Thread(target=pump, args=(up, tls), daemon=True).start()
    pump(tls, up)
while True:
    conn, _ = srv.accept()
    threading.Thread(target=serve, args=(conn,), daemon=True).start()
)PY";

}  // namespace

TEST_CASE("the token file and the config file are created 0600", "[cli][security]") {
    ccu::test::FakeGistServer fake;
    fake.add_token(kToken, "alice");
    ccu::test::Sandbox sb;
    sb.set("CCU_GITHUB_API_URL", fake.api_url());
    sb.unset("CCU_GITHUB_TOKEN");
    sb.unset("GITHUB_TOKEN");
    const auto paths = ccu::Paths::resolve(sb.environment());
    const ProcessResult set = ccu::test::run_process(
        {ccu::test::ccu_binary(), "gist", "set-token", "--store", "file"}, sb.vars(), kToken + "\n");
    INFO(set.err);
    REQUIRE(set.exit_code == 0);
    const ProcessResult setup = ccu::test::run_process(
        {ccu::test::ccu_binary(), "gist", "setup", "--create", "--machine-name", "box"}, sb.vars());
    INFO(setup.err);
    REQUIRE(setup.exit_code == 0);
    CHECK(slurp(paths.token_file()).find(kToken) != std::string::npos);
    CHECK(mode_of(paths.token_file()) == 0600);
    CHECK(mode_of(paths.config_file()) == 0600);
}

TEST_CASE("an HTTPS server with a self-signed certificate is refused before any request reaches it",
          "[cli][security]") {
    ccu::test::FakeGistServer fake;
    fake.add_token(kToken, "alice");
    ccu::test::Sandbox sb;
    const fs::path cert = sb.root() / "cert.pem", key = sb.root() / "key.pem", port_file = sb.root() / "port";
    const ProcessResult made = ccu::test::run_process(
        {"/usr/bin/openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", key.string(), "-out", cert.string()},
        sb.vars());
    REQUIRE(made.exit_code == 0);
    ccu::test::BackgroundProcess front({"/usr/bin/python3", "-S", "-c", kTlsFront, cert.string(), key.string(),
                                        std::to_string(fake.api_port()), port_file.string()},
                                       sb.vars());
    for (int i = 0; i < 1000 && !fs::exists(port_file); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    REQUIRE(fs::exists(port_file));
    const std::string url = "https://127.0.0.1:" + slurp(port_file);
    // Control: the front relays to the fake for a client that skips verification.
    const ProcessResult insecure = ccu::test::run_process(
        {"/usr/bin/curl", "-sk", "-H", "User-Agent: test", url + "/rate_limit"}, sb.vars());
    REQUIRE(insecure.exit_code == 0);
    REQUIRE(insecure.out.find("resources") != std::string::npos);
    fake.control("DELETE", "/_fake/requests");

    sb.set("CCU_GITHUB_TOKEN", kToken);
    sb.set("CCU_GITHUB_API_URL", url);
    const ProcessResult r = ccu::test::run_process(
        {ccu::test::ccu_binary(), "gist", "setup", "--create", "--machine-name", "box"}, sb.vars());
    INFO(r.err);
    CHECK(r.exit_code == 4);
    CHECK(r.err.find("certificate") != std::string::npos);
    CHECK(r.err.find(kToken) == std::string::npos);
    CHECK(fake.requests().empty());  // nothing, so no Authorization header, got through
}

TEST_CASE("a ccu process holding the token cannot dump core and keeps the token out of its argv",
          "[cli][security]") {
    ccu::test::FakeGistServer fake;
    fake.add_token(kToken, "alice");
    const std::string id = fake.seed_gist({{"owner", "alice"}, {"files", {{"README.md", "x"}}}});
    ccu::test::Sandbox sb;
    sb.set("CCU_GITHUB_API_URL", fake.api_url());
    sb.unset("CCU_GITHUB_TOKEN");
    sb.unset("GITHUB_TOKEN");
    REQUIRE(ccu::test::run_process({ccu::test::ccu_binary(), "gist", "set-token", "--store", "file"}, sb.vars(),
                                   kToken + "\n")
                .exit_code == 0);
    // Keep what set-token wrote (where the token is stored), add the gist.
    const fs::path config = sb.config_dir() / "ccu" / "config.json";
    nlohmann::json cfg = fs::exists(config) ? nlohmann::json::parse(slurp(config)) : nlohmann::json::object();
    cfg.update({{"gist_id", id}, {"machine_name", "box"}, {"machine_id", ccu::make_uuid_v4()}});
    ccu::write_file_atomically(config, cfg.dump());
    fake.add_fault({{"method", "GET"}, {"path_regex", "^/gists/"}, {"action", "delay"}, {"delay_ms", 1500}});
    // Started with an unlimited core size: ccu itself must lower it.
    ccu::test::BackgroundProcess child({"/usr/bin/prlimit", "--core=unlimited", ccu::test::ccu_binary(), "gist", "pull"},
                                       sb.vars());
    for (int i = 0; i < 500 && !fake.control("GET", "/_fake/faults")["faults"].empty(); ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    const fs::path proc = "/proc/" + std::to_string(child.pid());
    const std::string limits = slurp(proc / "limits");
    const std::string cmdline = slurp(proc / "cmdline");
    const std::string env_block = slurp(proc / "environ");
    CHECK(child.wait() == 0);
    INFO(limits);
    const auto at = limits.find("Max core file size");
    REQUIRE(at != std::string::npos);
    std::istringstream line(limits.substr(at + 18, limits.find('\n', at) - at - 18));
    std::string soft, hard;
    line >> soft >> hard;
    CHECK(soft == "0");
    CHECK(hard == "0");
    CHECK(cmdline.find(kToken) == std::string::npos);
    CHECK(env_block.find(kToken) == std::string::npos);
}
