// Crashes and a hostile local disk: kill -9 at random points of push and pull (windows widened
// with the fake's delay faults), the file size limit hit while writing the store, a damaged
// store file. Afterwards the store passes PRAGMA integrity_check, nothing is lost or doubled,
// the gist converges, and ~/.claude is untouched (E2eMachine checks it after every command).
// REST transport; the same scenario applies to a git transport through E2eMachine.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <iostream>
#include <random>
#include <thread>

#include "hostile_fixture.hpp"

using namespace ccu;
using namespace ccu::test;
using nlohmann::json;

namespace {

std::string integrity(const WatchedMachine& m) {
    SQLite::Database db((m.sandbox.data_dir() / "ccu.db").string(), SQLite::OPEN_READWRITE);
    return db.execAndGet("PRAGMA integrity_check").getString();
}

// machine -> "session/uuid" of every record in the gist's data files, counting repeats.
std::map<std::string, std::multiset<std::string>> gist_records(FakeGistServer& fake, const std::string& id) {
    std::map<std::string, std::multiset<std::string>> out;
    const json state = fake.state();
    for (const auto& [name, content] : state["gists"][id]["files"].items()) {
        if (name.rfind("usage_data_", 0) != 0 || name.find("_backup_") != std::string::npos) continue;
        const json file = json::parse(content.get<std::string>());
        for (const auto& r : file["records"]) {
            out[file["machine_name"]].insert(r["session_id"].get<std::string>() + "/" + r["message_uuid"].get<std::string>());
        }
    }
    return out;
}

std::multiset<std::string> own_records(const WatchedMachine& m) {
    const auto rows = m.strings("SELECT session_id || '/' || message_uuid FROM records WHERE machine_name = '" + m.name + "'");
    return {rows.begin(), rows.end()};
}

std::uint64_t seed_of_round(int round) { return 0x5851F42D4C957F2DULL * static_cast<std::uint64_t>(round + 3); }

ClaudeTreeSpec tiny(std::uint64_t seed) {
    ClaudeTreeSpec spec;
    spec.total_bytes = 4 * 1024;
    spec.projects = 1;
    spec.sessions_per_project = 1;
    spec.seed = seed;
    spec.days = 2;
    return spec;
}

}  // namespace

TEST_CASE("kill -9 at random points of 100 pushes and pulls: the store stays sound and the gist converges",
          "[e2e][crash]") {
    E2eGist g;
    WatchedMachine a(g.fake, g.gist_id, "laptop");
    WatchedMachine b(g.fake, g.gist_id, "desktop");
    WatchedMachine* machines[] = {&a, &b};
    std::mt19937 rng(4242);
    int kills = 0, finished = 0, iteration = 0;
    long typical_ms[2] = {400, 400};  // push, pull
    for (; kills < 100 && iteration < 250; ++iteration) {
        WatchedMachine& m = *machines[iteration % 2];
        if (iteration % 6 < 2) {
            generate_claude_tree(m.sandbox.projects_dir() / ("i" + std::to_string(iteration)),
                                 tiny(0x9E3779B97F4A7C1ULL * static_cast<std::uint64_t>(iteration + 7)));
        }
        // Widen the windows: the next GET and PATCH take 0-200 ms longer.
        for (const char* method : {"GET", "PATCH"}) {
            g.fake.add_fault({{"method", method}, {"path_regex", "^/gists/"}, {"action", "delay"},
                              {"delay_ms", static_cast<int>(rng() % 200)}});
        }
        const bool pull = rng() % 3 == 0;
        const char* op = pull ? "pull" : "push";
        // Kill at a uniform point of a window that tracks how long a run of this kind lasts: it
        // grows after each kill and drops to the elapsed time when a run finished first. A fixed
        // window would miss most runs on a fast machine and kill only startups on a slow one.
        auto& typical = typical_ms[pull ? 1 : 0];
        const auto started = std::chrono::steady_clock::now();
        BackgroundProcess child({ccu_binary(), "gist", op, "--quiet"}, m.sandbox.vars());
        std::this_thread::sleep_for(std::chrono::milliseconds(rng() % std::max<long>(20, typical * 9 / 10)));
        child.kill(SIGKILL);
        const int code = child.wait();
        if (code == 128 + SIGKILL) {
            ++kills;
            typical += typical / 8;
        } else {
            typical = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started)
                          .count();
            ++finished;
            INFO("iteration " << iteration << " " << op << " exit " << code);
            CHECK((code == 0 || code == 5));  // a finished run succeeded or reported a conflict
        }
        g.fake.control("DELETE", "/_fake/faults");
    }
    std::cout << "crash: " << kills << " runs killed by SIGKILL, " << finished << " finished first, " << iteration
              << " runs; kill windows at the end " << typical_ms[0] << " ms (push), " << typical_ms[1] << " ms (pull)\n";
    REQUIRE(kills >= 100);
    for (WatchedMachine* m : machines) {
        CHECK(integrity(*m) == "ok");
        const ProcessResult pushed = m->ccu({"gist", "push"});
        INFO(pushed.err);
        CHECK(pushed.exit_code == 0);
    }
    for (WatchedMachine* m : machines) CHECK(m->ccu({"gist", "pull", "--quiet"}).exit_code == 0);
    const auto remote = gist_records(g.fake, g.gist_id);
    for (WatchedMachine* m : machines) {
        CHECK(integrity(*m) == "ok");
        const auto local = own_records(*m);
        CHECK(!local.empty());
        CHECK(remote.at(m->name) == local);  // every record exactly once (multisets)
    }
    WatchedMachine fresh(g.fake, g.gist_id, "fresh");
    REQUIRE(fresh.ccu({"gist", "pull"}).exit_code == 0);
    CHECK(fresh.count_records("laptop") == static_cast<std::int64_t>(own_records(a).size()));
    CHECK(fresh.count_records("desktop") == static_cast<std::int64_t>(own_records(b).size()));
}

TEST_CASE("the file size limit hit while writing the store: a clear error naming the file, nothing half-applied",
          "[e2e][crash]") {
    E2eGist g;
    WatchedMachine a(g.fake, g.gist_id, "laptop");
    ClaudeTreeSpec spec;
    spec.total_bytes = 2 * 1024 * 1024;
    spec.seed = 77;
    const ClaudeTreeTruth truth = generate_claude_tree(a.sandbox.projects_dir(), spec);
    // RLIMIT_FSIZE: writes past 64 KiB fail with EFBIG, as on a full disk.
    const ProcessResult full =
        a.run_watching_claude_dir({"/usr/bin/prlimit", "--fsize=65536", ccu_binary(), "scan"});
    INFO(full.out << full.err);
    CHECK(full.exit_code == 1);
    CHECK(full.err.find("ccu: error:") != std::string::npos);
    CHECK(full.err.find((a.sandbox.data_dir() / "ccu.db").string()) != std::string::npos);
    CHECK(full.err.find("free disk space") != std::string::npos);
    CHECK(a.count_records("laptop") == 0);  // the scan's one transaction was rolled back
    const ProcessResult scan = a.ccu({"scan"});
    INFO(scan.err);
    REQUIRE(scan.exit_code == 0);
    CHECK(integrity(a) == "ok");
    CHECK(a.count_records("laptop") == static_cast<std::int64_t>(truth.records));
}

TEST_CASE("a damaged store file: each command names the file and how to rebuild it", "[e2e][crash]") {
    E2eGist g;
    WatchedMachine a(g.fake, g.gist_id, "laptop");
    a.generate(91);
    REQUIRE(a.ccu({"scan"}).exit_code == 0);
    const fs::path db = a.sandbox.data_dir() / "ccu.db";
    {
        std::string garbage(8192, '\0');
        for (std::size_t i = 0; i < garbage.size(); ++i) garbage[i] = static_cast<char>((i * 131) % 251);
        write_file_atomically(db, garbage);
    }
    const std::vector<std::vector<std::string>> commands = {{"report", "daily"}, {"scan"}, {"gist", "push"}};
    for (const auto& args : commands) {
        const ProcessResult r = a.ccu(args);
        INFO(args.front() << ": " << r.err);
        CHECK(r.exit_code == 1);
        CHECK(r.err.find(db.string()) != std::string::npos);
        CHECK(r.err.find("ccu.db.broken") != std::string::npos);
    }
    CHECK(g.count("PATCH") == 0);
}

TEST_CASE("a read-only data dir: scan names the dir and the fix, the store keeps what it had", "[e2e][crash]") {
    E2eGist g;
    WatchedMachine a(g.fake, g.gist_id, "laptop");
    a.generate(seed_of_round(1));
    REQUIRE(a.ccu({"scan"}).exit_code == 0);
    const std::int64_t before = a.count_records("laptop");
    a.generate(seed_of_round(2), "later");
    std::vector<std::string> argv{ccu_binary(), "scan"};
    if (::geteuid() == 0) {
        // root writes through any mode bits: run ccu as nobody over a tree nobody owns.
        for (const auto& e : fs::recursive_directory_iterator(a.sandbox.root())) {
            REQUIRE(::lchown(e.path().c_str(), 65534, 65534) == 0);
        }
        REQUIRE(::chown(a.sandbox.root().c_str(), 65534, 65534) == 0);
        argv.insert(argv.begin(), {"/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"});
    }
    fs::permissions(a.sandbox.data_dir(), fs::perms::owner_read | fs::perms::owner_exec);
    fs::permissions(a.sandbox.data_dir() / "ccu.db", fs::perms::owner_read);
    a.home_before = snapshot_tree(a.sandbox.home());
    const ProcessResult r = a.run_watching_claude_dir(argv);
    INFO(r.out << r.err);
    CHECK(r.exit_code == 1);
    CHECK(r.err.find(a.sandbox.data_dir().string()) != std::string::npos);
    CHECK(r.err.find("writable") != std::string::npos);
    fs::permissions(a.sandbox.data_dir(), fs::perms::owner_all);
    fs::permissions(a.sandbox.data_dir() / "ccu.db", fs::perms::owner_read | fs::perms::owner_write);
    CHECK(a.count_records("laptop") == before);
    CHECK(a.changes_outside_data_dir().empty());
}
