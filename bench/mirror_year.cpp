// The mirror's size bound (issue #7: "after a simulated year of 48 pushes a day the mirror stays
// within 3x the size of the gist's current data"). What runs is ccu's own push: SyncManager over
// GitRemoteStore over git::Mirror (fetch, in-memory commit, non-forced push, repack), one machine,
// an injected clock advanced 24 h / PUSHES_PER_DAY between pushes (so daily backups, retention and
// sealing happen as in a real year). What differs from the field: the remote is the fake gist's
// bare repository reached through libgit2's local transport (file://) instead of smart HTTP, which
// moves the same objects without 17,520 HTTP round trips through git-http-backend. Prints, every
// REPORT_DAYS days and at the end: the gist's files and bytes at the head, the mirror's bytes on
// disk, their ratio (and the largest ratio seen at any day's end), seconds per push. Not a test.
//   bench_mirror_year [days=365] [pushes_per_day=48] [min_records=2] [max_records=20] [report_days=30]
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
    std::printf("%5s %8s %9s %7s %11s %11s %7s %9s %8s\n", "day", "pushes", "records", "files", "gist kB",
                "mirror kB", "ratio", "max ratio", "s/push");
    int next = 0, pushes = 0;
    double worst = 0, seconds = 0;
    int window_pushes = 0;
    const auto step = std::chrono::minutes(24 * 60 / per_day);
    for (int d = 1; d <= days; ++d) {
        for (int p = 0; p < per_day; ++p) {
            fx.clock.advance(step);
            const int n = batch(rng);
            m.add_records(next, next + n);
            next += n;
            const auto t0 = std::chrono::steady_clock::now();
            m.manager().push(sync::ConflictMode::Detect);
            seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
            ++pushes;
            ++window_pushes;
        }
        const GistSize gist = gist_size(*m.remote);
        const double mirror = static_cast<double>(git_store.mirror().disk_bytes());
        const double ratio = mirror / static_cast<double>(gist.bytes);
        worst = std::max(worst, ratio);
        if (d % report_days == 0 || d == days) {
            std::printf("%5d %8d %9d %7zu %11.1f %11.1f %7.2f %9.2f %8.3f\n", d, pushes, next, gist.files,
                        static_cast<double>(gist.bytes) / 1024, mirror / 1024, ratio, worst,
                        seconds / window_pushes);
            std::fflush(stdout);
            seconds = 0;
            window_pushes = 0;
        }
    }
    return 0;
}
