// The REST half of bench/sync_month.cpp, ported to the sync code before issue #7 (commit 8838cf0:
// SyncManager pushes over GistApi directly, 4 MiB current files, every file of the gist read back
// after a write, its own files downloaded again). Not built in this tree: bench/rest_before.sh
// exports 8838cf0 to a scratch dir, copies this file into that tree's bench/ and builds it there
// (Release) against that tree's libraries and its tests/unit/sync/sync_fixture.hpp.
// The simulated month is bench/sync_month.cpp's: ManualClock, 4 pushes a machine a day, 100-400
// new records a push (std::mt19937 seed 7, the fixture's make_record), the same per-day columns
// from the fake's request log (bytes_received / bytes_sent: rest_before.sh runs today's fake
// server, which counts whole HTTP messages; 8838cf0's logged no sizes).
//   bench_sync_month_rest_before [machines=2] [days=30]
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "ccu/common/record.hpp"
#include "unit/sync/sync_fixture.hpp"

using namespace ccu;
using namespace ccu::test;

namespace {

struct Cost {
    std::size_t requests = 0;
    std::uint64_t up = 0, down = 0;
};

Cost drain(FakeGistServer& fake) {
    Cost c;
    for (const auto& r : fake.requests()) {
        if (!r.contains("bytes_sent")) {  // 8838cf0's own fake: rest_before.sh installs today's
            std::fprintf(stderr, "the fake's request log has no sizes: run this through bench/rest_before.sh\n");
            std::exit(2);
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

std::uint64_t raw_json_bytes(const std::string& machine, int from, int to) {
    std::uint64_t n = 0;
    for (int i = from; i < to; ++i) n += to_wire_json(make_record(machine, i), std::nullopt).dump().size() + 1;
    return n;
}

void run(int machines, int days) {
    FakeFixture fx;
    std::vector<std::unique_ptr<SimMachine>> ms;
    for (int i = 0; i < machines; ++i) {
        ms.push_back(std::make_unique<SimMachine>(fx.fake, fx.gist_id, "m" + std::to_string(i), fx.clock));
    }
    std::mt19937 rng(7);
    std::uniform_int_distribution<int> batch(100, 400);
    std::vector<int> next(static_cast<std::size_t>(machines), 0);
    std::vector<std::uint64_t> pushed_since(static_cast<std::size_t>(machines), 0);  // others' raw bytes
    std::printf("\nrest before #7 (8838cf0), %d machines, %d days (per push: mean; raw = JSON of the new records)\n",
                machines, days);
    std::printf("%4s %7s %9s %9s %9s %8s %8s %8s %8s %12s %12s\n", "day", "pushes", "requests", "up kB", "down kB",
                "up/raw", "down/oth", "s/push", "cpu s", "noop rq/kB", "idle rq/kB");
    drain(fx.fake);
    for (int d = 0; d < days; ++d) {
        Cost day;
        double seconds = 0, cpu = 0, up_ratio = 0, down_ratio = 0;
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
                m.manager().push(sync::ConflictMode::Detect);
                seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
                cpu += cpu_seconds() - cpu0;
                const Cost c = drain(fx.fake);
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
        std::printf("%4d %7d %9.1f %9.1f %9.1f %8.2f %8.2f %8.2f %8.3f %5zu/%6.1f %5zu/%6.1f\n", d + 1, pushes,
                    static_cast<double>(day.requests) / pushes, static_cast<double>(day.up) / pushes / 1024,
                    static_cast<double>(day.down) / pushes / 1024, up_ratio / pushes,
                    down_samples ? down_ratio / down_samples : 0.0, seconds / pushes, cpu / pushes, noop.requests,
                    static_cast<double>(noop.up + noop.down) / 1024, idle.requests,
                    static_cast<double>(idle.up + idle.down) / 1024);
        std::fflush(stdout);
    }
    const nlohmann::json state = fx.fake.state();
    std::uint64_t gist_bytes = 0;
    for (const auto& [file, content] : state["gists"][fx.gist_id]["files"].items()) {
        gist_bytes += content.get<std::string>().size();
    }
    std::printf("end: gist %zu files, %.1f kB\n", state["gists"][fx.gist_id]["files"].size(),
                static_cast<double>(gist_bytes) / 1024);
}

}  // namespace

int main(int argc, char** argv) {
    const int machines = argc > 1 ? std::atoi(argv[1]) : 2;
    const int days = argc > 2 ? std::atoi(argv[2]) : 30;
    run(machines, days);
    return 0;
}
