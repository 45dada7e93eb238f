#include "ccu/auth/set_token.hpp"

#include <algorithm>

#include "ccu/auth/prompt.hpp"
#include "ccu/auth/token_resolver.hpp"
#include "ccu/common/error.hpp"
#include "ccu/common/log.hpp"
#include "ccu/gist/errors.hpp"

namespace ccu::auth {

namespace {

// The fixed warnings are views appended with emplace_back: GCC 12 at -O3 warns -Warray-bounds
// (a false positive) on push_back of a long string literal into a vector<string>.
constexpr std::string_view kArgumentWarning =
    "a token on the command line can end up in your shell history and is visible "
    "to other users in the process list; prefer piping it on stdin or the prompt";
constexpr std::string_view kNotGithubLookingWarning =
    "the token does not look like a GitHub token (ghp_..., github_pat_...); stored it anyway";
constexpr std::string_view kStillInEnvironmentWarning =
    "a token is still set in the environment (CCU_GITHUB_TOKEN or GITHUB_TOKEN)";

bool has_scope(const std::vector<std::string>& scopes, std::string_view wanted) {
    return std::find(scopes.begin(), scopes.end(), wanted) != scopes.end();
}

void warn_if_shadowed(const Environment& env, std::vector<std::string>& warnings) {
    for (const char* name : {"CCU_GITHUB_TOKEN", "GITHUB_TOKEN"}) {
        if (env.get(name)) {
            warnings.push_back(std::string(name) +
                               " is set in this environment and takes precedence over the stored token");
            return;
        }
    }
}

std::string store_kind_name(TokenStoreKind kind) { return kind == TokenStoreKind::File ? "file" : "keyring"; }

}  // namespace

TokenInput read_token_input(const std::optional<std::string>& argument, bool stdin_tty, Prompter* prompter) {
    TokenInput in;
    std::string raw;
    if (argument) {
        raw = *argument;
        in.source = TokenInputSource::Argument;
        in.warnings.emplace_back(kArgumentWarning);
    } else if (!stdin_tty || prompter == nullptr) {
        raw = read_all_stdin();
        in.source = TokenInputSource::Stdin;
    } else {
        raw = prompter->ask_secret("GitHub token (needs the 'gist' scope; input is hidden)");
        in.source = TokenInputSource::Prompt;
    }
    in.token = normalize_token(raw);
    log::register_secret(in.token);
    return in;
}

TokenCheckResult check_token(const std::string& token, const TokenChecker& checker) {
    TokenCheckResult result;
    if (!checker) return result;
    gist::GistUser user;
    try {
        user = checker(token);
    } catch (const gist::ApiError& e) {
        if (e.api_kind() == gist::ApiErrorKind::Auth) throw;  // refused: storing it would not help
        result.status = TokenCheckResult::Status::Offline;
        result.offline_reason = log::redact(e.what());
        return result;
    }
    result.status = TokenCheckResult::Status::Valid;
    result.login = user.login;
    result.scopes = user.scopes;
    if (user.scopes && !has_scope(*user.scopes, "gist")) throw gist::missing_gist_scope_error();
    return result;
}

SetTokenOutcome store_token(const std::string& token, std::optional<TokenStoreKind> where, const Environment& env,
                            const Paths& paths, const StoreOpener& open, const TokenChecker& checker) {
    log::register_secret(token);
    SetTokenOutcome out;
    out.check = check_token(token, checker);
    if (out.check.status == TokenCheckResult::Status::Offline) {
        out.warnings.push_back("could not check the token with GitHub (" + out.check.offline_reason +
                               "); stored it anyway, 'ccu gist setup' checks it again");
    }
    if (!looks_like_github_token(token)) {
        out.warnings.emplace_back(kNotGithubLookingWarning);
    }
    const TokenStoreKind kind = where.value_or(TokenStoreKind::Keyring);
    auto store = open(kind);
    store->save(token);
    out.store = store->describe();

    Config config = load_config(paths.config_file());
    if (config.token_store != kind) {
        config.token_store = kind;
        save_config(paths.config_file(), config);
        out.config_changed = true;
    }
    if (kind == TokenStoreKind::Keyring) {
        std::error_code ec;
        if (std::filesystem::exists(paths.token_file(), ec)) {
            out.warnings.push_back("the token file " + paths.token_file().string() +
                                   " is no longer used; delete it with 'ccu gist set-token --delete --store file'");
        }
    }
    warn_if_shadowed(env, out.warnings);
    return out;
}

SetTokenOutcome delete_token(std::optional<TokenStoreKind> where, const Environment& env, const Paths& paths,
                             const StoreOpener& open) {
    SetTokenOutcome out;
    std::vector<TokenStoreKind> kinds;
    if (where) {
        kinds.push_back(*where);
    } else {
        kinds = {TokenStoreKind::Keyring, TokenStoreKind::File};
    }
    std::vector<std::string> cleared;
    for (const TokenStoreKind kind : kinds) {
        auto store = open(kind);
        try {
            if (store->remove()) cleared.push_back(store->describe());
        } catch (const Error& e) {
            if (where) throw;  // the user named this store: its failure is the answer
            out.warnings.push_back("skipped the " + store_kind_name(kind) + ": " + e.what());
        }
    }
    out.removed = !cleared.empty();
    for (const auto& name : cleared) out.store += (out.store.empty() ? "" : ", ") + name;

    Config config = load_config(paths.config_file());
    if (config.token_store && (!where || *where == *config.token_store)) {
        config.token_store.reset();
        save_config(paths.config_file(), config);
        out.config_changed = true;
    }
    if (env.get("CCU_GITHUB_TOKEN") || env.get("GITHUB_TOKEN")) {
        out.warnings.emplace_back(kStillInEnvironmentWarning);
    }
    return out;
}

}  // namespace ccu::auth
