#include "ccu/sync/sync_state.hpp"

#include <nlohmann/json.hpp>

#include "ccu/store/store.hpp"

namespace ccu::sync {
using nlohmann::json;

SyncState::SyncState(store::Store& store, std::string gist_id)
    : store_(store), prefix_("sync." + std::move(gist_id) + ".") {}

std::string SyncState::git_url() const { return get("git_url").value_or(""); }
void SyncState::set_git_url(const std::string& url) { set("git_url", url); }

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

std::string SyncState::push_version() const { return get("push_version").value_or(""); }
void SyncState::set_push_version(const std::string& version) { set("push_version", version); }
std::string SyncState::pull_version() const { return get("pull_version").value_or(""); }
void SyncState::set_pull_version(const std::string& version) { set("pull_version", version); }

// Two raw values, the file's name and its bytes. ccu before them kept one JSON object
// {"name","content"} under "own_current": the whole file escaped into a JSON string, dumped and
// parsed again character by character at every push (bench/README.md "Parts of 512 KiB
// over git"). That key is still read, and emptied once the raw ones are written.
std::optional<std::pair<std::string, std::string>> SyncState::own_current() const {
    auto name = get("own_current_name");
    auto content = get("own_current_content");
    if (name && content) return std::make_pair(std::move(*name), std::move(*content));
    const auto text = get("own_current");
    if (!text || text->empty()) return std::nullopt;
    const json j = json::parse(*text, nullptr, false);
    if (!j.is_object() || !j.contains("name") || !j["name"].is_string() || !j.contains("content") ||
        !j["content"].is_string()) {
        return std::nullopt;  // unreadable: download the file instead
    }
    return std::make_pair(j["name"].get<std::string>(), j["content"].get<std::string>());
}
void SyncState::set_own_current(const std::string& name, const std::string& content) {
    set("own_current_name", name);
    set("own_current_content", content);
    if (const auto legacy = get("own_current"); legacy && !legacy->empty()) set("own_current", "");
}

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
        // State written before content ids (a "raw_url" key) reads as unseen: fetched once more.
        files[it.key()] = SeenFile{it->value("content_id", ""), it->value("size", std::int64_t{0})};
    }
    return files;
}

void SyncState::set_pulled_files(const std::map<std::string, SeenFile>& files) {
    json j = json::object();
    for (const auto& [name, seen] : files) j[name] = {{"content_id", seen.content_id}, {"size", seen.size}};
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

StoredEtags::StoredEtags(store::Store& store, std::string gist_id)
    : store_(store), key_("sync." + std::move(gist_id) + ".rest_etag") {}

std::optional<std::pair<std::string, std::string>> StoredEtags::recall() const {
    const auto text = store_.get_meta(key_);
    if (!text) return std::nullopt;
    const json j = json::parse(*text, nullptr, false);
    if (!j.is_object() || !j.value("version", json()).is_string() || !j.value("etag", json()).is_string()) {
        return std::nullopt;
    }
    return std::make_pair(j["version"].get<std::string>(), j["etag"].get<std::string>());
}

void StoredEtags::remember(const std::string& version, const std::string& etag) {
    store_.set_meta(key_, json{{"version", version}, {"etag", etag}}.dump());
}

}  // namespace ccu::sync
