#include "ccu/ingest/scanner.hpp"

#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <thread>

#include "ccu/ingest/collapse.hpp"
#include "ingest/file_reader.hpp"
#include "ingest/file_walk.hpp"

namespace ccu::ingest {
namespace {

using detail::FileScan;
using detail::FoundFile;

void add_stats(ScanStats& into, const ScanStats& from) {
    into.files_read += from.files_read;
    into.files_reset += from.files_reset;
    into.bytes_read += from.bytes_read;
    into.lines += from.lines;
    into.usage_lines += from.usage_lines;
    into.malformed_lines += from.malformed_lines;
    into.synthetic_lines += from.synthetic_lines;
}

const FileCursor* find_cursor(const std::map<std::string, FileCursor>& previous, const std::string& path) {
    const auto it = previous.find(path);
    return it == previous.end() ? nullptr : &it->second;
}

unsigned worker_count(const ScanOptions& options, std::size_t jobs) {
    unsigned threads = options.threads != 0 ? options.threads : std::thread::hardware_concurrency();
    threads = std::max(1U, threads);
    return static_cast<unsigned>(std::min<std::size_t>(threads, jobs));
}

// Scans the files at `jobs` (indexes into `files`) on a few threads; results by job index.
std::vector<FileScan> scan_in_parallel(const std::vector<FoundFile>& files, const std::vector<std::size_t>& jobs,
                                       const std::map<std::string, FileCursor>& previous,
                                       const ScanOptions& options) {
    std::vector<FileScan> results(jobs.size());
    std::atomic<std::size_t> next{0};
    std::exception_ptr failure;
    std::mutex failure_mutex;
    const auto work = [&] {
        try {
            detail::ReaderState state;
            for (std::size_t job = next++; job < jobs.size(); job = next++) {
                const FoundFile& file = files[jobs[job]];
                results[job] = detail::scan_file(file, find_cursor(previous, file.path), state);
            }
        } catch (...) {
            const std::lock_guard lock(failure_mutex);
            if (!failure) failure = std::current_exception();
            next = jobs.size();
        }
    };
    const unsigned threads = worker_count(options, jobs.size());
    std::vector<std::thread> pool;
    for (unsigned i = 1; i < threads; ++i) pool.emplace_back(work);
    work();
    for (auto& thread : pool) thread.join();
    if (failure) std::rethrow_exception(failure);
    return results;
}

FileCursor unchanged_cursor(const FoundFile& file, const FileCursor& previous) {
    FileCursor cursor = previous;
    cursor.path = file.path;
    return cursor;
}

void finish_records(Collapser& collapser, const ScanOptions& options, ScanResult& result) {
    collapser.take_into(result.records, result.sidechain);
    for (auto& record : result.records) {
        record.machine_name = options.machine_name;
        if (options.is_known_model && !options.is_known_model(record.model)) ++result.stats.unknown_models;
    }
    result.stats.records = result.records.size();
}

}  // namespace

ScanResult scan(const std::vector<std::filesystem::path>& projects_dirs,
                const std::map<std::string, FileCursor>& previous, const ScanOptions& options) {
    ScanResult result;
    const std::vector<FoundFile> files =
        detail::find_jsonl_files(projects_dirs, options.threads != 0 ? options.threads : std::thread::hardware_concurrency());
    result.stats.files_seen = files.size();

    // Unchanged files (same device, inode, size, mtime) are settled without opening them.
    std::vector<std::size_t> jobs;
    for (std::size_t i = 0; i < files.size(); ++i) {
        const FileCursor* before = find_cursor(previous, files[i].path);
        if (before != nullptr && detail::resume_from_metadata(files[i], before) == detail::Resume::Unchanged) {
            result.cursors.emplace_hint(result.cursors.end(), files[i].path, unchanged_cursor(files[i], *before));
        } else {
            jobs.push_back(i);
        }
    }
    std::vector<FileScan> scans = scan_in_parallel(files, jobs, previous, options);

    // Merge in path order, so the first-seen line of a response is deterministic.
    Collapser collapser;
    for (std::size_t job = 0; job < jobs.size(); ++job) {
        FileScan& scanned = scans[job];
        add_stats(result.stats, scanned.stats);
        if (scanned.unreadable) {
            ++result.stats.files_unreadable;
            if (scanned.cursor.path.empty()) continue;  // never read: no cursor yet
        }
        result.cursors[files[jobs[job]].path] = std::move(scanned.cursor);
        for (auto& line : scanned.entries) collapser.add(std::move(line));
        std::vector<UsageLine>().swap(scanned.entries);
    }
    finish_records(collapser, options, result);

    for (const auto& entry : previous) {
        const auto it = std::lower_bound(files.begin(), files.end(), entry.first,
                                         [](const FoundFile& file, const std::string& path) { return file.path < path; });
        if (it == files.end() || it->path != entry.first) result.vanished.push_back(entry.first);
    }
    return result;
}

}  // namespace ccu::ingest
