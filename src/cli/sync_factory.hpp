#pragma once
// The one place that builds the real sync world: the token source, the API client, the local
// store and the remote store. Every layer below takes these as seams (docs/architecture.md).
#include <memory>
#include <optional>
#include <string>

#include "ccu/auth/token_resolver.hpp"
#include "ccu/cli/context.hpp"
#include "ccu/common/config.hpp"
#include "ccu/gist/gist_api.hpp"
#include "ccu/store/store.hpp"
#include "ccu/sync/events.hpp"
#include "ccu/sync/remote_store.hpp"
#include "ccu/sync/sync_manager.hpp"
#include "ccu/sync/sync_state.hpp"
#include "ccu/pricing/price_table.hpp"

namespace ccu::cli {

// The GitHub client for `token` (setup and set-token check a token before it is stored).
std::unique_ptr<gist::GistApi> make_api_for_token(Context& ctx, const std::string& token);
// The GitHub client with the configured token (env, keyring or file). Throws NotConfigured (exit 3).
// Its 401 names the token's source; retries show on a TTY (cli/token_options.hpp).
std::unique_ptr<gist::GistApi> make_api(Context& ctx, const Config& config);
// Quick: one try with short timeouts (status must answer at once offline).
enum class ApiPatience { Normal, Quick };
std::unique_ptr<gist::GistApi> make_api(Context& ctx, const auth::ResolvedToken& token, ApiPatience patience);

// The local store (created when missing).
std::unique_ptr<store::Store> open_store(const Paths& paths, const pricing::PriceTable& prices);

// Everything a sync command needs, owned together (the remote store refers to the api and store).
struct SyncSession {
    Config config;
    std::unique_ptr<store::Store> store;
    std::unique_ptr<gist::GistApi> api;
    std::unique_ptr<sync::StoredEtags> etags;
    std::unique_ptr<sync::RemoteStore> remote;
};

// The remote store of `config`'s gist: sync.transport (or --transport) = git, rest, or auto (git,
// and REST with one warning when the git endpoint refuses a token the API accepts). `store`
// (may be null) remembers the gist's git URL and the REST ETags; `api` must outlive the result.
std::unique_ptr<sync::RemoteStore> make_remote_store(Context& ctx, const Config& config, gist::GistApi& api,
                                                     store::Store* store, sync::StoredEtags* etags);

// Throws ccu::Error(NotConfigured) when setup has not run or no token is found (exit 3).
SyncSession open_sync_session(Context& ctx);
// The same with an already open store (auto-sync after scan/report).
SyncSession open_sync_session(Context& ctx, const Config& config, store::Store& store);

// The coordinator of push/pull/sync, with the real price table and the local scan.
sync::SyncManager make_sync_manager(Context& ctx, const Config& config, sync::RemoteStore& remote,
                                    store::Store& store, sync::EventSink& events);

}  // namespace ccu::cli
