#pragma once
#include <chrono>

namespace ccu::git {

// Registers ccu's plain socket stream with libgit2 (once, from lg::ensure_initialized): connects
// and reads/writes bounded by the timeouts below (socket_stream.cpp says why).
void register_timed_socket_stream();
// Process-wide, as the libgit2 stream registry is: the last Mirror constructed sets them.
void set_socket_timeouts(std::chrono::milliseconds connect, std::chrono::milliseconds stall);

}  // namespace ccu::git
