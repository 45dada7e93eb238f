// `ccu statusline`: the status line for Claude Code's `statusLine` setting. Reads the JSON
// Claude Code writes on stdin, answers from the local store (read-only, never waiting on a
// lock) plus the bytes of the current transcript no scan has stored yet. Never fails loudly:
// anything unusable gives a short line and exit 0. Writes nothing.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <iostream>
#include <iterator>
#include <nlohmann/json.hpp>

#include "ccu/cli/commands.hpp"
#include "ccu/cli/context.hpp"
#include "ccu/common/config.hpp"
#include "ccu/common/cost_model.hpp"
#include "ccu/common/time.hpp"
#include "ccu/ingest/tail.hpp"
#include "ccu/pricing/price_table.hpp"
#include "ccu/report/aggregate.hpp"
#include "ccu/report/statusline.hpp"

namespace ccu::cli {
namespace {

constexpr std::size_t kMaxInput = 1 << 20;
constexpr std::int64_t kRecentMs = 48LL * 3'600'000;  // covers today in every zone and the block

struct StatusInput {
    std::string session_id;
    std::string transcript_path;
    std::string model;
};

std::optional<StatusInput> read_input() {
    if (::isatty(STDIN_FILENO) == 1) return std::nullopt;  // run by hand: nothing to wait for
    std::string text;
    char chunk[4096];
    while (text.size() < kMaxInput) {
        const ssize_t n = ::read(STDIN_FILENO, chunk, sizeof chunk);
        if (n <= 0) break;
        text.append(chunk, static_cast<std::size_t>(n));
    }
    const auto doc = nlohmann::json::parse(text, nullptr, false);
    if (!doc.is_object()) return std::nullopt;
    StatusInput in;
    const auto text_at = [&doc](const char* key) {
        const auto it = doc.find(key);
        return it != doc.end() && it->is_string() ? it->get<std::string>() : std::string();
    };
    in.session_id = text_at("session_id");
    in.transcript_path = text_at("transcript_path");
    if (const auto model = doc.find("model"); model != doc.end() && model->is_object()) {
        for (const char* key : {"display_name", "id"}) {
            if (const auto v = model->find(key); v != model->end() && v->is_string() && in.model.empty()) {
                in.model = v->get<std::string>();
            }
        }
    }
    if (in.session_id.empty()) return std::nullopt;
    return in;
}

// The store's part; empty sets when there is no store or it is busy being created/migrated.
void load_from_store(Context& ctx, const StatusInput& in, report::StatusInputs& out, std::uint64_t& offset) {
    try {
        // Read-only: the store never prices a record, so the price table is not parsed for it
        // (a third of the status line's own work).
        store::Store store(ctx.paths().store_file(), store::OpenMode::ReadOnly, std::chrono::milliseconds(0),
                           CostModel{});
        store::BucketQuery session;
        session.session = in.session_id;
        out.session = store.buckets(session);
        store::BucketQuery recent;
        recent.since_ms = out.now_ms - kRecentMs;
        recent.grain = store::BucketGrain::Model;
        out.recent = store.buckets(recent);
        if (!in.transcript_path.empty()) {
            if (const auto cursor = store.load_cursor(in.transcript_path)) offset = cursor->offset;
        }
    } catch (const std::exception&) {  // no store yet, or locked: the transcript alone
        out.session = {};
        out.recent = {};
        offset = 0;
    }
}

std::string machine_name(Context& ctx) {
    try {
        const Config config = load_config(ctx.paths().config_file());
        return config.machine_name.empty() ? default_machine_name() : config.machine_name;
    } catch (const std::exception&) {
        return default_machine_name();
    }
}

std::string status(Context& ctx) {
    const auto in = read_input();
    if (!in) return report::status_fallback("no session on stdin");
    report::StatusInputs inputs;
    inputs.model = in->model;
    inputs.session_id = in->session_id;
    inputs.now_ms = timeutil::to_epoch_ms(ctx.clock().now());
    std::uint64_t offset = 0;
    load_from_store(ctx, *in, inputs, offset);
    if (!in->transcript_path.empty()) {
        const auto tail = ingest::read_tail(in->transcript_path, offset, machine_name(ctx));
        std::vector<UsageRecord> mine;
        for (const auto& r : tail.records) {
            if (r.session_id == in->session_id) mine.push_back(r);
        }
        if (!tail.records.empty()) {
            const auto& prices = ctx.prices();
            report::add_records(inputs.session, mine, prices);
            report::add_records(inputs.recent, tail.records, prices);
        }
    }
    return report::status_line(inputs, report::TimeZone::local(ctx.env()));
}

int run_statusline(Context& ctx) {
    std::string line;
    try {
        line = status(ctx);
    } catch (const std::exception& e) {
        line = report::status_fallback(e.what());
    }
    std::cout << line << "\n" << std::flush;
    return 0;
}

}  // namespace

void register_statusline(CLI::App& app, Context& ctx) {
    CLI::App* cmd = app.add_subcommand("statusline", "One status line for Claude Code's statusLine setting (stdin: its JSON)");
    cmd->callback([&ctx] { ctx.action = [&ctx] { return run_statusline(ctx); }; });
}

}  // namespace ccu::cli
