#pragma once
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "ccu/auth/token_store.hpp"
#include "ccu/common/config.hpp"
#include "ccu/common/environment.hpp"

namespace ccu::auth {

struct ResolvedToken {
    std::string token;
    TokenSource source;
};

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

}  // namespace ccu::auth
