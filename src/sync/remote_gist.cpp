#include "ccu/sync/remote_gist.hpp"

#include "ccu/common/error.hpp"

namespace ccu::sync {

RemoteGist::RemoteGist(gist::GistApi& api, gist::Gist gist) : api_(api), gist_(std::move(gist)) {}

std::set<std::string> RemoteGist::file_names() const {
    std::set<std::string> names;
    for (const auto& [name, file] : gist_.files) names.insert(name);
    return names;
}

const gist::GistFile* RemoteGist::file(const std::string& name) const {
    const auto it = gist_.files.find(name);
    return it == gist_.files.end() ? nullptr : &it->second;
}

std::string RemoteGist::head_version() const {
    return gist_.history.empty() ? std::string() : gist_.history.front().version;
}

const std::string& RemoteGist::content(const std::string& name) {
    if (const auto cached = fetched_.find(name); cached != fetched_.end()) return cached->second;
    const gist::GistFile* f = file(name);
    if (f == nullptr) throw Error(ErrorKind::InvalidRemote, "gist file '" + name + "' is missing");
    // GitHub cuts content at 1 MiB (truncated) and has returned small files empty when a
    // sibling was large: in both cases the raw_url is the truth.
    const bool needs_raw = f->truncated || f->content.empty();
    if (!needs_raw) return fetched_.emplace(name, f->content).first->second;
    if (f->raw_url.empty()) {
        throw Error(ErrorKind::InvalidRemote, "gist file '" + name + "' is truncated and has no raw_url");
    }
    return fetched_.emplace(name, api_.get_raw(f->raw_url)).first->second;
}

std::optional<Manifest> RemoteGist::manifest() {
    if (!has("manifest.json")) return std::nullopt;
    return Manifest::parse(content("manifest.json"));  // throws InvalidRemote when invalid
}

}  // namespace ccu::sync
