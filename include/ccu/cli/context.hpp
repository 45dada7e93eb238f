#pragma once
#include <functional>
#include <memory>
#include <optional>

#include "ccu/cli/ui.hpp"
#include "ccu/common/clock.hpp"
#include "ccu/common/environment.hpp"
#include "ccu/common/progress.hpp"

namespace CLI {
class App;
}
namespace ccu::pricing {
class PriceTable;
}

namespace ccu::cli {

// What every subcommand gets: the environment snapshot, global options, the terminal and
// the real clock. Subcommand files register their options and set `action`; run() calls it
// after parsing, inside the one catch that maps errors to exit codes.
class Context {
public:
    explicit Context(Environment env) : env_(std::move(env)) {}

    const Environment& env() const { return env_; }
    GlobalOptions& options() { return options_; }
    const Paths& paths();  // resolved on first use (needs HOME)
    Ui& ui();              // created on first use, after options are parsed
    Clock& clock() { return clock_; }
    // Where long work reports progress: drawn on stderr when Ui::shows_progress() (a TTY, no
    // --quiet or --json), otherwise nothing. Created on first use, after options are parsed.
    ProgressSink& progress();
    // The price table (data/prices.json, compiled in): fetched here, handed to everything below.
    const pricing::PriceTable& prices() const;

    // The chosen subcommand's work; returns the exit code (0 on success).
    std::function<int()> action;

private:
    Environment env_;
    GlobalOptions options_;
    std::optional<Paths> paths_;
    std::unique_ptr<Ui> ui_;
    std::unique_ptr<ProgressSink> progress_;
    SystemClock clock_;
};

// Entry point of the binary: parses, runs, prints errors, returns the exit code.
int run(int argc, char** argv);
// Same, with an explicit environment (tests).
int run(int argc, char** argv, Environment env);

}  // namespace ccu::cli
