#pragma once
// An in-memory TokenStore for resolver/set-token/setup logic tests; the real keyring is tested
// under tests/keyring with gnome-keyring, the real file store directly.
#include <optional>
#include <string>

#include "ccu/auth/token_resolver.hpp"
#include "ccu/auth/token_store.hpp"
#include "ccu/common/error.hpp"

namespace ccu::test {

class MemoryTokenStore final : public auth::TokenStore {
public:
    explicit MemoryTokenStore(std::optional<std::string>& slot, bool unavailable = false)
        : slot_(slot), unavailable_(unavailable) {}
    std::optional<std::string> load() override {
        fail_if_unavailable();
        return slot_;
    }
    void save(const std::string& token) override {
        fail_if_unavailable();
        slot_ = token;
    }
    bool remove() override {
        fail_if_unavailable();
        const bool had = slot_.has_value();
        slot_.reset();
        return had;
    }
    std::string describe() const override { return "memory store"; }

private:
    void fail_if_unavailable() const {
        if (unavailable_) {
            throw Error(ErrorKind::NotConfigured,
                        "cannot read from the system keyring (Secret Service): Cannot autolaunch D-Bus without X11 $DISPLAY",
                        auth::keyring_unavailable_hint());
        }
    }
    std::optional<std::string>& slot_;
    bool unavailable_;
};

}  // namespace ccu::test
