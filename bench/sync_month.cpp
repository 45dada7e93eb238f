// A simulated month of sync (issue #7 item 7): N machines, 4 pushes a machine a day, 100-400 new
// records a push, against the fake Gist server with an injected clock. Per push it reads the
// fake's request log: requests, bytes up, bytes down (whole HTTP messages, git included), seconds
// (wall clock, which includes the fake server's work and the machine's load) and ccu's own CPU
// seconds (this process: the sync code, libgit2, libcurl), the day's mean and its largest push. Prints a table per day and transport;
// not a test. REST "before" (the algorithm before issue #7: 4 MiB current files, every file read
// back) is no longer in the code: bench/rest_before.sh builds the same month against commit 8838cf0
// (bench/legacy/sync_month_rest_before.cpp).
//   bench_sync_month [machines=2] [days=30] [transport=both|git|rest] [keep=DIR]
// keep=DIR copies the gist's bare repository (its whole history: one commit a push) to DIR at the
// end, for bench/push_objects.py, which sizes what each push added by object kind, and machine
// 0's mirror to DIR-mirror-m0 (its packs: `git verify-pack -v` shows their delta chains).
// Profiling late pushes without a profile of the whole month: with CCU_BENCH_PERF_CTL=CTL,ACK
// (the fifos of `perf record --control=fifo:CTL,ACK -D -1`) and CCU_BENCH_PERF_DAY=N, perf is
// enabled around each push of day N and later only (not the no-op pushes, not the bench's own work).
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "ccu/common/record.hpp"
#include "ccu/sync/git_remote_store.hpp"
#include "unit/sync/sync_fixture.hpp"

using namespace ccu;
using namespace ccu::test;

namespace {

struct Cost {
    std::size_t requests = 0;
    std::uint64_t up = 0, down = 0;
};

Cost drain(FakeGistServer& fake, bool show = false) {
    Cost c;
    for (const auto& r : fake.requests()) {
        if (show) {
            std::printf("    %s %s: up %llu, down %llu\n", r.value("method", "").c_str(), r.value("path", "").c_str(),
                        r.value("bytes_received", 0ULL), r.value("bytes_sent", 0ULL));
        }
        ++c.requests;
        c.up += r.value("bytes_received", 0ULL);
        c.down += r.value("bytes_sent", 0ULL);
    }
    fake.control("DELETE", "/_fake/requests");
    return c;
}

double cpu_seconds() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
           static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

// perf's control fifos (see the header comment); inactive without the environment variables.
class PerfControl {
public:
    PerfControl() {
        const char* ctl = std::getenv("CCU_BENCH_PERF_CTL");
        const char* day = std::getenv("CCU_BENCH_PERF_DAY");
        if (ctl == nullptr || day == nullptr) return;
        const std::string both = ctl;
        const auto comma = both.find(',');
        ctl_ = both.substr(0, comma);
        ack_ = comma == std::string::npos ? "" : both.substr(comma + 1);
        from_day_ = std::atoi(day);
    }
    void push_starts(int day) { send(day, "enable"); }
    void push_ends(int day) { send(day, "disable"); }

private:
    void send(int day, const char* command) {
        if (ctl_.empty() || day < from_day_) return;
        std::ofstream(ctl_) << command << '\n' << std::flush;
        if (ack_.empty()) return;
        std::ifstream ack(ack_);
        std::string line;
        std::getline(ack, line);
    }
    std::string ctl_, ack_;
    int from_day_ = 0;
};

std::uint64_t raw_json_bytes(const std::string& machine, int from, int to) {
    std::uint64_t n = 0;
    for (int i = from; i < to; ++i) n += to_wire_json(make_record(machine, i), std::nullopt).dump().size() + 1;
    return n;
}

void run(int machines, int days, sync::Transport transport, const std::string& keep) {
    FakeFixture fx;
    std::vector<std::unique_ptr<SimMachine>> ms;
    for (int i = 0; i < machines; ++i) {
        ms.push_back(std::make_unique<SimMachine>(fx.fake, fx.gist_id, "m" + std::to_string(i), fx.clock));
        // CCU_BENCH_SEAL_BYTES: another sync.seal_bytes than the default, to measure the layout.
        if (const char* seal = std::getenv("CCU_BENCH_SEAL_BYTES")) ms.back()->config.seal_bytes = std::atoll(seal);
        // CCU_BENCH_RETENTION_DAYS: another backup_retention_days than the default (30).
        if (const char* days_kept = std::getenv("CCU_BENCH_RETENTION_DAYS")) {
            ms.back()->config.backup_retention_days = std::atoi(days_kept);
        }
        if (transport == sync::Transport::Git) {
            git::MirrorOptions o;
            o.dir = sync::git_mirror_dir(ms.back()->paths.data_dir, fx.gist_id);
            o.url = fx.fake.git_url(fx.gist_id);
            o.token = [] { return kToken; };
            o.identity = {ms.back()->config.machine_name, "bench@ccu.invalid"};
            o.clock = &fx.clock;
            ms.back()->remote = std::make_unique<sync::GitRemoteStore>(std::move(o));
        }
    }
    PerfControl perf;
    std::mt19937 rng(7);
    std::uniform_int_distribution<int> batch(100, 400);
    std::vector<int> next(static_cast<std::size_t>(machines), 0);
    std::vector<std::uint64_t> pushed_since(static_cast<std::size_t>(machines), 0);  // others' raw bytes
    const char* name = transport == sync::Transport::Git ? "git" : "rest";
    std::printf("\n%s, %d machines, %d days (per push: mean; raw = JSON of the new records)\n", name, machines, days);
    std::printf("%4s %7s %9s %9s %9s %8s %8s %8s %8s %8s %12s %12s\n", "day", "pushes", "requests", "up kB",
                "down kB", "up/raw", "down/oth", "s/push", "cpu s", "max cpu", "noop rq/kB", "idle rq/kB");
    drain(fx.fake);
    for (int d = 0; d < days; ++d) {
        Cost day;
        double seconds = 0, cpu = 0, max_cpu = 0, up_ratio = 0, down_ratio = 0;
        int down_samples = 0, pushes = 0;
        for (int slot = 0; slot < 4; ++slot) {
            for (int i = 0; i < machines; ++i) {
                fx.clock.advance(std::chrono::minutes(360 / machines));
                SimMachine& m = *ms[static_cast<std::size_t>(i)];
                const int n = batch(rng);
                const auto idx = static_cast<std::size_t>(i);
                m.add_records(next[idx], next[idx] + n);
                const std::uint64_t raw = raw_json_bytes(m.config.machine_name, next[idx], next[idx] + n);
                next[idx] += n;
                const auto t0 = std::chrono::steady_clock::now();
                const double cpu0 = cpu_seconds();
                perf.push_starts(d + 1);
                m.manager().push(sync::ConflictMode::Detect);
                perf.push_ends(d + 1);
                seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
                const double spent = cpu_seconds() - cpu0;
                cpu += spent;
                max_cpu = std::max(max_cpu, spent);
                const Cost c = drain(fx.fake, slot == 0 && i == 0 && (d == 1 || d + 1 == days));
                day.requests += c.requests;
                day.up += c.up;
                day.down += c.down;
                up_ratio += static_cast<double>(c.up) / static_cast<double>(raw);
                if (pushed_since[idx] > 0) {
                    down_ratio += static_cast<double>(c.down) / static_cast<double>(pushed_since[idx]);
                    ++down_samples;
                }
                pushed_since[idx] = 0;
                for (std::size_t j = 0; j < ms.size(); ++j) {
                    if (j != idx) pushed_since[j] += raw;
                }
                ++pushes;
            }
        }
        // A push with nothing new on machine 0, after the others wrote (it must read their
        // writes), then again with nobody writing in between (idle).
        ms[0]->manager().push(sync::ConflictMode::Detect);
        const Cost noop = drain(fx.fake);
        ms[0]->manager().push(sync::ConflictMode::Detect);
        const Cost idle = drain(fx.fake);
        std::printf("%4d %7d %9.1f %9.1f %9.1f %8.2f %8.2f %8.2f %8.3f %8.3f %5zu/%6.1f %5zu/%6.1f\n", d + 1, pushes,
                    static_cast<double>(day.requests) / pushes, static_cast<double>(day.up) / pushes / 1024,
                    static_cast<double>(day.down) / pushes / 1024, up_ratio / pushes,
                    down_samples ? down_ratio / down_samples : 0.0, seconds / pushes, cpu / pushes, max_cpu, noop.requests,
                    static_cast<double>(noop.up + noop.down) / 1024, idle.requests,
                    static_cast<double>(idle.up + idle.down) / 1024);
        std::fflush(stdout);
    }
    const nlohmann::json state = fx.fake.state();
    std::uint64_t gist_bytes = 0;
    for (const auto& [file, content] : state["gists"][fx.gist_id]["files"].items()) {
        gist_bytes += content.get<std::string>().size();
    }
    std::printf("end: gist %zu files, %.1f kB", state["gists"][fx.gist_id]["files"].size(),
                static_cast<double>(gist_bytes) / 1024);
    if (transport == sync::Transport::Git) {
        const auto& store = dynamic_cast<const sync::GitRemoteStore&>(*ms[0]->remote);
        std::printf(", mirror of m0 %.1f kB", static_cast<double>(store.mirror().disk_bytes()) / 1024);
    }
    std::printf("\n");
    if (!keep.empty()) {
        const std::string repo = state["gists"][fx.gist_id]["repo"].get<std::string>();
        std::filesystem::remove_all(keep);
        std::filesystem::copy(repo, keep, std::filesystem::copy_options::recursive);
        std::printf("gist repository copied to %s\n", keep.c_str());
        if (transport == sync::Transport::Git) {
            const std::string mirror = keep + "-mirror-m0";
            std::filesystem::remove_all(mirror);
            std::filesystem::copy(sync::git_mirror_dir(ms[0]->paths.data_dir, fx.gist_id), mirror, std::filesystem::copy_options::recursive);
            std::printf("m0's mirror copied to %s\n", mirror.c_str());
        }
    }
}

}  // namespace

int main(int argc, char** argv) {
    const int machines = argc > 1 ? std::atoi(argv[1]) : 2;
    const int days = argc > 2 ? std::atoi(argv[2]) : 30;
    const std::string which = argc > 3 ? argv[3] : "both";
    const std::string keep = argc > 4 ? argv[4] : "";
    if (which != "git") run(machines, days, sync::Transport::Rest, keep);
    if (which != "rest") run(machines, days, sync::Transport::Git, keep);
    return 0;
}
