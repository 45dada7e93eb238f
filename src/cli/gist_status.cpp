#include <CLI/CLI.hpp>
#include <filesystem>

#include "ccu/cli/commands.hpp"
#include "ccu/common/error.hpp"
#include "ccu/store/store.hpp"
#include "ccu/sync/sync_status.hpp"
#include "ccu/pricing/price_table.hpp"
#include "cli/gist_auto_sync.hpp"
#include "cli/gist_sync_common.hpp"
#include "cli/sync_factory.hpp"

namespace ccu::cli {
namespace {

std::string text_or(const nlohmann::json& v, const std::string& fallback) {
    return v.is_string() ? v.get<std::string>() : v.is_null() ? fallback : v.dump();
}

void print_status(Context& ctx, const nlohmann::json& s) {
    Ui& ui = ctx.ui();
    if (!s["configured"].get<bool>()) {
        ui.say("Gist sync is not set up. Run 'ccu gist setup'.");
    } else {
        ui.say("Gist:          " + text_or(s["gist_id"], "-"));
        ui.say("Machine:       " + text_or(s["machine_name"], "-"));
    }
    if (s["configured"].get<bool>()) {
        ui.say("Token:         " + text_or(s["token"]["source"], "none (" + text_or(s["token"]["error"], "") + ")"));
    }
    const auto& l = s["local"];
    ui.say("Local records: " + l["records"].dump() + " (" + l["unsynced_records"].dump() + " not pushed yet)");
    ui.say("Last push:     " + text_or(l["last_push"], "never"));
    ui.say("Last pull:     " + text_or(l["last_pull"], "never"));
    if (!s["remote"]["transport"].is_null()) ui.say("Transport:     " + text_or(s["remote"]["transport"], "-"));
    if (!l["last_error"].is_null()) {
        ui.say("Last error:    " + text_or(l["last_error"]["command"], "") + ": " +
               text_or(l["last_error"]["message"], "") + " (" + text_or(l["last_error"]["at"], "") + ")");
    }
    print_auto_sync_status(ctx, s["auto_sync"]);
    const auto& r = s["remote"];
    if (!r["error"].is_null()) {
        ui.say("Remote:        unavailable (" + text_or(r["error"], "") + ")");
        return;
    }
    ui.say("Remote machines:");
    for (const auto& m : r["machines"]) {
        ui.say("  " + text_or(m["machine_name"], "?") + ": " + m["total_records"].dump() + " records, last sync " +
               text_or(m["last_sync"], "?"));
    }
}

}  // namespace

void register_gist_status(CLI::App& parent, Context& ctx) {
    CLI::App* cmd = parent.add_subcommand("status", "Local and remote sync state (local part works offline)");
    add_transport_option(cmd, ctx);
    cmd->callback([&ctx] {
        ctx.action = [&ctx]() -> int {
            const Config config = load_config(ctx.paths().config_file());
            std::unique_ptr<store::Store> store;
            if (std::filesystem::exists(ctx.paths().store_file())) store = open_store(ctx.paths(), ctx.prices());
            std::unique_ptr<gist::GistApi> api;
            std::unique_ptr<sync::RemoteStore> remote;
            std::optional<std::string> why;
            std::optional<std::string> token_source;
            if (config.is_configured()) {
                try {
                    const auto token = auth::resolve_token(ctx.env(), ctx.paths(), config);
                    token_source = auth::token_source_label(token.source);
                    api = make_api(ctx, token, ApiPatience::Quick);
                    remote = make_remote_store(ctx, config, *api, store.get(), nullptr);
                } catch (const Error& e) {
                    why = e.what();
                }
            }
            nlohmann::json status = sync::collect_status(config, store.get(), remote.get(), why);
            status["auto_sync"] = auto_sync_status(ctx, config);
            status["token"] = {{"source", token_source ? nlohmann::json(*token_source) : nlohmann::json(nullptr)},
                               {"error", token_source || !why ? nlohmann::json(nullptr) : nlohmann::json(*why)}};
            if (ctx.ui().json()) {
                ctx.ui().print_json(status);
            } else {
                print_status(ctx, status);
            }
            return 0;
        };
    });
}

}  // namespace ccu::cli
