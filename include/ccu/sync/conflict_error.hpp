#pragma once
#include <string>

#include "ccu/common/error.hpp"

namespace ccu::sync {

inline constexpr int kMaxMergeAttempts = 3;

// A lost update that re-merging could not fix within kMaxMergeAttempts (exit 5). The message
// is the seed's text; the CLI adds "✗ Conflict Error" and the numbered suggestions.
class ConflictError : public ccu::Error {
public:
    ConflictError()
        : Error(ErrorKind::Conflict,
                "Cannot auto-resolve conflict after " + std::to_string(kMaxMergeAttempts) +
                    " retries.\n"
                    "Remote Gist has newer changes from another device.\n"
                    "Run 'ccu gist pull' to sync latest data, then push again.\n"
                    "Or use 'ccu gist push --force' to override (may lose data).",
                "1. Run ccu gist pull to sync latest data, then push again\n"
                "2. Or use ccu gist push --force to override (may lose data)") {}
};

}  // namespace ccu::sync
