// Questions on the terminal: the question goes to stderr (stdout may carry --json), answers
// come from stdin; secrets are read with echo turned off.
#include <termios.h>
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <string>

#include "ccu/auth/prompt.hpp"
#include "ccu/common/error.hpp"

namespace ccu::auth {

namespace {

std::string read_line_or_throw() {
    std::string line;
    if (!std::getline(std::cin, line)) {
        throw Error(ErrorKind::Usage, "no answer (end of input)",
                    "run it on a terminal, or pass the answers as flags (see --help)");
    }
    if (!line.empty() && line.back() == '\r') line.pop_back();
    return line;
}

void write_stderr(std::string_view text) {
    std::fwrite(text.data(), 1, text.size(), stderr);
    std::fflush(stderr);
}

// Restores the terminal even when reading throws.
class EchoOff {
public:
    EchoOff() {
        if (::tcgetattr(STDIN_FILENO, &saved_) == 0) {
            termios quiet = saved_;
            quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
            quiet.c_lflag |= ECHONL;
            active_ = ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet) == 0;
        }
    }
    ~EchoOff() {
        if (active_) ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_);
    }
    EchoOff(const EchoOff&) = delete;
    EchoOff& operator=(const EchoOff&) = delete;

private:
    termios saved_{};
    bool active_ = false;
};

class TerminalPrompter final : public Prompter {
public:
    std::string ask(std::string_view question, std::string_view default_answer) override {
        std::string text(question);
        if (!default_answer.empty()) text += " [" + std::string(default_answer) + "]";
        write_stderr(text + ": ");
        std::string answer = read_line_or_throw();
        const auto first = answer.find_first_not_of(" \t");
        if (first == std::string::npos) return std::string(default_answer);
        return answer.substr(first, answer.find_last_not_of(" \t") - first + 1);
    }

    bool confirm(std::string_view question, bool default_yes) override {
        for (;;) {
            write_stderr(std::string(question) + (default_yes ? " [Y/n]: " : " [y/N]: "));
            const std::string answer = read_line_or_throw();
            if (answer.empty()) return default_yes;
            if (answer == "y" || answer == "Y" || answer == "yes") return true;
            if (answer == "n" || answer == "N" || answer == "no") return false;
        }
    }

    std::string ask_secret(std::string_view question) override {
        write_stderr(std::string(question) + ": ");
        const EchoOff echo_off;
        return read_line_or_throw();
    }
};

}  // namespace

std::unique_ptr<Prompter> make_terminal_prompter() { return std::make_unique<TerminalPrompter>(); }

bool stdin_is_tty() { return ::isatty(STDIN_FILENO) == 1; }

std::string read_all_stdin() {
    std::string content;
    char buf[4096];
    for (;;) {
        const ssize_t n = ::read(STDIN_FILENO, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        content.append(buf, static_cast<std::size_t>(n));
        if (content.size() > 64 * 1024) {
            throw Error(ErrorKind::Usage, "stdin is larger than 64 KiB; expected just the token",
                        "pipe only the token: printf %s \"$TOKEN\" | ccu gist set-token");
        }
    }
    return content;
}

}  // namespace ccu::auth
