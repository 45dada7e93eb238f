#pragma once
#include <string>
#include <string_view>

namespace ccu::log {

// Sets up spdlog on stderr: verbosity 0 = warnings, 1 (-v) = info, 2+ (-vv) = debug.
void init(int verbosity);

// Every log line passes through a redacting sink: registered secrets (the token) are replaced
// by "[REDACTED]" before anything is written. Register a secret as soon as it is loaded.
void register_secret(const std::string& secret);
std::string redact(std::string_view text);

}  // namespace ccu::log
