#include "cli/token_options.hpp"

namespace ccu::cli {

gist::ClientOptions client_options_for(Context& ctx, const auth::ResolvedToken& token) {
    static bool shadow_warned = false;  // one process, one warning (setup and status resolve twice)
    if (token.shadowed_store && !shadow_warned) {
        ctx.ui().warn(auth::shadowed_token_warning(*token.shadowed_store));
        shadow_warned = true;
    }
    gist::ClientOptions options = gist::client_options_from(ctx.env(), token.token);
    options.token_label = auth::token_source_label(token.source);
    options.token_fix = auth::refused_token_fix(token.source);
    options.on_retry = [&ui = ctx.ui()](const std::string& line) { ui.notice(line); };
    return options;
}

}  // namespace ccu::cli
