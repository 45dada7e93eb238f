#include <CLI/CLI.hpp>
#include <cstdio>
#include <string>
#include <string_view>
#include <nlohmann/json.hpp>

#include "ccu/cli/commands.hpp"
#include "ccu/cli/context.hpp"
#include "ccu/common/error.hpp"
#include "ccu/common/log.hpp"
#include "ccu/common/version.hpp"
#include "ccu/pricing/price_table.hpp"
#include "ccu/sync/conflict_error.hpp"
#include "cli/gist_sync_common.hpp"
#include "cli/process_setup.hpp"
#include "cli/progress.hpp"
#include "cli/command_words.hpp"

namespace ccu::cli {

const pricing::PriceTable& Context::prices() const { return pricing::PriceTable::embedded(); }

const Paths& Context::paths() {
    if (!paths_) paths_ = Paths::resolve(env_);
    return *paths_;
}

Ui& Context::ui() {
    if (!ui_) ui_ = std::make_unique<Ui>(options_, env_);
    return *ui_;
}

ProgressSink& Context::progress() {
    if (!progress_) {
        if (ui().shows_progress()) {
            progress_ = std::make_unique<TerminalProgress>(ui(), clock_);
        } else {
            progress_ = std::make_unique<NullProgress>();
        }
    }
    return *progress_;
}

namespace {

void add_global_options(CLI::App& app, GlobalOptions& options) {
    app.add_flag_function(
           "--json", [&options](std::int64_t) { options.format = OutputFormat::Json; },
           "One JSON document on stdout; human text on stderr")
        ->configurable(false);
    app.add_flag("-q,--quiet", options.quiet, "Print only warnings and errors");
    app.add_flag_function(
        "-v,--verbose", [&options](std::int64_t count) { options.verbosity = static_cast<int>(count); },
        "More detail on stderr (-vv: debug, secrets redacted)");
}

int report_error(Context& ctx, ErrorKind kind, const std::string& message, const std::string& hint) {
    const int code = exit_code_for(kind);
    Ui& ui = ctx.ui();
    ui.error(log::redact(message), log::redact(hint));
    if (ui.json()) {
        nlohmann::json doc = {{"ok", false},
                              {"error",
                               {{"kind", error_kind_name(kind)},
                                {"message", log::redact(message)},
                                {"hint", log::redact(hint)},
                                {"exit_code", code}}}};
        ui.print_json(doc);
    }
    return code;
}

// Whether the command line asks for --json: the parser may refuse it before its --json flag took
// effect, and a script still gets the error document it parses. (CLI11 takes a --json after "--"
// as the flag too, so this does.)
bool asks_for_json(int argc, const char* const* argv) {
    for (int i = 1; i < argc; ++i) {
        if (std::string_view(argv[i]) == "--json") return true;
    }
    return false;
}

// The (sub)command the parser was reading, as typed: "ccu report daily".
std::string command_path(const CLI::App& app) {
    std::string path = app.get_name();
    const CLI::App* at = &app;
    while (!at->get_subcommands().empty()) {
        at = at->get_subcommands().front();
        path += " " + at->get_name();
    }
    return path;
}

// A command line refused before it was parsed whole (an unknown command or option, a missing value,
// options that exclude each other): ccu's usage error, exit 2, JSON too when --json was asked for.
int report_command_line_error(Context& ctx, int argc, char** argv, const std::string& message,
                              const std::string& hint) {
    if (asks_for_json(argc, argv)) ctx.options().format = OutputFormat::Json;
    return report_error(ctx, ErrorKind::Usage, message, hint);
}

}  // namespace

int run(int argc, char** argv) {
    setup_process();
    return run(argc, argv, Environment::from_process());
}

int run(int argc, char** argv, Environment env) {
    Context ctx(std::move(env));
    CLI::App app{"ccu - durable, multi-machine Claude Code usage records, synced through a private GitHub Gist",
                 "ccu"};
    app.set_version_flag("--version", std::string("ccu ") + std::string(version()));
    app.require_subcommand(1);
    app.fallthrough();  // global options work after any subcommand: `ccu gist status --json`
    add_global_options(app, ctx.options());

    register_scan(app, ctx);
    register_report(app, ctx);
    register_statusline(app, ctx);
    CLI::App* gist = app.add_subcommand("gist", "Sync usage through a private GitHub Gist");
    gist->require_subcommand(1);
    register_gist_setup(*gist, ctx);
    register_gist_set_token(*gist, ctx);
    register_gist_push(*gist, ctx);
    register_gist_pull(*gist, ctx);
    register_gist_sync(*gist, ctx);
    register_gist_auto_sync(*gist, ctx);
    register_gist_backup(*gist, ctx);
    register_gist_status(*gist, ctx);
    register_gist_info(*gist, ctx);
    register_gist_repair(*gist, ctx);
    add_global_options_footer(app);

    if (const auto unknown = unknown_subcommand_message(app, argc, argv)) {
        return report_command_line_error(ctx, argc, argv, *unknown, "run 'ccu --help' for the list of commands");
    }
    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForAllHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForVersion& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        return report_command_line_error(ctx, argc, argv, e.what(),
                                         "run '" + command_path(app) + " --help' for its options");
    }

    log::init(ctx.options().verbosity);
    try {
        return ctx.action ? ctx.action() : exit_code_for(ErrorKind::Usage);
    } catch (const sync::ConflictError& e) {
        return report_conflict(ctx.ui(), e);  // the seed's "✗ Conflict Error" text, same JSON shape
    } catch (const Error& e) {
        return report_error(ctx, e.kind(), e.what(), e.hint());
    } catch (const std::exception& e) {
        return report_error(ctx, ErrorKind::Unexpected, e.what(),
                            "this is a bug in ccu; please report it with the output of -vv");
    }
}

}  // namespace ccu::cli
