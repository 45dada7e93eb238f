// Crashes and a hostile local disk: kill -9 at random points of push and pull (windows widened
// with the fake's delay faults), the file size limit hit while writing the store, a damaged
// store file. Afterwards the store passes PRAGMA integrity_check, nothing is lost or doubled,
// the gist converges, and ~/.claude is untouched (E2eMachine checks it after every command).
// The kills run over REST and over git (one body, one TEST_CASE per transport); over git a mirror
// left half-written by a kill (a stale ref lock, a temporary pack) is repaired by the next run.
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

std::multiset<std::string> own_records(const WatchedMachine& m) {
    const auto rows = m.strings("SELECT session_id || '/' || message_uuid FROM records WHERE machine_name = '" + m.name + "'");
    return {rows.begin(), rows.end()};
}

std::uint64_t seed_of_round(int round) { return 0x5851F42D4C957F2DULL * static_cast<std::uint64_t>(round + 3); }

// Files a killed run can leave in a git mirror (src/git/mirror.cpp, clear_leftovers): lock files
// and temporary packs or objects.
std::vector<std::string> mirror_leftovers(const fs::path& mirror) {
    std::vector<std::string> out;
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(mirror, ec); !ec && it != fs::recursive_directory_iterator();
         it.increment(ec)) {
        const std::string name = it->path().filename().string();
        const bool lock = name.size() > 5 && name.substr(name.size() - 5) == ".lock";
        if (it->is_regular_file(ec) && (lock || name.find("_git2_") != std::string::npos || name.rfind("tmp_", 0) == 0)) {
            out.push_back(it->path().string());
        }
    }
    return out;
}

// `git fsck --full` of a mirror (Debian's git, as the fake server uses): "" when sound.
std::string fsck(const WatchedMachine& m, const fs::path& mirror) {
    const ProcessResult r =
        run_process({"/usr/bin/git", "--git-dir=" + mirror.string(), "fsck", "--full", "--no-dangling"}, m.sandbox.vars());
    return r.exit_code == 0 ? std::string() : "exit " + std::to_string(r.exit_code) + ": " + r.out + r.err;
}

// The faults that widen the kill windows: the next read and write of the transport take 0-200 ms
// longer (over git: the ref advertisement, the fetch and the push).
void widen_windows(FakeGistServer& fake, Transport transport, std::mt19937& rng) {
    if (transport == Transport::Rest) {
        for (const char* method : {"GET", "PATCH"}) {
            fake.add_fault({{"method", method}, {"path_regex", "^/gists/"}, {"action", "delay"},
                            {"delay_ms", static_cast<int>(rng() % 200)}});
        }
        return;
    }
    // The fetch's pack arrives in two halves with the pause between them: a kill there leaves
    // half a pack in the mirror.
    const char* routes[][3] = {{"GET", "info/refs", "delay"}, {"POST", "git-upload-pack", "stall_body"},
                               {"POST", "git-receive-pack", "delay"}};
    for (const auto& [method, path, action] : routes) {
        fake.add_fault({{"method", method}, {"path_regex", path}, {"action", action}, {"port", "git"},
                        {"delay_ms", static_cast<int>(rng() % 200)}});
    }
}

void kill_runs(Transport transport) {
    E2eGist g;
    WatchedMachine a(g.fake, g.gist_id, "laptop", transport);
    WatchedMachine b(g.fake, g.gist_id, "desktop", transport);
    WatchedMachine* machines[] = {&a, &b};
    std::mt19937 rng(4242);
    int kills = 0, finished = 0, iteration = 0, half_written = 0;
    long typical_ms[2] = {400, 400};  // push, pull
    for (; kills < 100 && iteration < 250; ++iteration) {
        WatchedMachine& m = *machines[iteration % 2];
        if (iteration % 6 < 2) {
            generate_claude_tree(m.sandbox.projects_dir() / ("i" + std::to_string(iteration)),
                                 small_tree_spec(4 * 1024, 2, 0x9E3779B97F4A7C1ULL * static_cast<std::uint64_t>(iteration + 7)));
        }
        widen_windows(g.fake, transport, rng);
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
            if (transport == Transport::Git && !mirror_leftovers(m.mirror_dir(g.gist_id)).empty()) ++half_written;
        } else {
            typical = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started)
                          .count();
            ++finished;
            INFO("iteration " << iteration << " " << op << " exit " << code);
            CHECK((code == 0 || code == 5));  // a finished run succeeded or reported a conflict
        }
        g.fake.control("DELETE", "/_fake/faults");
    }
    std::cout << "crash over " << transport_name(transport) << ": " << kills << " runs killed by SIGKILL, " << finished
              << " finished first, " << iteration << " runs"
              << (transport == Transport::Git ? ", " + std::to_string(half_written) + " kills left a half-written mirror" : "")
              << "; kill windows at the end " << typical_ms[0] << " ms (push), " << typical_ms[1] << " ms (pull)\n";
    REQUIRE(kills >= 100);
    for (WatchedMachine* m : machines) {
        CHECK(integrity(*m) == "ok");
        const ProcessResult pushed = m->ccu({"gist", "push"});
        INFO(pushed.err);
        CHECK(pushed.exit_code == 0);
    }
    for (WatchedMachine* m : machines) CHECK(m->ccu({"gist", "pull", "--quiet"}).exit_code == 0);
    const auto remote = gist_record_keys(g.fake, g.gist_id);
    for (WatchedMachine* m : machines) {
        CHECK(integrity(*m) == "ok");
        const auto local = own_records(*m);
        CHECK(!local.empty());
        CHECK(remote.at(m->name) == local);  // every record exactly once (multisets)
        if (transport == Transport::Git) {
            CHECK(mirror_leftovers(m->mirror_dir(g.gist_id)).empty());
            CHECK(fsck(*m, m->mirror_dir(g.gist_id)).empty());
        }
    }
    WatchedMachine fresh(g.fake, g.gist_id, "fresh", transport);
    REQUIRE(fresh.ccu({"gist", "pull"}).exit_code == 0);
    CHECK(fresh.count_records("laptop") == static_cast<std::int64_t>(own_records(a).size()));
    CHECK(fresh.count_records("desktop") == static_cast<std::int64_t>(own_records(b).size()));
}

}  // namespace

TEST_CASE("kill -9 at random points of 100 pushes and pulls over REST: the store stays sound and the gist converges",
          "[e2e][crash]") {
    kill_runs(Transport::Rest);
}

TEST_CASE("kill -9 at random points of 100 pushes and pulls over git: the store and the mirror stay sound, the gist "
          "converges",
          "[e2e][crash][git]") {
    kill_runs(Transport::Git);
}

TEST_CASE("a git mirror left half-written is repaired by the next run: stale ref locks, temporary and cut packs",
          "[e2e][crash][git]") {
    E2eGist g;
    WatchedMachine a(g.fake, g.gist_id, "laptop", Transport::Git);
    WatchedMachine b(g.fake, g.gist_id, "desktop", Transport::Git);
    a.generate(seed_of_round(3));
    b.generate(seed_of_round(4));
    REQUIRE(a.ccu({"gist", "push", "--quiet"}).exit_code == 0);
    REQUIRE(b.ccu({"gist", "push", "--quiet"}).exit_code == 0);
    REQUIRE(a.ccu({"gist", "pull", "--quiet"}).exit_code == 0);
    const fs::path mirror = a.mirror_dir(g.gist_id);
    REQUIRE(fsck(a, mirror).empty());
    const std::int64_t desktop_records = a.count_records("desktop");
    REQUIRE(desktop_records > 0);
    // What a kill leaves: the lock of a ref update (libgit2 refuses to update a locked ref), a
    // fetch's temporary pack, a temporary loose object.
    SECTION("stale ref locks and temporary files") {
        std::vector<fs::path> refs;
        for (const auto& e : fs::recursive_directory_iterator(mirror / "refs")) {
            if (e.is_regular_file()) refs.push_back(e.path());
        }
        REQUIRE(!refs.empty());
        for (const auto& ref : refs) write_file_atomically(ref.string() + ".lock", "0000\n");
        write_file_atomically(mirror / "HEAD.lock", "ref: refs/heads/mas");
        write_file_atomically(mirror / "objects" / "pack" / "pack_git2_a1b2c3", std::string(3000, 'P'));
        REQUIRE(mirror_leftovers(mirror).size() >= 3);
    }
    SECTION("every pack cut in half") {
        for (const auto& e : fs::directory_iterator(mirror / "objects" / "pack")) {
            if (e.path().extension() != ".pack") continue;
            fs::resize_file(e.path(), fs::file_size(e.path()) / 2);
        }
        REQUIRE(!fsck(a, mirror).empty());
    }
    a.generate(seed_of_round(5), "later");
    b.generate(seed_of_round(6), "later");
    REQUIRE(b.ccu({"gist", "push", "--quiet"}).exit_code == 0);
    const ProcessResult pushed = a.ccu({"gist", "push"});
    INFO(pushed.err);
    CHECK(pushed.exit_code == 0);
    const ProcessResult pulled = a.ccu({"gist", "pull"});
    INFO(pulled.err);
    CHECK(pulled.exit_code == 0);
    CHECK(fsck(a, mirror).empty());
    CHECK(mirror_leftovers(mirror).empty());
    CHECK(integrity(a) == "ok");
    CHECK(a.count_records("desktop") == b.count_records("desktop"));
    CHECK(a.count_records("desktop") > desktop_records);
    const auto remote = gist_record_keys(g.fake, g.gist_id);
    CHECK(remote.at("laptop") == own_records(a));
}

TEST_CASE("the file size limit hit while writing the git mirror: a clear error naming the mirror, nothing imported",
          "[e2e][crash][git]") {
    E2eGist g;
    // A gist that also holds 2 MiB of random letters (~1.2 MB deflated): its pack is far larger
    // than the store (~0.4 MB with 16 KiB pages).
    std::mt19937 rng(78);
    std::string noise(2 * 1024 * 1024, ' ');
    for (char& c : noise) c = static_cast<char>('a' + rng() % 26);
    const std::string id = g.fake.seed_gist({{"owner", "alice"}, {"description", "ccu usage"}, {"public", false},
                                             {"files", {{"README.md", "ccu usage data"}, {"notes.txt", noise}}}});
    WatchedMachine a(g.fake, id, "laptop", Transport::Git);
    WatchedMachine b(g.fake, id, "desktop", Transport::Git);
    b.generate(seed_of_round(7));
    REQUIRE(b.ccu({"gist", "push", "--quiet"}).exit_code == 0);
    REQUIRE(a.ccu({"scan"}).exit_code == 0);  // the store exists and stays under the limit
    const std::uint64_t limit = fs::file_size(a.sandbox.data_dir() / "ccu.db") + 128 * 1024;
    // RLIMIT_FSIZE: writes past the limit fail with EFBIG, as on a full disk; the fetched pack is larger.
    const ProcessResult full = a.run_watching_claude_dir(
        {"/usr/bin/prlimit", "--fsize=" + std::to_string(limit), ccu_binary(), "gist", "pull"});
    INFO(full.out << full.err);
    CHECK(full.exit_code == 1);
    CHECK(full.err.find("ccu: error: cannot write the git mirror " + a.mirror_dir(id).string()) != std::string::npos);
    CHECK(full.err.find("free disk space") != std::string::npos);
    CHECK(full.err.find("network") == std::string::npos);  // not mistaken for a failed transfer
    CHECK(a.count_records("desktop") == 0);
    const ProcessResult pulled = a.ccu({"gist", "pull"});
    INFO(pulled.err);
    REQUIRE(pulled.exit_code == 0);
    CHECK(integrity(a) == "ok");
    CHECK(a.count_records("desktop") == b.count_records("desktop"));
    CHECK(a.count_records("desktop") > 0);
    CHECK(fsck(a, a.mirror_dir(id)).empty());
    std::uintmax_t largest = 0;
    for (const auto& e : fs::recursive_directory_iterator(a.mirror_dir(id))) {
        if (e.is_regular_file()) largest = std::max(largest, e.file_size());
    }
    CHECK(largest > limit);  // the limit did fall inside the mirror's write
    CHECK(a.changes_outside_data_dir().empty());
}

TEST_CASE("the file size limit hit while writing the store: a clear error naming the file, nothing half-applied",
          "[e2e][crash]") {
    E2eGist g;
    WatchedMachine a(g.fake, g.gist_id, "laptop");
    ClaudeTreeSpec spec;
    spec.total_bytes = 8 * 1024 * 1024;
    spec.seed = 77;
    const ClaudeTreeTruth truth = generate_claude_tree(a.sandbox.projects_dir(), spec);
    // RLIMIT_FSIZE: writes past 64 KiB more than an empty store (the schema, created in one
    // transaction, a page per table) fail with EFBIG, as on a full disk: the scan's records are
    // what does not fit.
    WatchedMachine empty(g.fake, g.gist_id, "empty");
    REQUIRE(empty.ccu({"scan"}).exit_code == 0);
    const std::uint64_t limit = fs::file_size(empty.sandbox.data_dir() / "ccu.db") + 64 * 1024;
    const ProcessResult full =
        a.run_watching_claude_dir({"/usr/bin/prlimit", "--fsize=" + std::to_string(limit), ccu_binary(), "scan"});
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
    CHECK(fs::file_size(a.sandbox.data_dir() / "ccu.db") > limit);  // the limit did fall inside the scan's write
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
