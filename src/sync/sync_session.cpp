#include "ccu/sync/sync_session.hpp"

#include <filesystem>

#include "ccu/auth/token_resolver.hpp"
#include "ccu/gist/curl_gist_api.hpp"
#include "sync/push_support.hpp"

namespace ccu::sync {

std::unique_ptr<store::Store> open_store(const Paths& paths) {
    std::error_code ec;
    std::filesystem::create_directories(paths.data_dir, ec);
    return std::make_unique<store::Store>(paths.store_file(), store::OpenMode::ReadWrite);
}

SyncSession open_sync_session(const Environment& env, const Paths& paths, Clock& clock) {
    SyncSession session;
    session.config = load_config(paths.config_file());
    require_configured(session.config);
    const auth::ResolvedToken token = auth::resolve_token(env, paths, session.config);
    gist::ClientOptions options = gist::client_options_from(env, token.token);
    options.token_label = auth::token_source_label(token.source);
    options.token_fix = auth::refused_token_fix(token.source);
    session.api = gist::make_curl_gist_api(options, clock);
    session.store = open_store(paths);
    return session;
}

}  // namespace ccu::sync
