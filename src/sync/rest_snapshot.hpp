#pragma once
// A RemoteSnapshot over one REST response (private to the sync module).
#include <map>
#include <string>
#include <vector>

#include "ccu/gist/gist_api.hpp"
#include "ccu/sync/remote_store.hpp"

namespace ccu::sync {

class RestSnapshot final : public RemoteSnapshot {
public:
    // `version`/`committed_at`: the head commit (from the response's history, or the commit list).
    RestSnapshot(gist::GistApi& api, gist::Gist gist, std::string version, std::string committed_at);

    const std::string& version() const override { return version_; }
    const std::string& committed_at() const override { return committed_at_; }
    std::vector<std::string> file_names() const override;
    bool has(const std::string& name) const override { return gist_.files.count(name) != 0; }
    std::int64_t size(const std::string& name) const override;
    // The blob sha GitHub puts into raw_url (…/raw/<sha>/<name>); the raw_url itself otherwise.
    std::string content_id(const std::string& name) const override;
    // The response's content, or raw_url when the file is truncated or empty (GitHub cuts content
    // at 1 MiB and has returned small files empty when a sibling was large).
    const std::string& content(const std::string& name) override;
    void forget_content(const std::string& name) override { fetched_.erase(name); }

private:
    const gist::GistFile& file(const std::string& name) const;

    gist::GistApi& api_;
    gist::Gist gist_;
    std::string version_;
    std::string committed_at_;
    std::map<std::string, std::string> fetched_;
};

}  // namespace ccu::sync
