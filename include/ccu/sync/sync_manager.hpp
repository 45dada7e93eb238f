#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "ccu/common/clock.hpp"
#include "ccu/common/config.hpp"
#include "ccu/common/environment.hpp"
#include "ccu/sync/events.hpp"

namespace ccu::gist {
class GistApi;
}
namespace ccu::store {
class Store;
}

namespace ccu::sync {

// `--force` skips the verify-after-write conflict detection (last writer wins for manifest.json).
enum class ConflictMode { Detect, Force };
// `--dry-run` reads the gist, prints the plan and sends no write.
enum class WriteMode { Write, DryRun };
// Whether push/pull first scans ~/.claude/projects (the CLI does; in-process tests may not).
enum class LocalRefresh { Scan, Skip };

struct PlannedFile {
    std::string name;
    enum class Action { Write, Delete } action = Action::Write;
    std::size_t bytes = 0;
    std::size_t records = 0;
};

struct PushResult {
    bool uploaded = false;          // a PATCH was sent and verified
    bool nothing_to_do = false;     // no new records and the remote entry is intact
    std::size_t new_records = 0;    // records of this machine not pushed before
    std::vector<PlannedFile> files; // what the PATCH carried (or would carry, with --dry-run)
    int conflicts_resolved = 0;     // re-merges after a lost update
    bool backup_created = false;
    std::vector<std::string> backups_deleted;
};

struct InvalidFile {
    std::string name;
    std::string reason;
};

struct PullResult {
    bool not_modified = false;       // conditional GET said 304
    std::size_t files_fetched = 0;
    std::size_t files_skipped_unchanged = 0;
    std::size_t records_new = 0;
    std::size_t records_updated = 0;
    std::size_t records_duplicate = 0;
    std::size_t records_invalid = 0;
    std::vector<InvalidFile> invalid_files;
};

// The one place push/pull/sync happen. Every side effect is handed in: the Gist API, the
// store, the clock (backoff, dates), and the event sink. The caller holds nothing else.
class SyncManager {
public:
    SyncManager(gist::GistApi& api, store::Store& store, Clock& clock, Config config, Paths paths,
                EventSink& events);

    void set_local_refresh(LocalRefresh refresh) { refresh_ = refresh; }
    // Deterministic jitter in tests.
    void set_jitter_seed(std::uint64_t seed) { jitter_seed_ = seed; }

    // docs/format.md §8 "Push". Throws ccu::Error: Locked (7), Network (4), Conflict (5),
    // InvalidRemote (6), ...
    PushResult push(ConflictMode conflict, WriteMode write = WriteMode::Write);
    // docs/format.md §9 "Pull": imports every machine's records. An invalid manifest or data file
    // is not thrown: it is skipped, listed in PullResult::invalid_files and recorded as the last
    // error, and the rest is imported (the CLI exits 6 for it). Throws ccu::Error: NotConfigured
    // (3: no gist configured, token refused, gist gone), Network (4), Locked (7), and
    // InvalidRemote (6) only for a listed file that cannot be read at all (truncated, no raw_url).
    PullResult pull();
    struct SyncResult {
        PullResult pull;
        PushResult push;
    };
    SyncResult sync(ConflictMode conflict);

    const Config& config() const { return config_; }

private:
    friend class PushRun;
    friend class PullRun;
    void refresh_local_store();
    template <typename F>
    auto recording_errors(const char* command, F&& body) -> decltype(body());

    gist::GistApi& api_;
    store::Store& store_;
    Clock& clock_;
    Config config_;
    Paths paths_;
    EventSink& events_;
    LocalRefresh refresh_ = LocalRefresh::Scan;
    std::uint64_t jitter_seed_ = 0;
};

}  // namespace ccu::sync
