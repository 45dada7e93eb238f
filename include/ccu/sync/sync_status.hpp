#pragma once
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "ccu/common/config.hpp"

namespace ccu::store {
class Store;
}

namespace ccu::sync {

class RemoteStore;

// `ccu gist status --json` (docs/cli.md). The local part works offline (store may be null when the
// data dir has no store yet); the remote part is best-effort: with no remote store (no token), or
// when the read fails, `remote.error` says why. `remote.transport` names the transport in use.
nlohmann::json collect_status(const Config& config, store::Store* store, RemoteStore* remote,
                              const std::optional<std::string>& no_remote_reason);

}  // namespace ccu::sync
