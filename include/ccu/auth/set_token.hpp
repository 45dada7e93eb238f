#pragma once
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ccu/auth/prompt.hpp"
#include "ccu/auth/token_store.hpp"
#include "ccu/common/config.hpp"
#include "ccu/common/environment.hpp"
#include "ccu/gist/gist_api.hpp"

namespace ccu::auth {

// Opens the store of a kind; the CLI passes make_store, tests may pass in-memory stores.
using StoreOpener = std::function<std::unique_ptr<TokenStore>(ccu::TokenStoreKind)>;
// Asks GitHub who the token belongs to (GistApi::get_user); empty = do not check.
using TokenChecker = std::function<gist::GistUser(const std::string& token)>;

struct TokenCheckResult {
    enum class Status { NotChecked, Valid, Offline };
    Status status = Status::NotChecked;
    std::string login;
    std::optional<std::vector<std::string>> scopes;  // nullopt: fine-grained token (no header)
    std::string offline_reason;                       // Offline: why (network error text, redacted)
};

struct SetTokenOutcome {
    std::string store;                   // describe() of the store written / the stores cleared
    bool removed = false;                // --delete: something was removed
    bool config_changed = false;         // token_store in config.json changed
    TokenCheckResult check;
    std::vector<std::string> warnings;   // to show with ⚠️ ; never contain the token
};

enum class TokenInputSource { Argument, Stdin, Prompt };
struct TokenInput {
    std::string token;  // normalize_token()ed
    TokenInputSource source;
    std::vector<std::string> warnings;
};
// The argument if given (with a shell-history warning), else all of stdin when it is not a
// terminal, else a no-echo prompt. `prompter` may be null when stdin is not a terminal.
TokenInput read_token_input(const std::optional<std::string>& argument, bool stdin_tty, Prompter* prompter);

// Checks the token with GitHub before it is stored: a refused token (401) or a classic token
// without the gist scope is an error (NotConfigured); a network failure is only a warning.
TokenCheckResult check_token(const std::string& token, const TokenChecker& checker);

// Stores `token` (already normalize_token()ed) in `where` (default keyring) and records the
// choice as config.json token_store. Warns when an environment variable would shadow it.
SetTokenOutcome store_token(const std::string& token, std::optional<ccu::TokenStoreKind> where,
                            const ccu::Environment& env, const ccu::Paths& paths, const StoreOpener& open,
                            const TokenChecker& checker);

// Removes the token from `where`, or from every store when nullopt (an unreachable keyring is a
// warning then); clears config token_store when it named a store that no longer holds a token.
SetTokenOutcome delete_token(std::optional<ccu::TokenStoreKind> where, const ccu::Environment& env,
                             const ccu::Paths& paths, const StoreOpener& open);

}  // namespace ccu::auth
