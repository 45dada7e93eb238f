#include "ccu/common/text.hpp"
#include "ccu/gist/gist_info.hpp"

#include <cstdio>

namespace ccu::gist {
namespace {

std::int64_t total_bytes(const Gist& g) {
    std::int64_t total = 0;
    for (const auto& [name, f] : g.files) total += f.size;
    return total;
}

std::string visibility(const Gist& g) { return g.is_public ? "public" : "secret"; }

}  // namespace

GistInfo fetch_gist_info(GistApi& api, const std::string& gist_id) {
    GistInfo info;
    info.gist = api.get_gist(gist_id);
    info.revisions = api.count_commits(gist_id);
    return info;
}

nlohmann::json gist_info_json(const GistInfo& info) {
    const Gist& g = info.gist;
    nlohmann::json files = nlohmann::json::array();
    for (const auto& [name, f] : g.files) {
        files.push_back({{"name", name}, {"size", f.size}, {"truncated", f.truncated}, {"type", f.type}});
    }
    return {{"id", g.id},
            {"url", g.html_url},
            {"owner", g.owner_login},
            {"visibility", visibility(g)},
            {"description", g.description},
            {"created_at", g.created_at},
            {"updated_at", g.updated_at},
            {"revisions", info.revisions},
            {"files_truncated", g.files_truncated},
            {"total_bytes", total_bytes(g)},
            {"files", std::move(files)}};
}

std::string format_gist_info(const GistInfo& info) {
    const Gist& g = info.gist;
    std::string out;
    out += "Gist:        " + g.id + " (" + visibility(g) + ")\n";
    out += "URL:         " + g.html_url + "\n";
    out += "Owner:       " + g.owner_login + "\n";
    if (!g.description.empty()) out += "Description: " + g.description + "\n";
    out += "Created:     " + g.created_at + "\n";
    out += "Updated:     " + g.updated_at + "\n";
    out += "Revisions:   " + std::to_string(info.revisions) + "\n";
    out += "Files:       " + std::to_string(g.files.size()) + " (" + human_bytes(static_cast<std::uint64_t>(total_bytes(g))) + ")";
    if (g.files_truncated) out += " - GitHub lists only the first 300";
    std::size_t width = 0;
    for (const auto& [name, f] : g.files) width = std::max(width, name.size());
    for (const auto& [name, f] : g.files) {
        out += "\n  " + name + std::string(width - name.size() + 2, ' ') + human_bytes(static_cast<std::uint64_t>(f.size));
        if (f.truncated) out += "  (truncated in the API response; read via raw_url)";
    }
    return out;
}

}  // namespace ccu::gist
