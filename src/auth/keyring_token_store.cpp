// The token in the desktop keyring through libsecret (Secret Service over the session D-Bus).
#include <string>

#include "ccu/auth/token_resolver.hpp"
#include "ccu/common/error.hpp"
#include "ccu/common/log.hpp"
#include "libsecret.hpp"

namespace ccu::auth {

namespace {

// name, flags, attributes (null-terminated), then reserved int and seven reserved pointers.
const SecretSchema kSchema = {
    "io.github.ccu.Token",
    SECRET_SCHEMA_NONE,
    {{"service", SECRET_SCHEMA_ATTRIBUTE_STRING},
     {"account", SECRET_SCHEMA_ATTRIBUTE_STRING},
     {nullptr, SECRET_SCHEMA_ATTRIBUTE_STRING}},
    0,
    nullptr,
    nullptr,
    nullptr,
    nullptr,
    nullptr,
    nullptr,
    nullptr};

constexpr const char* kService = "ccu";
constexpr const char* kAccount = "github";
constexpr const char* kLabel = "ccu GitHub token";

// Takes ownership of a GError and turns it into the error every caller shows.
[[noreturn]] void throw_unavailable(GError* error, const char* action) {
    const std::string detail = error != nullptr && error->message != nullptr ? error->message : "unknown error";
    if (error != nullptr) g_error_free(error);
    throw Error(ErrorKind::NotConfigured,
                std::string("cannot ") + action + " the system keyring (Secret Service): " + detail,
                keyring_unavailable_hint());
}

class KeyringTokenStore final : public TokenStore {
public:
    std::optional<std::string> load() override {
        load_libsecret();
        GError* error = nullptr;
        gchar* secret = secret_password_lookup_sync(&kSchema, nullptr, &error, "service", kService, "account",
                                                    kAccount, nullptr);
        if (error != nullptr) throw_unavailable(error, "read from");
        if (secret == nullptr) return std::nullopt;  // no such item: NULL without an error
        std::string token(secret);
        secret_password_free(secret);
        log::register_secret(token);
        return token;
    }

    void save(const std::string& token) override {
        load_libsecret();
        GError* error = nullptr;
        const gboolean ok = secret_password_store_sync(&kSchema, SECRET_COLLECTION_DEFAULT, kLabel, token.c_str(),
                                                       nullptr, &error, "service", kService, "account", kAccount,
                                                       nullptr);
        if (error != nullptr) throw_unavailable(error, "write to");
        if (!ok) throw_unavailable(nullptr, "write to");
    }

    bool remove() override {
        load_libsecret();
        GError* error = nullptr;
        const gboolean removed =
            secret_password_clear_sync(&kSchema, nullptr, &error, "service", kService, "account", kAccount, nullptr);
        if (error != nullptr) throw_unavailable(error, "delete from");
        return removed != FALSE;
    }

    std::string describe() const override { return "system keyring (Secret Service)"; }
};

}  // namespace

std::unique_ptr<TokenStore> make_keyring_store() { return std::make_unique<KeyringTokenStore>(); }

}  // namespace ccu::auth
