#pragma once
#include <sys/stat.h>

#include <cstdint>

namespace ccu {

// A file's modification time in nanoseconds since the epoch, as stored in scan cursors and in the
// origin databases' change signatures (persisted: keep the arithmetic as it is).
inline std::int64_t mtime_ns(const struct stat& st) {
    return static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1000000000LL + static_cast<std::int64_t>(st.st_mtim.tv_nsec);
}

}  // namespace ccu
