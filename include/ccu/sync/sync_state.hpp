#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>

namespace ccu::store {
class Store;
}

namespace ccu::sync {

// What ccu remembers about a gist file it has read: a file whose raw_url (it carries the
// revision) and size are unchanged is not fetched again.
struct SeenFile {
    std::string raw_url;
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

    std::string push_etag() const;
    void set_push_etag(const std::string& etag);
    std::string pull_etag() const;
    void set_pull_etag(const std::string& etag);

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

}  // namespace ccu::sync
