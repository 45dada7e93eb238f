#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "ccu/common/clock.hpp"
#include "ccu/common/config.hpp"
#include "ccu/common/environment.hpp"
#include "ccu/sync/events.hpp"

namespace ccu::pricing {
class PriceTable;
}
namespace ccu::store {
class Store;
}

namespace ccu::sync {

class RemoteStore;

// `--force` skips the REST read-back after the PATCH (last writer wins for manifest.json).
enum class ConflictMode { Detect, Force };
// `--dry-run` reads the gist, prints the plan and sends no write.
enum class WriteMode { Write, DryRun };
// Brings the local store up to date with this machine's logs before a push. The CLI passes the
// scan of ~/.claude (cli/local_refresh); in-process tests pass a function that does nothing.
using LocalRefreshFn = std::function<void(store::Store&)>;

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
    bool not_modified = false;       // nobody wrote since the last pull (one small request)
    std::size_t files_fetched = 0;
    std::size_t files_skipped_unchanged = 0;
    std::size_t records_new = 0;
    std::size_t records_updated = 0;
    std::size_t records_duplicate = 0;
    std::size_t records_invalid = 0;
    std::vector<InvalidFile> invalid_files;
};

// Throws ccu::Error(NotConfigured) unless setup has chosen a gist and a machine name (exit 3).
void require_configured(const Config& config);

// The one place push/pull/sync happen. Every side effect is handed in: the remote store (git or
// REST), the local store, the clock (backoff, dates), the event sink, the price table (cost_usd of
// exported records) and the local refresh. The caller holds nothing else.
class SyncManager {
public:
    SyncManager(RemoteStore& remote, store::Store& store, Clock& clock, Config config, Paths paths,
                EventSink& events, const pricing::PriceTable& prices, LocalRefreshFn refresh);

    // Deterministic jitter in tests (otherwise seeded from this machine's id and the time).
    void set_jitter_seed(std::uint64_t seed) { jitter_seed_ = seed; }

    // docs/format.md §8. Throws ccu::Error: Locked (7), Network (4), Conflict (5), InvalidRemote (6), ...
    PushResult push(ConflictMode conflict, WriteMode write = WriteMode::Write);
    // Imports every machine's records (docs/format.md §9). Invalid files are skipped and listed in
    // PullResult::invalid_files (the CLI exits 6 for them); the rest is imported.
    PullResult pull();
    struct SyncResult {
        PullResult pull;
        PushResult push;
    };
    SyncResult sync(ConflictMode conflict);

    const Config& config() const { return config_; }

private:
    template <typename F>
    auto recording_errors(const char* command, F&& body) -> decltype(body());

    RemoteStore& remote_;
    store::Store& store_;
    Clock& clock_;
    Config config_;
    Paths paths_;
    EventSink& events_;
    const pricing::PriceTable& prices_;
    LocalRefreshFn refresh_;
    std::uint64_t jitter_seed_ = 0;
};

}  // namespace ccu::sync
