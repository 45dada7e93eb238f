#include "ccu/sync/setup.hpp"

#include <algorithm>
#include <cctype>

#include <nlohmann/json.hpp>

#include "ccu/auth/token_resolver.hpp"
#include "ccu/common/error.hpp"
#include "ccu/common/log.hpp"
#include "ccu/common/time.hpp"
#include "ccu/gist/errors.hpp"
#include "ccu/sync/manifest.hpp"
#include "sync/push_support.hpp"
#include "sync/setup_gist.hpp"

namespace ccu::sync {
using auth::TokenStore;

std::string_view gist_origin_name(GistOrigin origin) {
    switch (origin) {
        case GistOrigin::Created: return "created";
        case GistOrigin::Adopted: return "adopted";
        case GistOrigin::Existing: return "existing";
    }
    return "existing";
}

std::string gist_id_from_argument(std::string_view text) {
    std::string s(text);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())) != 0) s.pop_back();
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())) != 0) s.erase(0, 1);
    for (const char* scheme : {"https://", "http://"}) {
        if (s.rfind(scheme, 0) == 0) s.erase(0, std::string_view(scheme).size());
    }
    if (const auto cut = s.find_first_of("?#"); cut != std::string::npos) s.resize(cut);
    while (!s.empty() && s.back() == '/') s.pop_back();
    if (s.size() > 4 && s.ends_with(".git")) s.resize(s.size() - 4);
    std::vector<std::string> parts;
    for (std::size_t start = 0; start <= s.size();) {
        const auto slash = s.find('/', start);
        parts.push_back(s.substr(start, slash == std::string::npos ? std::string::npos : slash - start));
        if (slash == std::string::npos) break;
        start = slash + 1;
    }
    // host/user/id or host/id (a URL), or the bare id
    std::string id = parts.back();
    if (parts.size() >= 3) id = parts[2];
    if (parts.size() == 2) id = parts[1];
    const bool hex = !id.empty() && id.size() <= 64 &&
                     std::all_of(id.begin(), id.end(), [](char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; });
    if (!hex || (parts.size() > 1 && parts[0].find('.') == std::string::npos)) {
        throw Error(ErrorKind::Usage, "'" + std::string(text) + "' is not a gist ID or gist URL",
                    "pass the ID or the URL as the browser shows it, e.g. --gist-id "
                    "https://gist.github.com/USER/8c20b5bf38884dde89df449867806a34");
    }
    return id;
}

namespace {

struct TokenInUse {
    std::string token;
    std::string source;
    std::optional<TokenStoreKind> store_new_in;  // prompted: store it here once GitHub accepted it
};

TokenInUse prompt_for_token(const Paths& paths, const SetupDeps& deps, const std::string& why);

TokenInUse obtain_token(const Environment& env, const Paths& paths, const Config& config, bool interactive,
                        const SetupDeps& deps) {
    try {
        // Same order as resolve_token(), through the store seam.
        auto keyring = deps.open_store(TokenStoreKind::Keyring);
        std::unique_ptr<TokenStore> file;
        if (config.token_store == TokenStoreKind::File) file = deps.open_store(TokenStoreKind::File);
        auto resolved = auth::resolve_token_from(env, *keyring, file.get());
        return {std::move(resolved.token), std::string(auth::token_source_name(resolved.source)), std::nullopt};
    } catch (const Error& e) {
        if (!interactive || e.kind() != ErrorKind::NotConfigured) throw;
    }
    return prompt_for_token(paths, deps, "No GitHub token found.");
}

TokenInUse prompt_for_token(const Paths& paths, const SetupDeps& deps, const std::string& why) {
    // Where the token will go is settled before it is typed (not after it was pasted).
    TokenStoreKind where = TokenStoreKind::Keyring;
    try {
        (void)deps.open_store(TokenStoreKind::Keyring)->load();  // reachable?
    } catch (const Error&) {
        if (!deps.prompter->confirm("The system keyring is not available. Store the token in " +
                                        paths.token_file().string() + " (mode 0600) instead?",
                                    true)) {
            throw Error(ErrorKind::NotConfigured, "no place to store the token", auth::keyring_unavailable_hint());
        }
        where = TokenStoreKind::File;
    }
    const std::string token = auth::normalize_token(deps.prompter->ask_secret(
        why + " Paste a token with the 'gist' scope (create one at "
        "https://github.com/settings/tokens); input is hidden"));
    log::register_secret(token);
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
                                auth::Prompter* prompter) {
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
// The same rule (and error, exit 5) as push: check_identity (sync/push_support.hpp).
void check_name_free(gist::GistApi& api, const gist::Gist& gist, const std::string& name,
                     const std::string& machine_id, std::vector<std::string>& warnings) {
    const std::string text = detail::manifest_text(api, gist);
    if (text.empty()) return;
    std::optional<Manifest> manifest;
    try {
        manifest = Manifest::parse(text);
    } catch (const Error&) {
        warnings.push_back("the gist's manifest.json is not valid; 'ccu gist repair' can rebuild it");
        return;
    }
    Config self;
    self.machine_name = name;
    self.machine_id = machine_id;
    check_identity(manifest->find(name), self);
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
        changes.emplace_back(*after.token_store == TokenStoreKind::File ? "token store: file" : "token store: keyring");
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

    TokenInUse token = obtain_token(env, paths, config, interactive, deps);
    std::unique_ptr<gist::GistApi> api;
    for (int attempt = 1;; ++attempt) {  // on a terminal a refused token is asked for again
        api = deps.make_api(token.token);
        try {
            out.login = check_user(*api).login;
            break;
        } catch (const gist::ApiError& e) {
            // An exported token beats anything typed here: asking again would not help.
            const bool from_env = token.source == "CCU_GITHUB_TOKEN" || token.source == "GITHUB_TOKEN";
            if (!interactive || e.api_kind() != gist::ApiErrorKind::Auth || from_env || attempt == 3) throw;
            token = prompt_for_token(paths, deps, std::string(e.what()) + ".");
        }
    }
    out.token_source = token.source;

    out.machine_name = choose_machine_name(options, config, interactive, deps.prompter);
    out.machine_id = config.machine_id.empty() ? make_uuid_v4() : config.machine_id;

    detail::GistContext ctx{*api,  options,  deps, interactive, config.gist_id, out.login,
                            timeutil::format_rfc3339(clock.now()), out.warnings};
    const detail::ChosenGist chosen = detail::choose_gist(ctx);
    for (int attempt = 1;; ++attempt) {  // on a terminal a taken name is asked for again
        try {
            check_name_free(*api, chosen.gist, out.machine_name, out.machine_id, out.warnings);
            break;
        } catch (const Error& e) {
            if (!interactive || e.kind() != ErrorKind::Conflict || attempt == 3) throw;
            SetupOptions again = options;
            again.machine_name = deps.prompter->ask("Machine name '" + out.machine_name +
                                                        "' is already used in this gist by another machine. "
                                                        "Name of this machine",
                                                    out.machine_name + "-2");
            out.machine_name = choose_machine_name(again, config, false, nullptr);
        }
    }
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

}  // namespace ccu::sync
