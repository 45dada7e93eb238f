#pragma once
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "ccu/common/config.hpp"

namespace ccu::gist {
class GistApi;
}
namespace ccu::store {
class Store;
}

namespace ccu::sync {

// `ccu gist status --json` (docs/cli.md). The local part works offline (store may be null when the
// data dir has no store yet); the remote part is best-effort: with no api (no token), or when
// the read fails, `remote.error` says why.
nlohmann::json collect_status(const Config& config, store::Store* store, gist::GistApi* api,
                              const std::optional<std::string>& no_api_reason);

}  // namespace ccu::sync
