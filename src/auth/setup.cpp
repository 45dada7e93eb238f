#include "ccu/auth/setup.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "ccu/auth/token_resolver.hpp"
#include "ccu/common/error.hpp"
#include "ccu/common/log.hpp"
#include "ccu/common/time.hpp"
#include "ccu/gist/errors.hpp"
#include "setup_gist.hpp"

namespace ccu::auth {

std::string_view gist_origin_name(GistOrigin origin) {
    switch (origin) {
        case GistOrigin::Created: return "created";
        case GistOrigin::Adopted: return "adopted";
        case GistOrigin::Existing: return "existing";
    }
    return "existing";
}

std::string seed_manifest_json(const std::string& now_rfc3339) {
    const nlohmann::json seed = {{"version", "1.0"},
                                 {"last_updated", now_rfc3339},
                                 {"machines", nlohmann::json::array()},
                                 {"backup_retention_days", 30}};
    return seed.dump(2) + "\n";
}

namespace {

struct TokenInUse {
    std::string token;
    std::string source;
    std::optional<TokenStoreKind> store_new_in;  // prompted: store it here once GitHub accepted it
};

TokenInUse obtain_token(const Environment& env, const Paths& paths, const Config& config, bool interactive,
                        const SetupDeps& deps) {
    try {
        // Same order as resolve_token(), through the store seam.
        auto keyring = deps.open_store(TokenStoreKind::Keyring);
        std::unique_ptr<TokenStore> file;
        if (config.token_store == TokenStoreKind::File) file = deps.open_store(TokenStoreKind::File);
        auto resolved = resolve_token_from(env, *keyring, file.get());
        return {std::move(resolved.token), std::string(token_source_name(resolved.source)), std::nullopt};
    } catch (const Error& e) {
        if (!interactive || e.kind() != ErrorKind::NotConfigured) throw;
    }
    const std::string token = normalize_token(deps.prompter->ask_secret(
        "No GitHub token found. Paste a token with the 'gist' scope (create one at "
        "https://github.com/settings/tokens); input is hidden"));
    log::register_secret(token);
    TokenStoreKind where = TokenStoreKind::Keyring;
    try {
        (void)deps.open_store(TokenStoreKind::Keyring)->load();  // reachable?
    } catch (const Error&) {
        if (!deps.prompter->confirm("The system keyring is not available. Store the token in " +
                                        paths.token_file().string() + " (mode 0600) instead?",
                                    true)) {
            throw Error(ErrorKind::NotConfigured, "no place to store the token", keyring_unavailable_hint());
        }
        where = TokenStoreKind::File;
    }
    return {token, "prompt", where};
}

gist::GistUser check_user(gist::GistApi& api) {
    gist::GistUser user = api.get_user();
    // Classic tokens list their scopes; fine-grained tokens send no header and are accepted.
    if (user.scopes && std::find(user.scopes->begin(), user.scopes->end(), "gist") == user.scopes->end()) {
        throw gist::missing_gist_scope_error();
    }
    return user;
}

std::string choose_machine_name(const SetupOptions& options, const Config& config, bool interactive,
                                Prompter* prompter) {
    std::string name;
    if (options.machine_name) {
        name = *options.machine_name;
    } else {
        name = config.machine_name.empty() ? default_machine_name() : config.machine_name;
        if (interactive) name = prompter->ask("Name of this machine in the gist", name);
    }
    if (!is_valid_machine_name(name)) {
        throw Error(ErrorKind::Usage,
                    "machine name '" + name + "' is not valid: use letters, digits, '.' and '-' (no '_'), "
                    "start with a letter or digit, at most 63 characters",
                    "pass --machine-name NAME, e.g. --machine-name " + sanitize_machine_name(name));
    }
    return name;
}

// Another machine already pushes under this name: sharing it would mix two machines' files.
void check_name_free(gist::GistApi& api, const gist::Gist& gist, const std::string& name,
                     const std::string& machine_id, std::vector<std::string>& warnings) {
    const std::string text = detail::manifest_text(api, gist);
    if (text.empty()) return;
    const auto manifest = nlohmann::json::parse(text, nullptr, false);
    if (manifest.is_discarded() || !manifest.is_object() || !manifest.contains("machines") ||
        !manifest["machines"].is_array()) {
        warnings.push_back("the gist's manifest.json is not valid; 'ccu gist repair' can rebuild it");
        return;
    }
    for (const auto& entry : manifest["machines"]) {
        if (!entry.is_object() || entry.value("machine_name", std::string()) != name) continue;
        const auto id = entry.find("machine_id");
        if (id == entry.end() || !id->is_string() || id->get<std::string>() == machine_id) continue;
        throw Error(ErrorKind::Usage,
                    "machine name '" + name + "' is already used in gist " + gist.id +
                        " by another machine (machine_id " + id->get<std::string>() + ")",
                    "choose another name with --machine-name NAME (e.g. --machine-name " + name +
                        "-2); if this IS that machine reinstalled, set \"machine_id\": \"" +
                        id->get<std::string>() + "\" in config.json and run setup again");
    }
}

std::vector<std::string> describe_changes(const Config& before, const Config& after) {
    std::vector<std::string> changes;
    auto show = [](const std::string& v) { return v.empty() ? std::string("(none)") : v; };
    if (before.gist_id != after.gist_id) changes.push_back("gist: " + show(before.gist_id) + " -> " + after.gist_id);
    if (before.machine_name != after.machine_name) {
        changes.push_back("machine name: " + show(before.machine_name) + " -> " + after.machine_name);
    }
    if (before.machine_id != after.machine_id) changes.push_back("machine id: " + after.machine_id);
    if (before.token_store != after.token_store && after.token_store) {
        changes.push_back(std::string("token store: ") +
                          (*after.token_store == TokenStoreKind::File ? "file" : "keyring"));
    }
    return changes;
}

// Everything after the checks: local rename, then config.json (only when something changed).
void commit_setup(const Config& before, Config config, const Paths& paths, const SetupDeps& deps, SetupOutcome& out) {
    const std::string old_name = before.machine_name.empty() ? default_machine_name() : before.machine_name;
    if (old_name != out.machine_name && deps.rename_local_machine) {
        out.renamed_records = deps.rename_local_machine(old_name, out.machine_name);
        if (out.renamed_records > 0) out.renamed_from = old_name;
    }
    config.gist_id = out.gist_id;
    config.machine_name = out.machine_name;
    config.machine_id = out.machine_id;
    out.changes = describe_changes(before, config);
    if (!out.changes.empty()) save_config(paths.config_file(), config);
    if (out.renamed_from) {
        out.changes.push_back("local records renamed: " + *out.renamed_from + " -> " + out.machine_name + " (" +
                              std::to_string(out.renamed_records) + ")");
    }
}

void check_options(const SetupOptions& options) {
    if (options.gist == GistChoice::UseId && options.gist_id.empty()) {
        throw Error(ErrorKind::Usage, "--gist-id needs an ID", "pass --gist-id ID (the last part of the gist URL)");
    }
    if (options.machine_name && !is_valid_machine_name(*options.machine_name)) {
        (void)choose_machine_name(options, Config{}, false, nullptr);  // throws the usage error, before any network
    }
}

}  // namespace

SetupOutcome run_setup(const SetupOptions& options, const Environment& env, const Paths& paths, Clock& clock,
                       const SetupDeps& deps) {
    check_options(options);
    const bool interactive = options.interaction == Interaction::Interactive && !options.yes && deps.prompter;
    const Config before = load_config(paths.config_file());
    Config config = before;
    SetupOutcome out;

    const TokenInUse token = obtain_token(env, paths, config, interactive, deps);
    out.token_source = token.source;
    auto api = deps.make_api(token.token);
    out.login = check_user(*api).login;

    out.machine_name = choose_machine_name(options, config, interactive, deps.prompter);
    out.machine_id = config.machine_id.empty() ? make_uuid_v4() : config.machine_id;

    detail::GistContext ctx{*api,  options,  deps, interactive, config.gist_id, out.login,
                            timeutil::format_rfc3339(clock.now()), out.warnings};
    const detail::ChosenGist chosen = detail::choose_gist(ctx);
    check_name_free(*api, chosen.gist, out.machine_name, out.machine_id, out.warnings);
    out.gist_id = chosen.gist.id;
    out.gist_url = chosen.gist.html_url;
    out.origin = chosen.origin;

    if (token.store_new_in) {  // a prompted token is kept only once the whole setup went through
        deps.open_store(*token.store_new_in)->save(token.token);
        config.token_store = *token.store_new_in;
    }
    commit_setup(before, std::move(config), paths, deps, out);
    return out;
}

}  // namespace ccu::auth
