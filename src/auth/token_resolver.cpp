#include "ccu/auth/token_resolver.hpp"

#include <cctype>

#include "ccu/common/error.hpp"
#include "ccu/common/log.hpp"

namespace ccu::auth {

std::string_view token_source_name(TokenSource source) {
    switch (source) {
        case TokenSource::EnvCcu: return "CCU_GITHUB_TOKEN";
        case TokenSource::EnvGithub: return "GITHUB_TOKEN";
        case TokenSource::Keyring: return "keyring";
        case TokenSource::File: return "file";
    }
    return "unknown";
}

std::string keyring_unavailable_hint() {
    return "no Secret Service is reachable (typical under cron or SSH without a desktop session). Either "
           "export CCU_GITHUB_TOKEN in the crontab (e.g. 'CCU_GITHUB_TOKEN=... ccu gist sync' or a line "
           "'CCU_GITHUB_TOKEN=...' at its top), or store the token in a private file once with "
           "'ccu gist set-token --store file'";
}

std::string token_source_label(TokenSource source) {
    switch (source) {
        case TokenSource::EnvCcu: return "CCU_GITHUB_TOKEN from the environment";
        case TokenSource::EnvGithub: return "GITHUB_TOKEN from the environment";
        case TokenSource::Keyring: return "the system keyring";
        case TokenSource::File: return "the token file";
    }
    return "unknown";
}

std::string refused_token_fix(TokenSource source) {
    const std::string create = "create a token with the 'gist' scope at https://github.com/settings/tokens";
    switch (source) {
        case TokenSource::EnvCcu:
            return "CCU_GITHUB_TOKEN overrides every stored token: export a working one, or unset it to use the "
                   "stored token; " + create;
        case TokenSource::EnvGithub:
            return "GITHUB_TOKEN overrides the token ccu stores: unset GITHUB_TOKEN (or export CCU_GITHUB_TOKEN "
                   "with a working token) and run the command again; " + create;
        case TokenSource::Keyring: return create + ", then: printf %s \"$TOKEN\" | ccu gist set-token";
        case TokenSource::File: return create + ", then: printf %s \"$TOKEN\" | ccu gist set-token --store file";
    }
    return create;
}

std::string shadowed_token_warning(const std::string& shadowed_store) {
    return "using GITHUB_TOKEN from the environment, not the token stored in " + shadowed_store +
           "; unset GITHUB_TOKEN to use the stored one (or export CCU_GITHUB_TOKEN to choose explicitly)";
}

Error no_token_headless_error(const std::string& keyring_detail) {
    return Error(ErrorKind::NotConfigured,
                 "no token stored; on a machine without a desktop keyring use `ccu gist set-token --store file`",
                 "or export CCU_GITHUB_TOKEN for a single command (the system keyring is unreachable: " +
                     keyring_detail + ")");
}

void require_store_usable(TokenStore& store, TokenStoreKind kind) {
    try {
        (void)store.load();
    } catch (const Error& e) {
        if (kind != TokenStoreKind::Keyring) throw;
        throw Error(ErrorKind::NotConfigured,
                    "the system keyring is not reachable, so the token cannot be stored there (nothing was read)",
                    "store it in a private file instead: ccu gist set-token --store file (or export "
                    "CCU_GITHUB_TOKEN); keyring: " + std::string(e.what()));
    }
}

namespace {

std::optional<std::string> from_env(const Environment& env, const char* name) {
    auto value = env.get(name);
    if (!value) return std::nullopt;
    const auto first = value->find_first_not_of(" \t\r\n");
    if (first == std::string::npos) return std::nullopt;
    const auto last = value->find_last_not_of(" \t\r\n");
    return value->substr(first, last - first + 1);
}

ResolvedToken found(std::string token, TokenSource source) {
    log::register_secret(token);
    return ResolvedToken{std::move(token), source, std::nullopt};
}

}  // namespace

ResolvedToken resolve_token_from(const Environment& env, TokenStore& keyring, TokenStore* file) {
    if (auto t = from_env(env, "CCU_GITHUB_TOKEN")) return found(std::move(*t), TokenSource::EnvCcu);
    if (auto t = from_env(env, "GITHUB_TOKEN")) return found(std::move(*t), TokenSource::EnvGithub);

    std::optional<Error> keyring_error;
    try {
        if (auto t = keyring.load()) return found(std::move(*t), TokenSource::Keyring);
    } catch (const Error& e) {
        if (file == nullptr) throw no_token_headless_error(e.what());
        keyring_error = e;  // the user chose the file for exactly this case
    }
    if (file != nullptr) {
        if (auto t = file->load()) return found(std::move(*t), TokenSource::File);
        throw Error(ErrorKind::NotConfigured,
                    "no GitHub token found: config says token_store=file but " + file->describe() +
                        " is missing or empty",
                    "run 'ccu gist set-token --store file' (or export CCU_GITHUB_TOKEN)");
    }
    throw Error(ErrorKind::NotConfigured,
                "no GitHub token found (checked CCU_GITHUB_TOKEN, GITHUB_TOKEN and the system keyring)",
                "run 'ccu gist set-token' (for cron: export CCU_GITHUB_TOKEN, or "
                "'ccu gist set-token --store file')");
}

ResolvedToken resolve_token(const Environment& env, const Paths& paths, const Config& config) {
    // The environment needs no store at all: check it before touching D-Bus.
    if (auto t = from_env(env, "CCU_GITHUB_TOKEN")) return found(std::move(*t), TokenSource::EnvCcu);
    if (auto t = from_env(env, "GITHUB_TOKEN")) {
        ResolvedToken r = found(std::move(*t), TokenSource::EnvGithub);
        // A generic GITHUB_TOKEN exported for other tools quietly beating the one stored for ccu
        // is worth a warning. Only the store set-token recorded is asked (no D-Bus otherwise).
        if (config.token_store) {
            try {
                auto store = make_store(*config.token_store, paths);
                if (store->load()) r.shadowed_store = store->describe();
            } catch (const Error&) {
                // unusable store: nothing is shadowed
            }
        }
        return r;
    }
    auto keyring = make_keyring_store();
    std::unique_ptr<TokenStore> file;
    if (config.token_store == TokenStoreKind::File) file = make_file_store(paths.token_file());
    return resolve_token_from(env, *keyring, file.get());
}

std::unique_ptr<TokenStore> make_store(TokenStoreKind kind, const Paths& paths) {
    if (kind == TokenStoreKind::File) return make_file_store(paths.token_file());
    return make_keyring_store();
}

std::string normalize_token(std::string_view raw) {
    const auto first = raw.find_first_not_of(" \t\r\n");
    if (first == std::string_view::npos) {
        throw Error(ErrorKind::Usage, "the token is empty", "paste the token, or pipe it on stdin");
    }
    const auto last = raw.find_last_not_of(" \t\r\n");
    std::string token(raw.substr(first, last - first + 1));
    for (const char c : token) {
        const auto u = static_cast<unsigned char>(c);
        if (u <= 0x20 || u >= 0x7f) {
            throw Error(ErrorKind::Usage,
                        "the token contains whitespace or non-printable characters; GitHub tokens do not",
                        "copy the token again, exactly as GitHub shows it");
        }
    }
    if (token.size() < 20 || token.size() > 255) {
        throw Error(ErrorKind::Usage,
                    "the token is " + std::to_string(token.size()) +
                        " characters long; a GitHub token has 20 to 255 characters",
                    "copy the whole token as GitHub shows it");
    }
    return token;
}

bool looks_like_github_token(std::string_view token) {
    for (const std::string_view prefix : {"ghp_", "github_pat_", "gho_", "ghu_", "ghs_", "ghr_"}) {
        if (token.substr(0, prefix.size()) == prefix) return true;
    }
    if (token.size() != 40) return false;
    for (const char c : token) {
        if (std::isxdigit(static_cast<unsigned char>(c)) == 0) return false;
    }
    return true;
}

}  // namespace ccu::auth
