// bench_ingest: speed and memory of ccu::ingest::scan over a generated Claude tree.
//   bench_ingest [--size-mb 1024] [--dir PROJECTS_DIR] [--files 10000] [--threads N]
//                [--repeat 3] [--daily-json FILE] [--skip-many]
// cold  = first scan (no cursors) with the files already in the page cache;
// warm  = re-scan with the cursors of the cold scan and nothing new;
// many  = re-scan, nothing new, over a tree of --files small files.
// Peak RSS of a cold scan is measured in a forked child (getrusage of that child alone).
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "ccu/ingest/scanner.hpp"
#include "support/claude_tree_generator.hpp"

namespace fs = std::filesystem;

namespace {

struct Options {
    std::uint64_t size_mb = 1024;
    std::string dir;
    int many_files = 10000;
    unsigned threads = 0;
    int repeat = 3;
    std::string daily_json;
    bool skip_many = false;
    bool cold_once = false;  // internal: the exec'd child of cold_scan_in_child
};

struct ColdFigures {
    double ms = 0;
    double cpu_ms = 0;  // user + system time of the scan, all threads
    std::uint64_t bytes = 0, files = 0, records = 0, lines = 0;
    long peak_rss_kb = 0;
};

double cpu_now_ms() {
    struct rusage usage {};
    ::getrusage(RUSAGE_SELF, &usage);
    const auto ms = [](const timeval& tv) { return static_cast<double>(tv.tv_sec) * 1000.0 + static_cast<double>(tv.tv_usec) / 1000.0; };
    return ms(usage.ru_utime) + ms(usage.ru_stime);
}

double now_ms() {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

void ensure_tree(const fs::path& projects, const ccu::test::ClaudeTreeSpec& spec) {
    const fs::path marker = projects.parent_path() / ".complete";
    if (fs::exists(marker)) return;
    fs::remove_all(projects);
    const double start = now_ms();
    const auto truth = ccu::test::generate_claude_tree(projects, spec);
    std::fprintf(stderr, "generated %.1f MB, %llu files, %llu records in %.1f s under %s\n",
                 static_cast<double>(truth.bytes) / 1048576.0, static_cast<unsigned long long>(truth.files),
                 static_cast<unsigned long long>(truth.records), (now_ms() - start) / 1000.0, projects.c_str());
    std::ofstream(marker) << "ok\n";
}

// Reads every file once so the timed scans run from the page cache.
void warm_page_cache(const fs::path& root) {
    std::vector<char> buffer(1 << 20);
    for (const auto& entry : fs::recursive_directory_iterator(root)) {
        if (!entry.is_regular_file()) continue;
        const int fd = ::open(entry.path().c_str(), O_RDONLY);
        if (fd < 0) continue;
        while (::read(fd, buffer.data(), buffer.size()) > 0) {
        }
        ::close(fd);
    }
}

nlohmann::json daily_totals(const std::vector<ccu::UsageRecord>& records) {
    std::map<std::string, std::array<std::int64_t, 5>> days;
    for (const auto& r : records) {
        auto& d = days[r.timestamp.substr(0, 10)];
        d[0] += r.input_tokens;
        d[1] += r.output_tokens;
        d[2] += r.cache_creation_tokens;
        d[3] += r.cache_read_tokens;
        d[4] += 1;
    }
    nlohmann::json out = nlohmann::json::object();
    for (const auto& [day, d] : days) {
        out[day] = {{"inputTokens", d[0]}, {"outputTokens", d[1]}, {"cacheCreationTokens", d[2]},
                    {"cacheReadTokens", d[3]}, {"records", d[4]}};
    }
    return out;
}

// The child's side: one cold scan, figures as raw bytes on stdout.
int run_cold_once(const Options& options) {
    const double cpu_start = cpu_now_ms();
    const double start = now_ms();
    const auto result = ccu::ingest::scan({options.dir}, {}, {"bench", options.threads, {}});
    const double elapsed = now_ms() - start;
    const double cpu = cpu_now_ms() - cpu_start;
    if (!options.daily_json.empty()) {
        std::ofstream(options.daily_json) << nlohmann::json{{"daily", daily_totals(result.records)}}.dump(1) << "\n";
    }
    ColdFigures f{elapsed, cpu, result.stats.bytes_read, result.stats.files_seen, result.records.size(),
                  result.stats.lines, 0};
    return ::write(STDOUT_FILENO, &f, sizeof f) == static_cast<ssize_t>(sizeof f) ? 0 : 1;
}

// One cold scan in a fresh process (this binary, exec'd with --cold-once), so its peak RSS
// (getrusage of that child alone) holds nothing but the scan.
ColdFigures cold_scan_in_child(const fs::path& projects, const Options& options, bool write_daily) {
    int pipe_fds[2];
    if (::pipe(pipe_fds) != 0) std::abort();
    const std::string threads = std::to_string(options.threads);
    const std::string daily = write_daily ? options.daily_json : std::string{};
    const pid_t pid = ::fork();
    if (pid == 0) {
        ::dup2(pipe_fds[1], STDOUT_FILENO);
        ::close(pipe_fds[0]);
        ::close(pipe_fds[1]);
        std::vector<const char*> args = {"bench_ingest", "--cold-once", "--dir", projects.c_str(), "--threads",
                                         threads.c_str()};
        if (!daily.empty()) {
            args.push_back("--daily-json");
            args.push_back(daily.c_str());
        }
        args.push_back(nullptr);
        ::execv("/proc/self/exe", const_cast<char* const*>(args.data()));
        ::_exit(127);
    }
    ::close(pipe_fds[1]);
    ColdFigures f;
    if (::read(pipe_fds[0], &f, sizeof f) != static_cast<ssize_t>(sizeof f)) std::abort();
    ::close(pipe_fds[0]);
    int status = 0;
    struct rusage usage {};
    ::wait4(pid, &status, 0, &usage);
    f.peak_rss_kb = usage.ru_maxrss;
    return f;
}

struct RescanFigures {
    double ms = 1e18;
    double cpu_ms = 1e18;
};

RescanFigures best_rescan(const fs::path& projects, const Options& options, int repeat) {
    const auto first = ccu::ingest::scan({projects}, {}, {"bench", options.threads, {}});
    RescanFigures best;
    for (int i = 0; i < repeat; ++i) {
        const double cpu_start = cpu_now_ms();
        const double start = now_ms();
        const auto again = ccu::ingest::scan({projects}, first.cursors, {"bench", options.threads, {}});
        best.ms = std::min(best.ms, now_ms() - start);
        best.cpu_ms = std::min(best.cpu_ms, cpu_now_ms() - cpu_start);
        if (again.stats.bytes_read != 0) std::fprintf(stderr, "warning: re-scan read %llu bytes\n",
                                                      static_cast<unsigned long long>(again.stats.bytes_read));
    }
    return best;
}

Options parse(int argc, char** argv) {
    Options o;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        const auto value = [&] {
            if (i + 1 >= argc) {
                std::fprintf(stderr, "missing value for %s\n", arg.c_str());
                std::exit(2);
            }
            return std::string(argv[++i]);
        };
        if (arg == "--size-mb") o.size_mb = std::stoull(value());
        else if (arg == "--dir") o.dir = value();
        else if (arg == "--files") o.many_files = std::stoi(value());
        else if (arg == "--threads") o.threads = static_cast<unsigned>(std::stoul(value()));
        else if (arg == "--repeat") o.repeat = std::stoi(value());
        else if (arg == "--daily-json") o.daily_json = value();
        else if (arg == "--skip-many") o.skip_many = true;
        else if (arg == "--cold-once") o.cold_once = true;
        else {
            std::fprintf(stderr, "usage: bench_ingest [--size-mb N] [--dir PROJECTS_DIR] [--files N] [--threads N] "
                                 "[--repeat N] [--daily-json FILE] [--skip-many]\n");
            std::exit(2);
        }
    }
    if (o.dir.empty()) o.dir = "/tmp/ccu-bench/tree-" + std::to_string(o.size_mb) + "mb/projects";
    return o;
}

}  // namespace

int main(int argc, char** argv) {
    const Options options = parse(argc, argv);
    if (options.cold_once) return run_cold_once(options);
    const fs::path projects = options.dir;
    ccu::test::ClaudeTreeSpec spec;
    spec.total_bytes = options.size_mb << 20;
    spec.projects = 8;
    spec.sessions_per_project = 25;
    ensure_tree(projects, spec);
    warm_page_cache(projects);

    std::vector<ColdFigures> runs;
    for (int i = 0; i < options.repeat; ++i) runs.push_back(cold_scan_in_child(projects, options, i == 0));
    std::sort(runs.begin(), runs.end(), [](const auto& a, const auto& b) { return a.ms < b.ms; });
    const ColdFigures& best = runs.front();
    const double mb = static_cast<double>(best.bytes) / 1048576.0;
    std::printf("tree: %s (%.1f MB, %llu files, %llu lines, %llu records)\n", projects.c_str(), mb,
                static_cast<unsigned long long>(best.files), static_cast<unsigned long long>(best.lines),
                static_cast<unsigned long long>(best.records));
    std::printf("cold scan (page cache): best %.1f ms, median %.1f ms  ->  %.0f MB/s, %.0f files/s\n", best.ms,
                runs[runs.size() / 2].ms, mb / (best.ms / 1000.0), static_cast<double>(best.files) / (best.ms / 1000.0));
    std::printf("cold scan CPU time (user+sys, all threads): %.1f ms  ->  %.0f MB per CPU-second\n", best.cpu_ms,
                mb / (best.cpu_ms / 1000.0));
    long peak = 0;
    for (const auto& r : runs) peak = std::max(peak, r.peak_rss_kb);
    std::printf("cold scan peak RSS: %.1f MB\n", static_cast<double>(peak) / 1024.0);
    const auto warm = best_rescan(projects, options, std::max(3, options.repeat));
    std::printf("warm re-scan (nothing new): %.2f ms (CPU %.2f ms)\n", warm.ms, warm.cpu_ms);

    if (!options.skip_many) {
        const fs::path many = "/tmp/ccu-bench/many-" + std::to_string(options.many_files) + "/projects";
        ccu::test::ClaudeTreeSpec small;
        small.projects = 100;
        small.sessions_per_project = std::max(1, options.many_files / 100);
        small.total_bytes = static_cast<std::uint64_t>(options.many_files) * 3000;
        ensure_tree(many, small);
        const auto count = ccu::ingest::scan({many}, {}, {"bench", options.threads, {}}).stats.files_seen;
        const auto figures = best_rescan(many, options, 5);
        std::printf("re-scan, nothing new, %llu files: %.2f ms (CPU %.2f ms)\n", static_cast<unsigned long long>(count),
                    figures.ms, figures.cpu_ms);
    }
    return 0;
}
