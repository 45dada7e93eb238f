#pragma once

namespace ccu::cli {

// Process-wide settings for the real ccu process (not for in-process tests):
// - no core dumps and not dumpable (PR_SET_DUMPABLE 0, RLIMIT_CORE 0): the GitHub token is in
//   memory, and a core file or a same-user ptrace/`/proc/PID/mem` reader would expose it;
// - SIGXFSZ ignored: a write past RLIMIT_FSIZE then fails with EFBIG, which SQLite and the
//   atomic writer report as a clear error (like a full disk), instead of killing ccu mid-write.
void setup_process();

}  // namespace ccu::cli
