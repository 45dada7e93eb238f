#include "cli/sync_factory.hpp"

#include <filesystem>

#include "ccu/auth/token_resolver.hpp"
#include "ccu/gist/curl_gist_api.hpp"
#include "ccu/cli/local_refresh.hpp"
#include "ccu/common/error.hpp"
#include "ccu/git/mirror.hpp"
#include "ccu/pricing/price_table.hpp"
#include "ccu/sync/fallback_remote_store.hpp"
#include "ccu/sync/git_remote_store.hpp"
#include "ccu/sync/rest_remote_store.hpp"
#include "ccu/sync/sync_state.hpp"
#include "cli/token_options.hpp"

#include "cli/token_options.hpp"

namespace ccu::cli {

std::unique_ptr<gist::GistApi> make_api_for_token(Context& ctx, const std::string& token) {
    gist::ClientOptions options = gist::client_options_from(ctx.env(), token);
    options.on_retry = [&ui = ctx.ui()](const std::string& line) { ui.notice(line); };
    return gist::make_curl_gist_api(options, ctx.clock());
}

std::unique_ptr<gist::GistApi> make_api(Context& ctx, const auth::ResolvedToken& token, ApiPatience patience) {
    gist::ClientOptions options = client_options_for(ctx, token);
    if (patience == ApiPatience::Quick) {
        // Status is documented to work offline: one quick try, no retries.
        options.connect_timeout = std::chrono::seconds(3);
        options.total_timeout = std::chrono::seconds(10);
        options.retry.max_attempts = 1;
    }
    return gist::make_curl_gist_api(options, ctx.clock());
}

std::unique_ptr<gist::GistApi> make_api(Context& ctx, const Config& config) {
    return make_api(ctx, auth::resolve_token(ctx.env(), ctx.paths(), config), ApiPatience::Normal);
}

std::unique_ptr<store::Store> open_store(const Paths& paths, const pricing::PriceTable& prices) {
    std::error_code ec;
    std::filesystem::create_directories(paths.data_dir, ec);
    return std::make_unique<store::Store>(paths.store_file(), store::OpenMode::ReadWrite, pricing::cost_model(prices));
}

namespace {

// The gist's git_push_url, from the sync state once the API has given it (one GET the first time).
std::string git_url_of(gist::GistApi& api, store::Store* store, const Config& config) {
    if (store != nullptr) {
        if (std::string url = sync::SyncState(*store, config.gist_id).git_url(); !url.empty()) return url;
    }
    const std::string url = api.git_push_url(config.gist_id);
    if (url.empty()) {
        throw Error(ErrorKind::InvalidRemote, "GitHub named no git_push_url for gist " + config.gist_id,
                    "use the REST transport: ccu config sync.transport rest, or --transport rest");
    }
    if (store != nullptr) sync::SyncState(*store, config.gist_id).set_git_url(url);
    return url;
}

std::unique_ptr<sync::RemoteStore> make_git_store(Context& ctx, const Config& config, const std::string& url) {
    git::MirrorOptions o;
    o.dir = sync::git_mirror_dir(ctx.paths().data_dir, config.gist_id);
    o.url = url;
    // Read from the token store each time libgit2 asks; never kept by the mirror.
    o.token = [&ctx, config] { return auth::resolve_token(ctx.env(), ctx.paths(), config).token; };
    o.identity = {config.machine_name, config.machine_name + "@ccu.invalid"};
    o.clock = &ctx.clock();
    o.retry = gist::ClientOptions{}.retry;  // the REST client's budget
    o.progress = &ctx.progress();
    return std::make_unique<sync::GitRemoteStore>(std::move(o));
}

TransportChoice transport_of(Context& ctx, const Config& config) {
    if (const auto& flag = ctx.options().transport) {
        const auto choice = parse_transport_choice(*flag);
        if (!choice) throw Error(ErrorKind::Usage, "--transport must be auto, git or rest, not '" + *flag + "'");
        return *choice;
    }
    return config.transport;
}

}  // namespace

std::unique_ptr<sync::RemoteStore> make_remote_store(Context& ctx, const Config& config, gist::GistApi& api,
                                                     store::Store* store, sync::StoredEtags* etags) {
    auto rest = [&ctx, &api, config, etags]() -> std::unique_ptr<sync::RemoteStore> {
        return std::make_unique<sync::RestRemoteStore>(api, ctx.clock(), config.gist_id, etags);
    };
    switch (transport_of(ctx, config)) {
        case TransportChoice::Rest: return rest();
        case TransportChoice::Git: return make_git_store(ctx, config, git_url_of(api, store, config));
        case TransportChoice::Auto: break;
    }
    return std::make_unique<sync::FallbackRemoteStore>(
        [&ctx, &api, store, config] { return make_git_store(ctx, config, git_url_of(api, store, config)); }, rest,
        [&ctx](const std::string& why) { ctx.ui().warn(why); });
}

SyncSession open_sync_session(Context& ctx, const Config& config, store::Store& store) {
    sync::require_configured(config);
    SyncSession session;
    session.config = config;
    session.api = make_api(ctx, config);
    session.etags = std::make_unique<sync::StoredEtags>(store, config.gist_id);
    session.remote = make_remote_store(ctx, config, *session.api, &store, session.etags.get());
    return session;
}

SyncSession open_sync_session(Context& ctx) {
    const Config config = load_config(ctx.paths().config_file());
    sync::require_configured(config);
    std::unique_ptr<store::Store> store = open_store(ctx.paths(), ctx.prices());
    SyncSession session = open_sync_session(ctx, config, *store);
    session.store = std::move(store);
    return session;
}

sync::SyncManager make_sync_manager(Context& ctx, const Config& config, sync::RemoteStore& remote,
                                    store::Store& store, sync::EventSink& events) {
    const Paths& paths = ctx.paths();
    const pricing::PriceTable& prices = ctx.prices();
    auto refresh = [paths, machine = config.machine_name, &prices, &progress = ctx.progress()](store::Store& s) {
        refresh_local(s, paths, machine, prices, progress);
    };
    return sync::SyncManager(remote, store, ctx.clock(), config, paths, events, prices, refresh);
}

}  // namespace ccu::cli
