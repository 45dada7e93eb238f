// `ccu gist set-token`: wiring only; the logic is in auth/set_token.
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "ccu/auth/prompt.hpp"
#include "ccu/auth/set_token.hpp"
#include "ccu/auth/token_resolver.hpp"
#include "ccu/cli/commands.hpp"
#include "ccu/cli/context.hpp"
#include "ccu/common/error.hpp"
#include "cli/sync_factory.hpp"

namespace ccu::cli {

namespace {

struct SetTokenArgs {
    std::string store;  // "", "keyring", "file"
    bool remove = false;
    bool no_check = false;
    std::optional<std::string> token;
};

std::optional<TokenStoreKind> store_kind(const std::string& name) {
    if (name == "file") return TokenStoreKind::File;
    if (name == "keyring") return TokenStoreKind::Keyring;
    return std::nullopt;
}

std::string_view check_name(auth::TokenCheckResult::Status status) {
    switch (status) {
        case auth::TokenCheckResult::Status::Valid: return "valid";
        case auth::TokenCheckResult::Status::Offline: return "unchecked_offline";
        case auth::TokenCheckResult::Status::NotChecked: break;
    }
    return "not_checked";
}

void report(Context& ctx, const auth::SetTokenOutcome& out, bool removed_action) {
    Ui& ui = ctx.ui();
    for (const auto& w : out.warnings) ui.warn(w);
    if (removed_action) {
        ui.say(out.removed ? std::string(ui.symbol(Symbol::Check)) + " Token removed from " + out.store
                           : "No stored token found; nothing removed");
    } else {
        ui.say(std::string(ui.symbol(Symbol::Check)) + " Token stored in " + out.store);
        if (out.check.status == auth::TokenCheckResult::Status::Valid) {
            std::string scopes = out.check.scopes ? "scopes: " : "fine-grained token";
            if (out.check.scopes) {
                for (std::size_t i = 0; i < out.check.scopes->size(); ++i) {
                    scopes += (i ? ", " : "") + (*out.check.scopes)[i];
                }
            }
            ui.say(std::string(ui.symbol(Symbol::Check)) + " GitHub accepted it: user " + out.check.login + " (" +
                   scopes + ")");
        }
    }
    if (ui.json()) {
        nlohmann::json doc = {{"ok", true},
                              {"action", removed_action ? "deleted" : "stored"},
                              {"store", out.store},
                              {"removed", out.removed},
                              {"config_changed", out.config_changed},
                              {"check", check_name(out.check.status)},
                              {"warnings", out.warnings}};
        if (!out.check.login.empty()) doc["login"] = out.check.login;
        if (out.check.scopes) doc["scopes"] = *out.check.scopes;
        ui.print_json(doc);
    }
}

int run_set_token(Context& ctx, const SetTokenArgs& args) {
    const auto where = store_kind(args.store);
    const Paths& paths = ctx.paths();
    auto open = [&paths](TokenStoreKind kind) { return auth::make_store(kind, paths); };
    if (args.remove) {
        if (args.token) throw Error(ErrorKind::Usage, "--delete takes no TOKEN", "run 'ccu gist set-token --delete'");
        report(ctx, auth::delete_token(where, ctx.env(), paths, open), true);
        return 0;
    }
    auto prompter = auth::make_terminal_prompter();
    auto input = auth::read_token_input(args.token, auth::stdin_is_tty(), prompter.get());
    for (const auto& w : input.warnings) ctx.ui().warn(w);
    auth::TokenChecker checker;
    if (!args.no_check) {
        checker = [&ctx](const std::string& token) {
            return make_api_for_token(ctx, token)->get_user();
        };
    }
    report(ctx, auth::store_token(input.token, where, ctx.env(), paths, open, checker), false);
    return 0;
}

}  // namespace

void register_gist_set_token(CLI::App& parent, Context& ctx) {
    auto args = std::make_shared<SetTokenArgs>();
    CLI::App* cmd = parent.add_subcommand(
        "set-token", "Store the GitHub token (read from stdin or a hidden prompt) in the keyring or a 0600 file");
    cmd->add_option("--store", args->store, "keyring (default) or file ($XDG_CONFIG_HOME/ccu/token, for cron)")
        ->check(CLI::IsMember({"keyring", "file"}));
    cmd->add_flag("--delete", args->remove, "Remove the stored token (from --store, or from every store)");
    cmd->add_flag("--no-check", args->no_check, "Do not ask GitHub whether the token works");
    cmd->add_option("TOKEN", args->token, "The token (discouraged: shell history); default: stdin or prompt");
    cmd->callback([&ctx, args] { ctx.action = [&ctx, args] { return run_set_token(ctx, *args); }; });
}

}  // namespace ccu::cli
