#pragma once
#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "ccu/common/clock.hpp"
#include "ccu/gist/gist_api.hpp"
#include "ccu/sync/events.hpp"
#include "ccu/sync/manifest.hpp"

namespace ccu::sync {

// What one PATCH wrote: the head it was based on, its own commit, and the manifest it sent.
struct WrittenState {
    std::string base_version;
    std::string our_version;  // "" when the PATCH response carried no history
    Manifest manifest;
};

// Verify-after-write (docs/format.md §8 "Push"): GitHub has no compare-and-swap, so after a PATCH we read the
// commit list back. A commit of another writer between our base and our write means our
// manifest.json replaced theirs: merge their revision's manifest in (a join, so this converges)
// and PATCH again, with exponential backoff + jitter, up to kMaxMergeAttempts times.
class WriteVerifier {
public:
    WriteVerifier(gist::GistApi& api, Clock& clock, EventSink& events, std::string gist_id,
                  MachineEntry our_entry, std::uint64_t jitter_seed);

    // Returns the number of re-merges it took; throws ConflictError when they did not converge.
    int verify(WrittenState written);

private:
    struct Check {
        bool ok = false;
        std::vector<Manifest> lost;        // manifests our write replaced
        std::optional<Manifest> head;      // head manifest when it had to be read
        std::string head_version;
        std::set<std::string> head_files;
        std::string remote_timestamp;
    };
    Check check(const WrittenState& written);
    WrittenState remerge(const WrittenState& written, const Check& found);
    void announce(const WrittenState& written, const Check& found, int attempt);
    std::chrono::milliseconds backoff(int attempt);

    gist::GistApi& api_;
    Clock& clock_;
    EventSink& events_;
    std::string gist_id_;
    MachineEntry our_entry_;
    std::mt19937_64 rng_;
};

}  // namespace ccu::sync
