#pragma once
#include "ccu/auth/token_resolver.hpp"
#include "ccu/cli/context.hpp"
#include "ccu/gist/curl_gist_api.hpp"

namespace ccu::cli {

// Client options for a resolved token: its source is named in a 401 with the fix that works for
// that source, and an exported GITHUB_TOKEN beating a stored token is said once per run.
gist::ClientOptions client_options_for(Context& ctx, const auth::ResolvedToken& token);

}  // namespace ccu::cli
