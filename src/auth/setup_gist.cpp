#include "setup_gist.hpp"

#include <algorithm>

#include "ccu/common/error.hpp"
#include "ccu/gist/errors.hpp"

namespace ccu::auth::detail {

namespace {

constexpr const char* kManifest = "manifest.json";

bool has_file(const gist::GistSummary& g, std::string_view name) {
    return std::find(g.filenames.begin(), g.filenames.end(), name) != g.filenames.end();
}

// Newest first, so "the" gist of several is the one used most recently.
std::vector<gist::GistSummary> newest_first(std::vector<gist::GistSummary> gists) {
    std::stable_sort(gists.begin(), gists.end(),
                     [](const auto& a, const auto& b) { return a.updated_at > b.updated_at; });
    return gists;
}

std::string id_list(const std::vector<gist::GistSummary>& gists) {
    std::string out;
    for (const auto& g : gists) out += (out.empty() ? "" : ", ") + g.id + " (updated " + g.updated_at + ")";
    return out;
}

std::string seed_for(const GistContext& ctx) {
    return ctx.deps.make_empty_manifest ? ctx.deps.make_empty_manifest(ctx.now_rfc3339)
                                        : seed_manifest_json(ctx.now_rfc3339);
}

gist::Gist fetch(GistContext& ctx, const std::string& id, const std::string& hint) {
    try {
        return ctx.api.get_gist(id);
    } catch (const gist::ApiError& e) {
        if (e.api_kind() != gist::ApiErrorKind::NotFound) throw;
        throw Error(ErrorKind::NotConfigured,
                    "gist " + id + " does not exist or is not visible to this token (" + ctx.login + ")", hint);
    }
}

ChosenGist create(GistContext& ctx) {
    auto made = ctx.api.create_gist(kCcuGistDescription, {{kManifest, seed_for(ctx)}}, gist::Visibility::Secret);
    return {std::move(made), GistOrigin::Created};
}

// A gist named by --gist-id: ours (existing), or anyone else's layout we start using (adopted).
ChosenGist use_id(GistContext& ctx, const std::string& id) {
    gist::Gist g = fetch(ctx, id, "check the ID (the last part of the gist URL), or run 'ccu gist setup --create'");
    if (!g.owner_login.empty() && g.owner_login != ctx.login) {
        throw Error(ErrorKind::NotConfigured,
                    "gist " + id + " belongs to " + g.owner_login + ", not to " + ctx.login +
                        " (the token's user); ccu can only write to your own gists",
                    "use a token of " + g.owner_login + ", or pass --create for a gist of your own");
    }
    if (g.is_public) {
        ctx.warnings.push_back("gist " + id + " is public: anyone can read this usage data; ccu creates "
                               "secret gists (--create) for that reason");
    }
    const bool ours = id == ctx.configured_id || g.description == kCcuGistDescription;
    if (!g.files.count(kManifest)) {
        // Mark the gist as a ccu gist so pushes from other machines find the index.
        g = ctx.api.patch_gist(id, {{kManifest, gist::FileChange::write(seed_for(ctx))}});
        ctx.warnings.push_back("gist " + id + " had no manifest.json; wrote an empty one");
    }
    return {std::move(g), ours ? GistOrigin::Existing : GistOrigin::Adopted};
}

ChosenGist pick_among_ccu_gists(GistContext& ctx, const std::vector<gist::GistSummary>& ours) {
    if (!ctx.interactive) {
        throw Error(ErrorKind::Usage, "found " + std::to_string(ours.size()) + " ccu gists: " + id_list(ours),
                    "choose one with --gist-id ID");
    }
    const std::string id = ctx.deps.prompter->ask(
        "Found several ccu gists: " + id_list(ours) + ". Which one should this machine use", ours.front().id);
    return use_id(ctx, id);
}

ChosenGist create_or_refuse(GistContext& ctx) {
    if (ctx.options.yes) return create(ctx);
    if (ctx.interactive && ctx.deps.prompter->confirm("No ccu gist found for " + ctx.login +
                                                          ". Create a new private (secret) gist?",
                                                      true)) {
        return create(ctx);
    }
    throw Error(ErrorKind::Usage, "no ccu gist found for GitHub user " + ctx.login + " and none was created",
                "pass --create to make a new private gist, or --gist-id ID to use an existing one");
}

ChosenGist find_or_create(GistContext& ctx) {
    std::vector<gist::GistSummary> ours;
    std::vector<gist::GistSummary> origin;
    for (const auto& g : ctx.api.list_user_gists()) {
        if (g.description == kCcuGistDescription && has_file(g, kManifest)) ours.push_back(g);
        if (g.description == kOriginGistDescription) origin.push_back(g);
    }
    ours = newest_first(std::move(ours));
    origin = newest_first(std::move(origin));
    if (ours.size() == 1) return {fetch(ctx, ours.front().id, "run 'ccu gist setup' again"), GistOrigin::Existing};
    if (ours.size() > 1) return pick_among_ccu_gists(ctx, ours);
    if (!origin.empty()) {
        const auto& candidate = origin.front();
        if (origin.size() > 1) {
            ctx.warnings.push_back("found " + std::to_string(origin.size()) +
                                   " claude-code-usage-analytics gists: " + id_list(origin) +
                                   "; using the newest");
        }
        bool adopt = ctx.options.yes;
        if (!adopt && ctx.interactive) {
            adopt = ctx.deps.prompter->confirm("Found gist " + candidate.id +
                                                   " written by claude-code-usage-analytics (updated " +
                                                   candidate.updated_at + "). Use it for ccu too?",
                                               true);
        } else if (!adopt) {
            throw Error(ErrorKind::Usage,
                        "found gist " + candidate.id + " written by claude-code-usage-analytics; not adopting it "
                        "without being asked",
                        "pass --gist-id " + candidate.id + " (or --yes) to use it, or --create for a new gist");
        }
        if (adopt) return {use_id(ctx, candidate.id).gist, GistOrigin::Adopted};
    }
    return create_or_refuse(ctx);
}

}  // namespace

std::string manifest_text(gist::GistApi& api, const gist::Gist& gist) {
    const auto it = gist.files.find(kManifest);
    if (it == gist.files.end()) return {};
    const auto& file = it->second;
    // GitHub cuts content at 1 MiB and has returned small files empty: then raw_url is the truth.
    if (file.truncated || file.content.empty()) return file.raw_url.empty() ? std::string() : api.get_raw(file.raw_url);
    return file.content;
}

ChosenGist choose_gist(GistContext& ctx) {
    switch (ctx.options.gist) {
        case GistChoice::UseId: return use_id(ctx, ctx.options.gist_id);
        case GistChoice::Create: return create(ctx);
        case GistChoice::Auto: break;
    }
    if (!ctx.configured_id.empty()) {
        return {fetch(ctx, ctx.configured_id,
                      "run 'ccu gist setup --create' for a new gist, or '--gist-id ID' to use another one"),
                GistOrigin::Existing};
    }
    return find_or_create(ctx);
}

}  // namespace ccu::auth::detail
