#pragma once
#include <map>
#include <optional>
#include <set>
#include <string>

#include "ccu/gist/gist_api.hpp"
#include "ccu/sync/manifest.hpp"

namespace ccu::sync {

// One read of the gist and the file contents fetched from it. Content comes from the gist
// response unless the file is truncated or empty (GitHub quirk), then from raw_url (docs/format.md §10).
class RemoteGist {
public:
    RemoteGist(gist::GistApi& api, gist::Gist gist);

    const gist::Gist& gist() const { return gist_; }
    std::set<std::string> file_names() const;
    bool has(const std::string& name) const { return gist_.files.count(name) != 0; }
    const gist::GistFile* file(const std::string& name) const;
    // Head commit sha as the response carried it ("" when the API sent no history).
    std::string head_version() const;

    // Full content of a file; fetched through raw_url when needed (then cached). Throws
    // ccu::Error(Network) when the fetch fails, ccu::Error(InvalidRemote) when the file is absent.
    const std::string& content(const std::string& name);

    // The parsed manifest.json, or nullopt when the gist has none (a fresh gist). A manifest
    // that cannot be downloaded or parsed is an error — never an empty manifest.
    std::optional<Manifest> manifest();

private:
    gist::GistApi& api_;
    gist::Gist gist_;
    std::map<std::string, std::string> fetched_;
};

}  // namespace ccu::sync
