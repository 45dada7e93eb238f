#include "cli/process_setup.hpp"

#include <sys/prctl.h>
#include <sys/resource.h>

#include <csignal>

namespace ccu::cli {

void setup_process() {
    ::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
    const rlimit no_core{0, 0};
    ::setrlimit(RLIMIT_CORE, &no_core);
    std::signal(SIGXFSZ, SIG_IGN);
}

}  // namespace ccu::cli
