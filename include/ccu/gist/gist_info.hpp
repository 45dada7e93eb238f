#pragma once
// `ccu gist info`: what the configured gist looks like on GitHub, as data, JSON and text.
#include <cstddef>
#include <string>

#include <nlohmann/json.hpp>

#include "ccu/gist/gist_api.hpp"

namespace ccu::gist {

struct GistInfo {
    Gist gist;                  // head revision as GET /gists/{id} returned it
    std::size_t revisions = 0;  // from the commits endpoint (history may be dropped by newer API versions)
};

// Two requests: GET /gists/{id} and the commit count. Throws ApiError (404 names the id).
GistInfo fetch_gist_info(GistApi& api, const std::string& gist_id);

// {"id","url","owner","visibility","description","created_at","updated_at","revisions",
//  "files_truncated","total_bytes","files":[{"name","size","truncated","type"}...]}
nlohmann::json gist_info_json(const GistInfo& info);

// Human lines (no trailing newline), e.g. "Gist:        abc123 (secret)".
std::string format_gist_info(const GistInfo& info);

}  // namespace ccu::gist
