#include "cli/sync_factory.hpp"

#include <filesystem>

#include "ccu/auth/token_resolver.hpp"
#include "ccu/gist/curl_gist_api.hpp"
#include "ccu/cli/local_refresh.hpp"
#include "ccu/sync/rest_remote_store.hpp"

namespace ccu::cli {

std::unique_ptr<gist::GistApi> make_api_for_token(Context& ctx, const std::string& token) {
    return gist::make_curl_gist_api(gist::client_options_from(ctx.env(), token), ctx.clock());
}

std::unique_ptr<gist::GistApi> make_api(Context& ctx, const Config& config) {
    return make_api_for_token(ctx, auth::resolve_token(ctx.env(), ctx.paths(), config).token);
}

std::unique_ptr<store::Store> open_store(const Paths& paths) {
    std::error_code ec;
    std::filesystem::create_directories(paths.data_dir, ec);
    return std::make_unique<store::Store>(paths.store_file(), store::OpenMode::ReadWrite);
}

std::unique_ptr<sync::RemoteStore> make_remote_store(Context& ctx, const Config& config, gist::GistApi& api,
                                                     sync::StoredEtags* etags) {
    return std::make_unique<sync::RestRemoteStore>(api, ctx.clock(), config.gist_id, etags);
}

SyncSession open_sync_session(Context& ctx, const Config& config, store::Store& store) {
    sync::require_configured(config);
    SyncSession session;
    session.config = config;
    session.api = make_api(ctx, config);
    session.etags = std::make_unique<sync::StoredEtags>(store, config.gist_id);
    session.remote = make_remote_store(ctx, config, *session.api, session.etags.get());
    return session;
}

SyncSession open_sync_session(Context& ctx) {
    const Config config = load_config(ctx.paths().config_file());
    sync::require_configured(config);
    std::unique_ptr<store::Store> store = open_store(ctx.paths());
    SyncSession session = open_sync_session(ctx, config, *store);
    session.store = std::move(store);
    return session;
}

sync::SyncManager make_sync_manager(Context& ctx, const Config& config, sync::RemoteStore& remote,
                                    store::Store& store, sync::EventSink& events) {
    const Paths& paths = ctx.paths();
    const pricing::PriceTable& prices = ctx.prices();
    auto refresh = [paths, machine = config.machine_name, &prices](store::Store& s) {
        refresh_local(s, paths, machine, prices);
    };
    return sync::SyncManager(remote, store, ctx.clock(), config, paths, events, prices, refresh);
}

}  // namespace ccu::cli
