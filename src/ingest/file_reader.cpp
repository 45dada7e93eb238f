#include "ingest/file_reader.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "ccu/common/file_stat.hpp"
#include "ccu/common/text.hpp"
#include "ccu/ingest/collapse.hpp"

namespace ccu::ingest::detail {
namespace {

// Closes the descriptor on every path out.
class Fd {
public:
    explicit Fd(int fd) : fd_(fd) {}
    ~Fd() {
        if (fd_ >= 0) ::close(fd_);
    }
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    int get() const { return fd_; }

private:
    int fd_;
};

// pread until `size` bytes or EOF; returns the bytes read.
std::size_t read_at(int fd, char* into, std::size_t size, std::uint64_t offset) {
    std::size_t done = 0;
    while (done < size) {
        const ssize_t n = ::pread(fd, into + done, size - done, static_cast<off_t>(offset + done));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        done += static_cast<std::size_t>(n);
    }
    return done;
}

std::uint64_t head_fingerprint(int fd, std::uint64_t length) {
    char head[kFingerprintBytes];
    const auto want = static_cast<std::size_t>(std::min<std::uint64_t>(length, kFingerprintBytes));
    const std::size_t got = read_at(fd, head, want, 0);
    return fnv1a64(std::string_view(head, got));
}

// Turns complete lines into usage lines; counts what it sees.
class LineSink {
public:
    LineSink(const FoundFile& file, ReaderState& state, ScanStats& stats)
        : context_{file.session, file.folder}, state_(state), stats_(stats) {}

    void consume(std::string_view line) {
        ++stats_.lines;
        switch (state_.parser.parse_padded(line, context_, scratch_)) {
            case LineKind::Usage:
                ++stats_.usage_lines;
                keep();
                break;
            case LineKind::Synthetic:
                ++stats_.usage_lines;
                ++stats_.synthetic_lines;
                break;
            case LineKind::Rejected:
                ++stats_.usage_lines;
                ++stats_.malformed_lines;
                break;
            case LineKind::Malformed:
                ++stats_.malformed_lines;
                break;
            case LineKind::NotUsage:
                break;
        }
    }

    // A last line without its newline yet: a complete usage line is counted now (ccusage
    // counts it) but not consumed, so the next scan reads it again; anything else waits.
    void peek_unterminated(std::string_view line) {
        if (state_.parser.parse_padded(line, context_, scratch_) == LineKind::Usage) keep();
    }

    std::vector<UsageLine> take() { return collapser_.take(); }

private:
    void keep() {
        if (scratch_.record.session_id.empty()) scratch_.record.session_id = std::string(context_.session_fallback);
        collapser_.add(std::move(scratch_));
        scratch_ = UsageLine{};
    }

    LineContext context_;
    ReaderState& state_;
    ScanStats& stats_;
    UsageLine scratch_;
    Collapser collapser_;
};

// Reads [start, end) of the file in chunks and feeds complete lines to `sink`. Returns the
// offset just after the last newline.
std::uint64_t read_lines(int fd, std::uint64_t start, std::uint64_t end, ReaderState& state,
                         LineSink& sink, ScanStats& stats) {
    auto& buffer = state.buffer;
    if (buffer.size() < kReadChunk + kLinePadding) buffer.assign(kReadChunk + kLinePadding, '\0');
    std::size_t filled = 0;  // bytes of an unfinished line carried at the front
    std::uint64_t position = start;
    std::uint64_t consumed_to = start;
    while (position < end) {
        std::size_t capacity = buffer.size() - kLinePadding;
        if (filled == capacity) {  // one line longer than the buffer: grow it
            buffer.resize(capacity * 2 + kLinePadding, '\0');
            capacity = buffer.size() - kLinePadding;
        }
        const auto want = static_cast<std::size_t>(std::min<std::uint64_t>(capacity - filled, end - position));
        const std::size_t got = read_at(fd, buffer.data() + filled, want, position);
        if (got == 0) break;  // the file shrank under us: stop at what exists
        position += got;
        stats.bytes_read += got;
        filled += got;
        const char* data = buffer.data();
        std::size_t line_start = 0;
        while (const void* nl = std::memchr(data + line_start, '\n', filled - line_start)) {
            const auto line_end = static_cast<std::size_t>(static_cast<const char*>(nl) - data);
            sink.consume(std::string_view(data + line_start, line_end - line_start));
            line_start = line_end + 1;
        }
        consumed_to += line_start;
        std::memmove(buffer.data(), data + line_start, filled - line_start);
        filled -= line_start;
    }
    if (filled > 0) {
        std::memset(buffer.data() + filled, 0, kLinePadding);
        sink.peek_unterminated(std::string_view(buffer.data(), filled));
    }
    return consumed_to;
}

}  // namespace

Resume resume_from_metadata(const FoundFile& file, const FileCursor* previous) {
    if (previous == nullptr || previous->device != file.device || previous->inode != file.inode ||
        file.size < previous->offset) {
        return Resume::FromStart;
    }
    if (file.size == previous->size) {
        return file.mtime_ns == previous->mtime_ns ? Resume::Unchanged : Resume::FromStart;
    }
    return Resume::FromOffset;
}

FileScan scan_file(const FoundFile& file, const FileCursor* previous, ReaderState& state) {
    FileScan result;
    const Fd fd(open_readonly(file.path.c_str(), false));
    struct stat st {};
    if (fd.get() < 0 || ::fstat(fd.get(), &st) != 0) {
        result.unreadable = true;
        if (previous != nullptr) result.cursor = *previous;
        return result;
    }
    FoundFile now = file;  // the open file's own metadata (it may have changed since the walk)
    now.device = static_cast<std::uint64_t>(st.st_dev);
    now.inode = static_cast<std::uint64_t>(st.st_ino);
    now.size = static_cast<std::uint64_t>(st.st_size);
    now.mtime_ns = ccu::mtime_ns(st);

    Resume resume = resume_from_metadata(now, previous);
    if (resume == Resume::FromOffset && head_fingerprint(fd.get(), previous->offset) != previous->head_fingerprint) {
        resume = Resume::FromStart;  // same inode, different head: rewritten
    }
    FileCursor& cursor = result.cursor;
    cursor.path = file.path;
    cursor.device = now.device;
    cursor.inode = now.inode;
    cursor.size = now.size;
    cursor.mtime_ns = now.mtime_ns;
    if (resume == Resume::Unchanged) {
        cursor.offset = previous->offset;
        cursor.head_fingerprint = previous->head_fingerprint;
        return result;
    }
    if (resume == Resume::FromStart && previous != nullptr) result.stats.files_reset = 1;
    const std::uint64_t start = resume == Resume::FromOffset ? previous->offset : 0;
    result.stats.files_read = start < now.size ? 1 : 0;
    LineSink sink(file, state, result.stats);
    cursor.offset = read_lines(fd.get(), start, now.size, state, sink, result.stats);
    cursor.head_fingerprint = head_fingerprint(fd.get(), cursor.offset);
    result.entries = sink.take();
    return result;
}

}  // namespace ccu::ingest::detail
