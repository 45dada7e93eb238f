#pragma once
// Internal to setup: finding, adopting or creating the gist. Not a public header.
#include <string>
#include <vector>

#include "ccu/sync/setup.hpp"

namespace ccu::sync::detail {

struct ChosenGist {
    gist::Gist gist;
    GistOrigin origin = GistOrigin::Existing;
};

struct GistContext {
    gist::GistApi& api;
    const SetupOptions& options;
    const SetupDeps& deps;
    bool interactive = false;
    std::string configured_id;  // config.json gist_id, may be empty
    std::string login;
    std::string now_rfc3339;
    std::vector<std::string>& warnings;
};

ChosenGist choose_gist(GistContext& ctx);

// manifest.json text of a gist (raw_url when the API cut or emptied it); empty when there is none.
std::string manifest_text(gist::GistApi& api, const gist::Gist& gist);

}  // namespace ccu::sync::detail
