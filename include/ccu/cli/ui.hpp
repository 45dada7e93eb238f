#pragma once
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

#include "ccu/common/environment.hpp"

namespace ccu::cli {

enum class OutputFormat { Human, Json };
enum class Symbol { Check, Cross, Warning, Sync, Arrow };

struct GlobalOptions {
    OutputFormat format = OutputFormat::Human;
    bool quiet = false;
    int verbosity = 0;
    std::optional<std::string> transport;  // --transport of the sync commands (overrides sync.transport)
};

// All terminal output goes through here. With --json, stdout carries exactly one JSON document
// and human text goes to stderr. Color, emoji and progress only on a terminal without NO_COLOR;
// emoji also need a UTF-8 locale.
class Ui {
public:
    Ui(const GlobalOptions& options, const Environment& env);

    bool json() const { return options_.format == OutputFormat::Json; }
    bool quiet() const { return options_.quiet; }
    int verbosity() const { return options_.verbosity; }
    bool interactive() const { return stdin_tty_ && stderr_tty_; }

    void say(std::string_view line);    // human text; hidden by --quiet
    void warn(std::string_view line);   // "ccu: warning: ..." on stderr, even with --quiet
    void error(std::string_view message, std::string_view hint);  // "ccu: error: ..." on stderr
    void print_json(const nlohmann::json& document);  // the one JSON document on stdout
    // The same for a document written in pieces: `write` hands each piece to the function it gets.
    void print_json_text(const std::function<void(const std::function<void(std::string_view)>&)>& write);
    void print_table(std::string_view text);          // human stdout (stderr with --json)

    // Width of the terminal the human text goes to: $COLUMNS when set (ccusage honours it
    // too), else the tty's width, else 0 (not a terminal: tables are never narrowed).
    std::size_t columns() const { return columns_; }

    std::string_view symbol(Symbol s) const;  // "✓" or "OK", "⚠️ " or "!", ...
    std::string green(std::string_view text) const;
    std::string red(std::string_view text) const;
    std::string yellow(std::string_view text) const;
    std::string bold(std::string_view text) const;

    // A transient note for a person watching (retries): stderr, only on a TTY, never with
    // --quiet or --json.
    void notice(std::string_view line);
    bool shows_progress() const { return stderr_tty_ && !options_.quiet && !json(); }

    // Replaces the progress line on stderr (drawn in place, no newline; cli/progress.cpp decides
    // when). Only when shows_progress(). Any other output clears it first.
    void draw_progress(std::string_view line);
    void progress_done();  // clears the progress line, if one is shown

private:
    std::string paint(std::string_view code, std::string_view text) const;
    std::FILE* human_stream() const;

    GlobalOptions options_;
    bool stdin_tty_ = false;
    bool stdout_tty_ = false;
    bool stderr_tty_ = false;
    bool color_ = false;
    bool emoji_ = false;
    bool progress_shown_ = false;
    std::size_t columns_ = 0;
};

}  // namespace ccu::cli
