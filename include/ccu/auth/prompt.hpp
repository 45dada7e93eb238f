#pragma once
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace ccu::auth {

// The seam for questions to the user (setup, set-token). The terminal implementation writes
// the question to stderr and reads stdin; tests hand in scripted answers.
class Prompter {
public:
    virtual ~Prompter() = default;
    // Returns the answer, or `default_answer` for an empty line. Throws ccu::Error(Usage) at EOF.
    virtual std::string ask(std::string_view question, std::string_view default_answer) = 0;
    virtual bool confirm(std::string_view question, bool default_yes) = 0;
    // No echo (termios); the answer is never written anywhere.
    virtual std::string ask_secret(std::string_view question) = 0;
};

std::unique_ptr<Prompter> make_terminal_prompter();

// All of stdin (bounded to 64 KiB), for `printf %s "$TOKEN" | ccu gist set-token`.
std::string read_all_stdin();
bool stdin_is_tty();

}  // namespace ccu::auth
