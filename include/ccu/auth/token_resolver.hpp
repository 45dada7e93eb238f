#pragma once
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "ccu/auth/token_store.hpp"
#include "ccu/common/config.hpp"
#include "ccu/common/environment.hpp"
#include "ccu/common/error.hpp"

namespace ccu::auth {

struct ResolvedToken {
    std::string token;
    TokenSource source;
    // GITHUB_TOKEN from the environment won over a token ccu stored: that store's description.
    std::optional<std::string> shadowed_store;
};

// How errors and status name a token: "GITHUB_TOKEN from the environment", "the system keyring", ...
std::string token_source_label(TokenSource source);
// What fixes a token GitHub refused, for its source (an exported one beats anything stored, so
// storing a new token alone would not help).
std::string refused_token_fix(TokenSource source);
// The warning for ResolvedToken::shadowed_store.
std::string shadowed_token_warning(const std::string& shadowed_store);

// docs/format.md §11 order: CCU_GITHUB_TOKEN, GITHUB_TOKEN, keyring, then the 0600 file only if
// config chose it.
// Registers the token with log::register_secret. Throws ccu::Error(NotConfigured) with next steps when none.
ResolvedToken resolve_token(const ccu::Environment& env, const ccu::Paths& paths, const ccu::Config& config);

// The same order with the stores handed in (tests; `file` may be null = not chosen).
ResolvedToken resolve_token_from(const ccu::Environment& env, TokenStore& keyring, TokenStore* file);

// Secret Service item: schema io.github.ccu.Token, service=ccu, account=github.
std::unique_ptr<TokenStore> make_keyring_store();
// Opt-in private file (Paths::token_file()): refused unless 0600-ish and owned by the user.
std::unique_ptr<TokenStore> make_file_store(const std::filesystem::path& file);
// The store named by `kind` (File → paths.token_file()).
std::unique_ptr<TokenStore> make_store(ccu::TokenStoreKind kind, const ccu::Paths& paths);

// Trims surrounding whitespace; throws ccu::Error(Usage) when what is left cannot be a token
// (empty, inner whitespace or control characters, too short/long). Never echoes the value.
std::string normalize_token(std::string_view raw);
// True for the prefixes GitHub issues (ghp_, github_pat_, gho_, ghu_, ghs_, ghr_) and 40-hex
// legacy tokens; other shapes are accepted with a warning (GitHub Enterprise, test servers).
bool looks_like_github_token(std::string_view token);

// Text shared by every "no Secret Service" error (cron, SSH without a session bus).
std::string keyring_unavailable_hint();
// The error when no token is stored and the keyring cannot even be asked (a headless machine).
ccu::Error no_token_headless_error(const std::string& keyring_detail);
// Throws that error (or the store's own) when `store` cannot be used, before anyone types a token.
void require_store_usable(TokenStore& store, ccu::TokenStoreKind kind);

}  // namespace ccu::auth
