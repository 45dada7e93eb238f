// `ccu gist setup`: wiring only; the flow is sync::run_setup (src/auth/setup.cpp).
#include <filesystem>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "ccu/auth/prompt.hpp"
#include "ccu/auth/token_resolver.hpp"
#include "ccu/cli/commands.hpp"
#include "ccu/cli/context.hpp"
#include "ccu/common/error.hpp"
#include "ccu/store/store.hpp"
#include "ccu/sync/setup.hpp"
#include "ccu/pricing/price_table.hpp"
#include "cli/sync_factory.hpp"

namespace ccu::cli {

namespace {

struct SetupArgs {
    std::string gist_id;
    bool create = false;
    std::string machine_name;
    bool yes = false;
};

sync::SetupOptions to_options(const SetupArgs& args, bool interactive) {
    sync::SetupOptions o;
    if (!args.gist_id.empty()) {
        o.gist = sync::GistChoice::UseId;
        o.gist_id = sync::gist_id_from_argument(args.gist_id);
    } else if (args.create) {
        o.gist = sync::GistChoice::Create;
    }
    if (!args.machine_name.empty()) o.machine_name = args.machine_name;
    o.yes = args.yes;
    o.interaction = interactive ? sync::Interaction::Interactive : sync::Interaction::NonInteractive;
    return o;
}

void report(Context& ctx, const sync::SetupOutcome& out) {
    Ui& ui = ctx.ui();
    for (const auto& w : out.warnings) ui.warn(w);
    const std::string ok(ui.symbol(Symbol::Check));
    ui.say(ok + " GitHub user " + out.login + " (token from " + out.token_source + ")");
    ui.say(ok + " Gist " + out.gist_id + " (" + std::string(sync::gist_origin_name(out.origin)) + ")" +
           (out.gist_url.empty() ? "" : " " + out.gist_url));
    ui.say(ok + " This machine: " + out.machine_name + " (id " + out.machine_id + ")");
    if (out.changes.empty()) {
        ui.say("Already set up; nothing changed.");
    } else {
        for (const auto& c : out.changes) ui.say("  changed " + c);
    }
    ui.say("Next: 'ccu gist push' (or 'ccu gist sync'); 'ccu gist auto-sync on' for cron.");
    if (ui.json()) {
        nlohmann::json doc = {{"ok", true},
                              {"gist_id", out.gist_id},
                              {"gist_url", out.gist_url},
                              {"machine_name", out.machine_name},
                              {"machine_id", out.machine_id},
                              {"gist", sync::gist_origin_name(out.origin)},
                              {"created", out.origin == sync::GistOrigin::Created},
                              {"adopted", out.origin == sync::GistOrigin::Adopted},
                              {"existing", out.origin == sync::GistOrigin::Existing},
                              {"login", out.login},
                              {"token_source", out.token_source},
                              {"changed", !out.changes.empty()},
                              {"changes", out.changes},
                              {"warnings", out.warnings}};
        doc["renamed_from"] = out.renamed_from ? nlohmann::json(*out.renamed_from) : nlohmann::json(nullptr);
        doc["renamed_records"] = out.renamed_records;
        ui.print_json(doc);
    }
}

int run_gist_setup(Context& ctx, const SetupArgs& args) {
    const Paths& paths = ctx.paths();
    auto prompter = auth::make_terminal_prompter();
    sync::SetupDeps deps;
    deps.make_api = [&ctx](const std::string& token) { return make_api_for_token(ctx, token); };
    deps.open_store = [&paths](TokenStoreKind kind) { return auth::make_store(kind, paths); };
    deps.prompter = prompter.get();
    deps.rename_local_machine = [&paths, &ctx](const std::string& from, const std::string& to) -> std::int64_t {
        std::error_code ec;
        if (!std::filesystem::exists(paths.store_file(), ec)) return 0;
        store::Store st(paths.store_file(), store::OpenMode::ReadWrite, pricing::cost_model(ctx.prices()));
        const std::int64_t n = st.count(from);
        if (n > 0) st.rename_machine(from, to);
        return n;
    };
    const bool interactive = ctx.ui().interactive() && !ctx.ui().json();
    report(ctx, sync::run_setup(to_options(args, interactive), ctx.env(), paths, ctx.clock(), deps));
    return 0;
}

}  // namespace

void register_gist_setup(CLI::App& parent, Context& ctx) {
    auto args = std::make_shared<SetupArgs>();
    CLI::App* cmd = parent.add_subcommand(
        "setup", "Connect this machine to a private gist: check the token, find/adopt/create the gist, name the machine");
    auto* id = cmd->add_option("--gist-id", args->gist_id, "Use this gist: its ID or its URL (https://gist.github.com/USER/ID)");
    cmd->add_flag("--create", args->create, "Create a new private gist")->excludes(id);
    cmd->add_option("--machine-name", args->machine_name,
                    "Name of this machine in the gist (default: short host name)");
    cmd->add_flag("-y,--yes", args->yes, "No questions: adopt/create as needed, take defaults");
    cmd->callback([&ctx, args] { ctx.action = [&ctx, args] { return run_gist_setup(ctx, *args); }; });
}

}  // namespace ccu::cli
