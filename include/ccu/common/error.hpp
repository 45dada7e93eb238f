#pragma once
#include <stdexcept>
#include <string>

namespace ccu {

// What went wrong, in the terms of the exit codes (docs/cli.md). Lower layers throw ccu::Error
// (or a subclass) with a kind; only cli/ turns the kind into a process exit code.
enum class ErrorKind {
    Unexpected,     // 1
    Usage,          // 2
    NotConfigured,  // 3: not configured, no token, auth refused
    Network,        // 4: network or API failure after retries (incl. rate limit beyond budget)
    Conflict,       // 5: conflict not resolved
    InvalidRemote,  // 6: invalid remote data (others imported)
    Locked,         // 7: another ccu sync holds the lock
};

int exit_code_for(ErrorKind kind);
std::string_view error_kind_name(ErrorKind kind);  // stable identifier for --json output

class Error : public std::runtime_error {
public:
    // `message` says what happened; `hint` says what the user can do next (may be empty).
    Error(ErrorKind kind, const std::string& message, std::string hint = {});

    ErrorKind kind() const noexcept { return kind_; }
    const std::string& hint() const noexcept { return hint_; }

private:
    ErrorKind kind_;
    std::string hint_;
};

}  // namespace ccu
