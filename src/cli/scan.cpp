// `ccu scan`: read new Claude Code usage (and the origin tool's history) into the local store.
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "ccu/common/text.hpp"
#include "ccu/cli/commands.hpp"
#include "ccu/cli/context.hpp"
#include "ccu/common/config.hpp"
#include "ccu/ingest/scanner.hpp"
#include "ccu/cli/local_refresh.hpp"
#include "ccu/pricing/price_table.hpp"

namespace ccu::cli {
namespace {

std::string count_of(std::uint64_t n, const char* noun) {
    return std::to_string(n) + " " + noun + (n == 1 ? "" : "s");
}

nlohmann::json upsert_json(const store::UpsertStats& s) {
    return {{"inserted", s.inserted}, {"updated", s.updated}, {"unchanged", s.unchanged}};
}

nlohmann::json scan_json(const ingest::ScanStats& s) {
    return {{"files_seen", s.files_seen}, {"files_read", s.files_read},   {"files_reset", s.files_reset},
            {"bytes_read", s.bytes_read}, {"lines", s.lines},             {"usage_lines", s.usage_lines},
            {"malformed_lines", s.malformed_lines}, {"records", s.records}, {"unknown_models", s.unknown_models},
            {"synthetic_lines", s.synthetic_lines}, {"files_unreadable", s.files_unreadable}};
}

nlohmann::json legacy_json(const RefreshStats& stats) {
    nlohmann::json files = nlohmann::json::array();
    for (const auto& f : stats.legacy_files) {
        files.push_back({{"path", f.path},
                         {"unchanged", f.unchanged},
                         {"rows", f.rows},
                         {"records", f.records},
                         {"skipped", f.skipped},
                         {"problem", f.problem.empty() ? nlohmann::json(nullptr) : nlohmann::json(f.problem)}});
    }
    nlohmann::json doc = upsert_json(stats.legacy_upsert);
    doc["imported"] = stats.legacy_imported;
    doc["files"] = std::move(files);
    return doc;
}

void say_summary(Ui& ui, const RefreshStats& stats, std::int64_t total) {
    const auto& s = stats.scan;
    ui.say(std::string(ui.symbol(Symbol::Check)) + " Scanned " + count_of(s.files_seen, "file") + " (" +
           std::to_string(s.files_read) + " with new data, " + human_bytes(s.bytes_read) + " read)");
    ui.say("  records: " + std::to_string(stats.upsert.inserted) + " new, " + std::to_string(stats.upsert.updated) +
           " updated, " + std::to_string(stats.upsert.unchanged) + " unchanged");
    if (!stats.legacy_files.empty()) {
        ui.say("  origin tool history: " + count_of(stats.legacy_imported, "record") + " imported from " +
               count_of(stats.legacy_files.size(), "database"));
    }
    ui.say("  store: " + count_of(static_cast<std::uint64_t>(total), "record") + " in total");
}

void warn_problems(Ui& ui, const RefreshStats& stats) {
    if (stats.scan.malformed_lines > 0) {
        ui.warn(std::to_string(stats.scan.malformed_lines) +
                " malformed JSONL line(s) were skipped (not JSON or fields of the wrong type); "
                "this is not an error, the rest was imported");
    }
    if (stats.scan.unknown_models > 0) {
        ui.warn(std::to_string(stats.scan.unknown_models) +
                " record(s) use a model missing from the price table; their cost counts as 0 unless Claude Code "
                "reported one");
    }
    if (stats.scan.files_unreadable > 0) {
        ui.warn(std::to_string(stats.scan.files_unreadable) +
                " JSONL file(s) could not be opened (check their permissions); they will be retried next scan");
    }
    for (const auto& f : stats.legacy_files) {
        if (!f.problem.empty()) ui.warn("could not read the origin tool's database " + f.path + ": " + f.problem);
    }
}

int run_scan(Context& ctx) {
    const Paths& paths = ctx.paths();
    const Config config = load_config(paths.config_file());
    const std::string machine = config.machine_name.empty() ? default_machine_name() : config.machine_name;
    Ui& ui = ctx.ui();

    store::Store db(paths.store_file(), store::OpenMode::ReadWrite, pricing::cost_model(ctx.prices()));
    const RefreshStats stats = refresh_local(db, paths, machine, ctx.prices(), ctx.progress());
    const std::int64_t total = db.count();

    warn_problems(ui, stats);
    if (ui.json()) {
        ui.print_json({{"ok", true},
                       {"machine_name", machine},
                       {"store_file", paths.store_file().string()},
                       {"scan", scan_json(stats.scan)},
                       {"records", {{"new", stats.upsert.inserted},
                                    {"updated", stats.upsert.updated},
                                    {"unchanged", stats.upsert.unchanged},
                                    {"total", total}}},
                       {"legacy", legacy_json(stats)}});
    }
    say_summary(ui, stats, total);
    return 0;
}

}  // namespace

void register_scan(CLI::App& parent, Context& ctx) {
    CLI::App* cmd = parent.add_subcommand(
        "scan", "Read new Claude Code usage (~/.claude/projects, read-only) into ccu's local store");
    cmd->callback([&ctx] { ctx.action = [&ctx] { return run_scan(ctx); }; });
}

}  // namespace ccu::cli
