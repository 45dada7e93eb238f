#include "ccu/ingest/scanner.hpp"

#include <algorithm>
#include <mutex>
#include <optional>
#include <thread>

#include "ccu/common/parallel.hpp"
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

// Folds per-file results into the scan result in path order (so the first-seen line of a
// response is deterministic), as soon as each is ready: a file's lines are freed right after.
class Merger {
public:
    Merger(const std::vector<FoundFile>& files, const std::vector<std::size_t>& jobs, ScanResult& result,
           ProgressSink* progress, std::uint64_t bytes_total)
        : files_(files), jobs_(jobs), result_(result), pending_(jobs.size()), progress_(progress),
          bytes_total_(bytes_total) {}

    void deliver(std::size_t job, FileScan&& scanned) {
        const std::lock_guard lock(mutex_);
        pending_[job] = std::move(scanned);
        // Files are merged in job order, so a file that finishes before an earlier one waits; each
        // merged file is reported once, in order (a report per delivery showed 0 done, then 2).
        while (next_ < pending_.size() && pending_[next_]) {
            merge(next_, *pending_[next_]);
            pending_[next_].reset();
            ++next_;
            if (progress_ != nullptr) {
                progress_->update(Progress{"Scanning", next_, jobs_.size(), result_.stats.bytes_read, bytes_total_,
                                           "file"});
            }
        }
    }

    Collapser& collapser() { return collapser_; }

private:
    void merge(std::size_t job, FileScan& scanned) {
        add_stats(result_.stats, scanned.stats);
        if (scanned.unreadable) {
            ++result_.stats.files_unreadable;
            if (scanned.cursor.path.empty()) return;  // never read: no cursor yet
        }
        result_.cursors[files_[jobs_[job]].path] = std::move(scanned.cursor);
        for (auto& line : scanned.entries) collapser_.add(std::move(line));
    }

    const std::vector<FoundFile>& files_;
    const std::vector<std::size_t>& jobs_;
    ScanResult& result_;
    std::vector<std::optional<FileScan>> pending_;
    std::size_t next_ = 0;
    std::mutex mutex_;
    ProgressSink* progress_;
    std::uint64_t bytes_total_;
    Collapser collapser_;
};

// Scans the files at `jobs` (indexes into `files`) on a few threads, handing each result to
// the merger.
void scan_in_parallel(const std::vector<FoundFile>& files, const std::vector<std::size_t>& jobs,
                      const std::map<std::string, FileCursor>& previous, const ScanOptions& options,
                      Merger& merger) {
    parallel_for(jobs.size(), options.threads, [&] {
        return [&, state = detail::ReaderState()](std::size_t job) mutable {
            const FoundFile& file = files[jobs[job]];
            merger.deliver(job, detail::scan_file(file, find_cursor(previous, file.path), state));
        };
    });
}

// The bytes a scan of `jobs` will read: from each file's cursor on (a shrunk file from 0).
std::uint64_t bytes_to_read(const std::vector<FoundFile>& files, const std::vector<std::size_t>& jobs,
                            const std::map<std::string, FileCursor>& previous) {
    std::uint64_t total = 0;
    for (const std::size_t i : jobs) {
        const FileCursor* before = find_cursor(previous, files[i].path);
        const std::uint64_t from = before != nullptr && before->offset <= files[i].size ? before->offset : 0;
        total += files[i].size - from;
    }
    return total;
}

FileCursor unchanged_cursor(const FoundFile& file, const FileCursor& previous) {
    FileCursor cursor = previous;
    cursor.path = file.path;
    return cursor;
}

void finish_records(Collapser& collapser, const ScanOptions& options, ScanResult& result) {
    collapser.take_into(result.records, result.sidechain, result.lines);
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
    Merger merger(files, jobs, result, options.progress, options.progress ? bytes_to_read(files, jobs, previous) : 0);
    scan_in_parallel(files, jobs, previous, options, merger);
    if (options.progress != nullptr) options.progress->finish();
    Collapser& collapser = merger.collapser();
    finish_records(collapser, options, result);

    for (const auto& entry : previous) {
        const auto it = std::lower_bound(files.begin(), files.end(), entry.first,
                                         [](const FoundFile& file, const std::string& path) { return file.path < path; });
        if (it == files.end() || it->path != entry.first) result.vanished.push_back(entry.first);
    }
    return result;
}

}  // namespace ccu::ingest
