#include "ccu/cli/ui.hpp"

#include <sys/ioctl.h>
#include <unistd.h>

#include <cstdio>
#include <nlohmann/json.hpp>

namespace ccu::cli {
namespace {

bool locale_is_utf8(const Environment& env) {
    for (const char* name : {"LC_ALL", "LC_CTYPE", "LANG"}) {
        if (const auto v = env.get(name)) {
            return v->find("UTF-8") != std::string::npos || v->find("utf8") != std::string::npos ||
                   v->find("UTF8") != std::string::npos || v->find("utf-8") != std::string::npos;
        }
    }
    return false;
}

void write_line(std::FILE* stream, std::string_view text) {
    std::fwrite(text.data(), 1, text.size(), stream);
    std::fputc('\n', stream);
    std::fflush(stream);
}

std::size_t terminal_columns(const Environment& env, int fd) {
    if (const auto value = env.get("COLUMNS")) {
        try {
            const long n = std::stol(*value);
            if (n > 0) return static_cast<std::size_t>(n);
        } catch (const std::exception&) {  // not a number: ask the terminal
        }
    }
    struct winsize size {};
    if (::isatty(fd) == 1 && ::ioctl(fd, TIOCGWINSZ, &size) == 0 && size.ws_col > 0) return size.ws_col;
    return 0;
}

}  // namespace

Ui::Ui(const GlobalOptions& options, const Environment& env)
    : options_(options),
      stdin_tty_(::isatty(STDIN_FILENO) == 1),
      stdout_tty_(::isatty(STDOUT_FILENO) == 1),
      stderr_tty_(::isatty(STDERR_FILENO) == 1) {
    const bool no_color = env.get("NO_COLOR").has_value() || env.get("TERM") == "dumb";
    const bool human_tty = json() ? stderr_tty_ : stdout_tty_;
    color_ = human_tty && !no_color;
    emoji_ = color_ && locale_is_utf8(env);
    columns_ = terminal_columns(env, json() ? STDERR_FILENO : STDOUT_FILENO);
}

std::FILE* Ui::human_stream() const { return json() ? stderr : stdout; }

void Ui::say(std::string_view line) {
    if (options_.quiet) return;
    progress_done();
    write_line(human_stream(), line);
}

void Ui::warn(std::string_view line) {
    progress_done();
    write_line(stderr, std::string("ccu: warning: ") + std::string(line));
}

void Ui::error(std::string_view message, std::string_view hint) {
    progress_done();
    write_line(stderr, std::string("ccu: error: ") + std::string(message));
    if (!hint.empty()) write_line(stderr, std::string("  ") + std::string(hint));
}

void Ui::print_json(const nlohmann::json& document) {
    progress_done();
    write_line(stdout, document.dump(2));
}

void Ui::print_json_text(const std::function<void(const std::function<void(std::string_view)>&)>& write) {
    progress_done();
    write([](std::string_view part) { std::fwrite(part.data(), 1, part.size(), stdout); });
    write_line(stdout, "");
}

void Ui::print_table(std::string_view text) {
    progress_done();
    std::FILE* out = human_stream();
    std::fwrite(text.data(), 1, text.size(), out);
    std::fflush(out);
}

std::string_view Ui::symbol(Symbol s) const {
    switch (s) {
        case Symbol::Check: return emoji_ ? "✓" : "OK";
        case Symbol::Cross: return emoji_ ? "✗" : "x";
        case Symbol::Warning: return emoji_ ? "⚠️ " : "[!]";
        case Symbol::Sync: return emoji_ ? "🔄" : "*";
        case Symbol::Arrow: return emoji_ ? "→" : "->";
    }
    return "";
}

std::string Ui::paint(std::string_view code, std::string_view text) const {
    if (!color_) return std::string(text);
    return "\x1b[" + std::string(code) + "m" + std::string(text) + "\x1b[0m";
}
std::string Ui::green(std::string_view t) const { return paint("32", t); }
std::string Ui::red(std::string_view t) const { return paint("31", t); }
std::string Ui::yellow(std::string_view t) const { return paint("33", t); }
std::string Ui::bold(std::string_view t) const { return paint("1", t); }

void Ui::notice(std::string_view line) {
    if (!shows_progress()) return;
    progress_done();
    write_line(stderr, std::string("ccu: ") + std::string(line));
}

void Ui::draw_progress(std::string_view line) {
    if (!shows_progress()) return;
    std::fputs("\r\x1b[2K", stderr);
    std::fwrite(line.data(), 1, line.size(), stderr);
    std::fflush(stderr);
    progress_shown_ = true;
}

void Ui::progress_done() {
    if (!progress_shown_) return;
    std::fputs("\r\x1b[2K", stderr);
    std::fflush(stderr);
    progress_shown_ = false;
}

}  // namespace ccu::cli
