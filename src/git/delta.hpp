#pragma once
// Git's delta format (the "delta data" of a pack entry, gitformat-pack(5) "Deltified
// representation"): a thin push sends a changed file as the instructions that rebuild it from the
// version the server already holds (thin_pack.hpp).
#include <string>
#include <string_view>

namespace ccu::git {

// Instructions that rebuild `target` from `base`: copies of base ranges found by 16-byte blocks
// (the way git's diff-delta indexes its source), literal inserts for the rest. Always valid;
// small when the two share long runs (a file that grew at its end, a tree with one entry changed).
std::string make_delta(std::string_view base, std::string_view target);

// `delta` applied to `base`; throws std::invalid_argument when the delta is malformed or was made
// from another base (its recorded sizes disagree).
std::string apply_delta(std::string_view base, std::string_view delta);

}  // namespace ccu::git
