#include "ccu/ingest/tail.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ccu/ingest/collapse.hpp"
#include "ccu/ingest/line_parser.hpp"
#include "ingest/file_walk.hpp"

namespace ccu::ingest {

TailRead read_tail(const std::filesystem::path& file, std::uint64_t offset, const std::string& machine_name,
                   std::uint64_t max_bytes) {
    TailRead out;
    const int fd = detail::open_readonly(file.c_str(), false);
    if (fd < 0) return out;
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
        ::close(fd);
        return out;
    }
    const auto size = static_cast<std::uint64_t>(st.st_size);
    if (offset > size) offset = 0;  // the file was replaced: read it anew
    if (size - offset > max_bytes) offset = size - max_bytes;
    std::string buffer(size - offset + kLinePadding, '\0');
    std::size_t got = 0;
    while (got < size - offset) {
        const ssize_t n = ::pread(fd, buffer.data() + got, size - offset - got, static_cast<off_t>(offset + got));
        if (n <= 0) break;
        got += static_cast<std::size_t>(n);
    }
    ::close(fd);
    out.readable = true;
    const std::string session = file.stem().string();
    const std::string folder = file.parent_path().filename().string();
    const LineContext context{session, folder};
    LineParser parser;
    Collapser collapser;
    std::size_t start = 0;
    while (start < got) {
        const std::size_t newline = buffer.find('\n', start);
        if (newline == std::string::npos || newline >= got) break;  // an incomplete last line waits
        UsageLine line;
        const std::string_view text(buffer.data() + start, newline - start);
        if (has_usage_marker(text) && parser.parse_padded(text, context, line) == LineKind::Usage) {
            line.record.machine_name = machine_name;
            collapser.add(std::move(line));
        }
        start = newline + 1;
    }
    out.end_offset = offset + start;
    std::vector<std::uint8_t> sidechain;
    collapser.take_into(out.records, sidechain);
    return out;
}

}  // namespace ccu::ingest
