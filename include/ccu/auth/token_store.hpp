#pragma once
#include <optional>
#include <string>

namespace ccu::auth {

enum class TokenSource { EnvCcu, EnvGithub, Keyring, File };
std::string_view token_source_name(TokenSource source);

// One place a token can live. load() returns nullopt when there is none; it throws
// ccu::Error(NotConfigured) when the place is unusable (no Secret Service, unsafe file mode),
// with a message that says the ways out.
class TokenStore {
public:
    virtual ~TokenStore() = default;
    virtual std::optional<std::string> load() = 0;
    virtual void save(const std::string& token) = 0;
    virtual bool remove() = 0;  // true when something was removed
    virtual std::string describe() const = 0;  // e.g. "system keyring (Secret Service)"
};

}  // namespace ccu::auth
