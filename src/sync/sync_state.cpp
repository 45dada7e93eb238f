#include "ccu/sync/sync_state.hpp"

#include <nlohmann/json.hpp>

#include "ccu/store/store.hpp"

namespace ccu::sync {
using nlohmann::json;

SyncState::SyncState(store::Store& store, std::string gist_id)
    : store_(store), prefix_("sync." + std::move(gist_id) + ".") {}

std::optional<std::string> SyncState::get(const std::string& key) const { return store_.get_meta(prefix_ + key); }
void SyncState::set(const std::string& key, const std::string& value) { store_.set_meta(prefix_ + key, value); }

std::int64_t SyncState::pushed_sequence() const {
    const auto v = get("pushed_sequence");
    if (!v) return 0;
    try {
        return std::stoll(*v);
    } catch (const std::exception&) {
        return 0;  // unreadable state: push everything again (duplicates are merged remotely)
    }
}
void SyncState::set_pushed_sequence(std::int64_t sequence) { set("pushed_sequence", std::to_string(sequence)); }

std::string SyncState::push_etag() const { return get("push_etag").value_or(""); }
void SyncState::set_push_etag(const std::string& etag) { set("push_etag", etag); }
std::string SyncState::pull_etag() const { return get("pull_etag").value_or(""); }
void SyncState::set_pull_etag(const std::string& etag) { set("pull_etag", etag); }

std::optional<std::string> SyncState::last_push() const { return get("last_push"); }
void SyncState::set_last_push(const std::string& rfc3339) { set("last_push", rfc3339); }
std::optional<std::string> SyncState::last_pull() const { return get("last_pull"); }
void SyncState::set_last_pull(const std::string& rfc3339) { set("last_pull", rfc3339); }

std::map<std::string, SeenFile> SyncState::pulled_files() const {
    std::map<std::string, SeenFile> files;
    const auto text = get("pulled_files");
    if (!text) return files;
    const json j = json::parse(*text, nullptr, false);
    if (!j.is_object()) return files;  // unreadable: fetch everything again
    for (auto it = j.begin(); it != j.end(); ++it) {
        if (!it->is_object()) continue;
        files[it.key()] = SeenFile{it->value("raw_url", ""), it->value("size", std::int64_t{0})};
    }
    return files;
}

void SyncState::set_pulled_files(const std::map<std::string, SeenFile>& files) {
    json j = json::object();
    for (const auto& [name, seen] : files) j[name] = {{"raw_url", seen.raw_url}, {"size", seen.size}};
    set("pulled_files", j.dump());
}

std::optional<LastError> SyncState::last_error() const {
    const auto text = get("last_error");
    if (!text || text->empty()) return std::nullopt;
    const json j = json::parse(*text, nullptr, false);
    if (!j.is_object()) return std::nullopt;
    return LastError{j.value("command", ""), j.value("kind", ""), j.value("message", ""), j.value("at", "")};
}

void SyncState::set_last_error(const LastError& error) {
    set("last_error",
        json{{"command", error.command}, {"kind", error.kind}, {"message", error.message}, {"at", error.at}}.dump());
}
void SyncState::clear_last_error() { set("last_error", ""); }

}  // namespace ccu::sync
