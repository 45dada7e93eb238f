#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>

#include "ccu/sync/rest_remote_store.hpp"

namespace ccu::store {
class Store;
}

namespace ccu::sync {

// What ccu remembers about a gist file it has read or written: a file whose content id (the git
// blob sha) and size are unchanged is not fetched again.
struct SeenFile {
    std::string content_id;
    std::int64_t size = 0;
    friend bool operator==(const SeenFile&, const SeenFile&) = default;
};

struct LastError {
    std::string command;  // "push", "pull", ...
    std::string kind;     // error_kind_name
    std::string message;
    std::string at;       // RFC 3339
};

// Sync state kept in the store's meta table (one SQLite file, transactional with the records),
// keyed by gist id so switching gists starts over cleanly.
class SyncState {
public:
    SyncState(store::Store& store, std::string gist_id);

    // Highest store sequence whose records of this machine are in the gist (0: none).
    std::int64_t pushed_sequence() const;
    void set_pushed_sequence(std::int64_t sequence);

    // The remote version the last push left (or found nothing to do at), and the last pull read:
    // load(known) then answers "unchanged" with one small request.
    std::string push_version() const;
    void set_push_version(const std::string& version);
    std::string pull_version() const;
    void set_pull_version(const std::string& version);

    // This machine's current file as its last push wrote it: when the gist still holds these bytes
    // (same blob id), push merges into the local copy instead of downloading it.
    std::optional<std::pair<std::string, std::string>> own_current() const;  // (name, content)
    void set_own_current(const std::string& name, const std::string& content);

    // The gist's git_push_url as the API last gave it ("" unknown): the git transport needs no
    // REST request once it is known.
    std::string git_url() const;
    void set_git_url(const std::string& url);

    std::optional<std::string> last_push() const;
    void set_last_push(const std::string& rfc3339);
    std::optional<std::string> last_pull() const;
    void set_last_pull(const std::string& rfc3339);

    // Files imported by pull, by name.
    std::map<std::string, SeenFile> pulled_files() const;
    void set_pulled_files(const std::map<std::string, SeenFile>& files);

    std::optional<LastError> last_error() const;
    void set_last_error(const LastError& error);
    void clear_last_error();

private:
    std::optional<std::string> get(const std::string& key) const;
    void set(const std::string& key, const std::string& value);

    store::Store& store_;
    std::string prefix_;
};

// The REST store's ETag memory in the sync state (one (version, ETag) pair per gist).
class StoredEtags final : public EtagMemory {
public:
    StoredEtags(store::Store& store, std::string gist_id);
    std::optional<std::pair<std::string, std::string>> recall() const override;
    void remember(const std::string& version, const std::string& etag) override;

private:
    store::Store& store_;
    std::string key_;
};

}  // namespace ccu::sync
