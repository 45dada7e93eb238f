// bench_gen_tree: writes a synthetic ~/.claude/projects tree and its ground truth.
//   bench_gen_tree --dir DIR/projects [--size-mb N] [--projects P] [--sessions S] [--seed X]
//                  [--tool-result-max BYTES] (default 24000; smaller: more records per MB)
//                  [--truth FILE]   (per-day totals as JSON; default: stdout)
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <string>

#include <nlohmann/json.hpp>

#include "support/claude_tree_generator.hpp"

namespace {

[[noreturn]] void usage() {
    std::cerr << "usage: bench_gen_tree --dir PROJECTS_DIR [--size-mb N] [--projects P] [--sessions S] "
                 "[--seed X] [--tool-result-max BYTES] [--truth FILE]\n";
    std::exit(2);
}

}  // namespace

int main(int argc, char** argv) {
    ccu::test::ClaudeTreeSpec spec;
    spec.total_bytes = 64ULL << 20;
    std::string dir, truth_file;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (i + 1 >= argc) usage();
        const std::string value = argv[++i];
        if (arg == "--dir") dir = value;
        else if (arg == "--size-mb") spec.total_bytes = std::stoull(value) << 20;
        else if (arg == "--projects") spec.projects = std::stoi(value);
        else if (arg == "--sessions") spec.sessions_per_project = std::stoi(value);
        else if (arg == "--seed") spec.seed = std::stoull(value);
        else if (arg == "--tool-result-max") spec.tool_result_max = std::stoll(value);
        else if (arg == "--truth") truth_file = value;
        else usage();
    }
    if (dir.empty()) usage();
    const auto start = std::chrono::steady_clock::now();
    const auto truth = ccu::test::generate_claude_tree(dir, spec);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

    nlohmann::json days = nlohmann::json::object();
    for (const auto& [day, t] : truth.per_day) {
        days[day] = {{"inputTokens", t.input_tokens}, {"outputTokens", t.output_tokens},
                     {"cacheCreationTokens", t.cache_creation_tokens}, {"cacheReadTokens", t.cache_read_tokens},
                     {"records", t.records}};
    }
    const nlohmann::json doc = {{"bytes", truth.bytes},   {"files", truth.files},
                                {"lines", truth.lines},   {"records", truth.records},
                                {"malformedLines", truth.malformed_lines},
                                {"syntheticLines", truth.synthetic_lines}, {"daily", days}};
    if (truth_file.empty()) {
        std::cout << doc.dump(1) << "\n";
    } else {
        std::ofstream(truth_file) << doc.dump(1) << "\n";
    }
    std::fprintf(stderr, "generated %.1f MB in %llu files (%llu records) under %s in %.1f s\n",
                 static_cast<double>(truth.bytes) / 1048576.0, static_cast<unsigned long long>(truth.files),
                 static_cast<unsigned long long>(truth.records), dir.c_str(), seconds);
    return 0;
}
