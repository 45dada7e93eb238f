// The mirror's size bound (issue #7: "after a simulated year of 48 pushes a day the mirror stays
// within 3x the size of the gist's current data"). What runs is ccu's own push: SyncManager over
// GitRemoteStore over git::Mirror (fetch, in-memory commit, non-forced push, repack), one machine,
// an injected clock advanced 24 h / PUSHES_PER_DAY between pushes (so daily backups, retention and
// sealing happen as in a real year). What differs from the field: the remote is the fake gist's
// bare repository reached through libgit2's local transport (file://) instead of smart HTTP, which
// moves the same objects without 17,520 HTTP round trips through git-http-backend, and the bench
// repacks that repository once a simulated day (git repack --geometric=2, not timed). Prints, every
// REPORT_DAYS days and at the end: the gist's files and bytes at the head, the mirror's bytes on
// disk, their ratio (and the largest ratio seen at any day's end), seconds per push. Not a test.
//   bench_mirror_year [days=365] [pushes_per_day=48] [min_records=2] [max_records=20] [report_days=30]
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <random>
#include <string>

#include "ccu/sync/git_remote_store.hpp"
#include "unit/sync/sync_fixture.hpp"

using namespace ccu;
using namespace ccu::test;

namespace {

struct GistSize {
    std::size_t files = 0;
    std::uint64_t bytes = 0;
};

GistSize gist_size(sync::RemoteStore& remote) {
    sync::LoadResult loaded = remote.load(std::nullopt);
    GistSize size;
    for (const auto& name : loaded.snapshot->file_names()) {
        ++size.files;
        size.bytes += static_cast<std::uint64_t>(loaded.snapshot->size(name));
    }
    return size;
}

double cpu_seconds() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
           static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

int pack_count(const std::filesystem::path& mirror) {
    int n = 0;
    std::error_code ec;
    for (const auto& f : std::filesystem::directory_iterator(mirror / "objects" / "pack", ec)) {
        n += f.path().extension() == ".pack";
    }
    return n;
}

int arg(int argc, char** argv, int i, int fallback) { return argc > i ? std::atoi(argv[i]) : fallback; }

}  // namespace

int main(int argc, char** argv) {
    const int days = arg(argc, argv, 1, 365);
    const int per_day = arg(argc, argv, 2, 48);
    const int min_records = arg(argc, argv, 3, 2);
    const int max_records = arg(argc, argv, 4, 20);
    const int report_days = arg(argc, argv, 5, 30);

    FakeFixture fx;
    const std::string repo = fx.fake.state()["gists"][fx.gist_id]["repo"].get<std::string>();
    SimMachine m(fx.fake, fx.gist_id, "m0", fx.clock);
    git::MirrorOptions o;
    o.dir = sync::git_mirror_dir(m.paths.data_dir, fx.gist_id);
    const std::filesystem::path o_dir = o.dir;
    o.url = "file://" + repo;
    o.token = [] { return kToken; };
    o.identity = {m.config.machine_name, "bench@ccu.invalid"};
    o.clock = &fx.clock;
    auto store = std::make_unique<sync::GitRemoteStore>(std::move(o));
    const sync::GitRemoteStore& git_store = *store;
    m.remote = std::move(store);

    std::mt19937 rng(7);
    std::uniform_int_distribution<int> batch(min_records, max_records);
    std::printf("one machine, %d pushes a day of %d-%d new records, %d days, remote %s (local transport)\n", per_day,
                min_records, max_records, days, repo.c_str());
    std::printf("%5s %8s %9s %7s %11s %11s %7s %9s %8s %8s %8s %6s\n", "day", "pushes", "records", "files", "gist kB",
                "mirror kB", "ratio", "max ratio", "s/push", "cpu s", "max cpu", "packs");
    int next = 0, pushes = 0;
    double worst = 0, seconds = 0, cpu = 0, max_cpu = 0;
    int window_pushes = 0;
    const auto step = std::chrono::minutes(24 * 60 / per_day);
    for (int d = 1; d <= days; ++d) {
        for (int p = 0; p < per_day; ++p) {
            fx.clock.advance(step);
            const int n = batch(rng);
            m.add_records(next, next + n);
            next += n;
            const auto t0 = std::chrono::steady_clock::now();
            const double cpu0 = cpu_seconds();
            m.manager().push(sync::ConflictMode::Detect);
            const double spent = cpu_seconds() - cpu0;
            cpu += spent;
            max_cpu = std::max(max_cpu, spent);
            seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
            ++pushes;
            ++window_pushes;
        }
        // The fake's bare repository takes one pack a push through the local transport, and
        // libgit2 opens it in this process on every push: without this the bench measured 4,000
        // packs of the fake side by day 85, not ccu (GitHub keeps its own repositories packed).
        // Not timed.
        const std::string repack = "git -C '" + repo + "' repack -d -q --geometric=2";
        if (std::system(repack.c_str()) != 0) std::fprintf(stderr, "repacking the fake's repository failed\n");
        const GistSize gist = gist_size(*m.remote);
        const double mirror = static_cast<double>(git_store.mirror().disk_bytes());
        const double ratio = mirror / static_cast<double>(gist.bytes);
        worst = std::max(worst, ratio);
        if (d % report_days == 0 || d == days) {
            std::printf("%5d %8d %9d %7zu %11.1f %11.1f %7.2f %9.2f %8.3f %8.3f %8.3f %6d\n", d, pushes, next,
                        gist.files, static_cast<double>(gist.bytes) / 1024, mirror / 1024, ratio, worst,
                        seconds / window_pushes, cpu / window_pushes, max_cpu, pack_count(o_dir));
            std::fflush(stdout);
            seconds = 0;
            cpu = 0;
            max_cpu = 0;
            window_pushes = 0;
        }
    }
    return 0;
}
