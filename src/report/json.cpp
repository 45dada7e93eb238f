// ccusage's --json documents, written as text straight from the Report: a year of sessions is
// tens of MB of JSON, and building it as nlohmann values first cost more than the report itself.
// The text is exactly nlohmann's dump(2) of the same document (keys in byte order, two-space
// indents, its shortest-round-trip doubles), so to_json() is that text parsed.
#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <cassert>
#include <charconv>
#include <cmath>
#include <cstring>
#include <future>
#include <memory>
#include <numeric>

#include "ccu/common/time.hpp"
#include "ccu/report/render.hpp"

namespace ccu::report {

namespace {

constexpr std::size_t kFlushBytes = 1 << 20;

// One JSON document in dump(2)'s layout, handed to the sink in pieces of about kFlushBytes.
// Written through a raw cursor into a buffer with room for the largest single piece (a row's
// fields are short; a longer string grows the buffer first): std::string's append re-checks
// the capacity of every few bytes, which was most of the writing.
class Writer {
public:
    explicit Writer(const TextSink& sink) : sink_(sink) {}
    // A writer of elements that follow others at depth (a chunk of an array's rows, written
    // elsewhere and handed on with pass()); its text stays in its buffer.
    Writer(const TextSink& sink, std::size_t depth, std::size_t size)
        : sink_(sink), size_(size), buf_(new char[size_]), at_(buf_.get()), depth_(depth), first_(false), keeps_(true) {}

    void string(std::string_view s) {
        if (!plain(s)) {
            // Escapes, UTF-8 checks and their errors exactly as the document's dump().
            raw(nlohmann::json(std::string(s)).dump());
            return;
        }
        room(s.size() + 2);
        *at_++ = '"';
        copy(s);
        *at_++ = '"';
    }
    void timestamp(std::int64_t epoch_ms) {
        std::array<char, 40> text;
        string(std::string_view(text.data(), timeutil::format_rfc3339_ms(epoch_ms, text)));
    }
    void integer(std::int64_t v) {
        room(24);
        at_ = std::to_chars(at_, at_ + 24, v).ptr;
    }
    void number(double v) {
        if (!std::isfinite(v)) {
            raw("null");
            return;
        }
        // nlohmann's own Grisu2 formatting (what dump() calls), so every cost reads back as written.
        room(64);
        at_ = nlohmann::detail::to_chars(at_, at_ + 64, v);
    }
    // Opens an object or array ('{' / '['); elements at depth + 1.
    void open(char bracket) {
        room(1);
        *at_++ = bracket;
        first_ = true;
        ++depth_;
    }
    // Before each element: the separator and the indent (an object's key follows).
    void element() {
        room(2 + 2 * depth_);
        if (!first_) *at_++ = ',';
        first_ = false;
        newline(depth_);
    }
    void key(std::string_view k) {
        element();
        string(k);
        raw(": ");
    }
    // A key of ccusage's shape: plain ASCII, nothing to escape.
    void field(std::string_view k) {
        element();
        room(k.size() + 4);
        *at_++ = '"';
        copy(k);
        std::memcpy(at_, "\": ", 3);
        at_ += 3;
    }
    void close(char bracket) {
        --depth_;
        room(2 + 2 * depth_);
        if (!first_) newline(depth_);
        *at_++ = bracket;
        first_ = false;
    }
    void flush_if_full() {
        if (!keeps_ && used() >= kFlushBytes) flush();
    }
    void flush() {
        if (used() > 0) sink_(std::string_view(buf_.get(), used()));
        at_ = buf_.get();
    }
    // The text other writes into, as if written here: this writer's text first, then theirs.
    void pass(const Writer& other) {
        flush();
        if (other.used() > 0) sink_(std::string_view(other.buf_.get(), other.used()));
        first_ = false;
    }
    std::size_t depth() const { return depth_; }

private:
    static constexpr std::size_t kSlack = 1 << 16;

    std::size_t used() const { return static_cast<std::size_t>(at_ - buf_.get()); }
    // At least n bytes free at at_ (rows flush at kFlushBytes, so this grows only for a long string).
    void room(std::size_t n) {
        if (size_ - used() >= n) return;
        const std::size_t keep = used();
        size_ = std::max(size_ * 2, keep + n);
        auto bigger = std::make_unique<char[]>(size_);
        std::memcpy(bigger.get(), buf_.get(), keep);
        buf_ = std::move(bigger);
        at_ = buf_.get() + keep;
    }
    void copy(std::string_view s) {
        std::memcpy(at_, s.data(), s.size());
        at_ += s.size();
    }
    void raw(std::string_view s) {
        room(s.size());
        copy(s);
    }
    void newline(std::size_t depth) {
        *at_++ = '\n';
        std::memset(at_, ' ', 2 * depth);
        at_ += 2 * depth;
    }
    // Printable ASCII other than '"' and '\\': written as it is.
    static bool plain(std::string_view s) {
        static constexpr auto table = [] {
            std::array<bool, 256> t{};
            for (int c = 0x20; c < 0x7f; ++c) t[static_cast<std::size_t>(c)] = c != '"' && c != '\\';
            return t;
        }();
        bool ok = true;
        for (const char c : s) ok &= table[static_cast<unsigned char>(c)];
        return ok;
    }

    const TextSink& sink_;
    std::size_t size_ = kFlushBytes + kSlack;
    std::unique_ptr<char[]> buf_{new char[size_]};  // not zeroed: pages are touched only as written
    char* at_ = buf_.get();
    std::size_t depth_ = 0;
    bool first_ = true;
    bool keeps_ = false;  // a chunk's writer: its text stays in the buffer until pass()
};

// Keys below are written in byte order (as dump() orders a std::map): "cacheCreationTokens" <
// "cacheReadTokens" < "cost" < "date" < ... ; upper case sorts before lower case.
// KeyOrder checks it in debug builds (the tests), where a misplaced key would abort.
class KeyOrder {
public:
    void operator()([[maybe_unused]] std::string_view next) {
        assert(last_.empty() || last_ < next);
#ifndef NDEBUG
        last_ = next;
#endif
    }

private:
    std::string_view last_;
};

struct Keyed {
    Writer& w;
    KeyOrder order;
    void key(std::string_view k) {
        order(k);
        w.field(k);
    }
    void integer(std::string_view k, std::int64_t v) {
        key(k);
        w.integer(v);
    }
    void number(std::string_view k, double v) {
        key(k);
        w.number(v);
    }
    void string(std::string_view k, std::string_view v) {
        key(k);
        w.string(v);
    }
};

template <typename List>
void string_list(Writer& w, const List& list) {
    w.open('[');
    for (const auto& s : list) {
        w.element();
        w.string(s);
    }
    w.close(']');
}

// A model or machine breakdown: cacheCreationTokens, cacheReadTokens, cost, inputTokens,
// <name_key>, outputTokens [, totalTokens].
void breakdown(Writer& w, const Totals& t, std::string_view name_key, std::string_view name, bool total_tokens) {
    w.open('{');
    Keyed o{w, {}};
    o.integer("cacheCreationTokens", t.cache_creation_tokens);
    o.integer("cacheReadTokens", t.cache_read_tokens);
    o.number("cost", t.cost);
    o.integer("inputTokens", t.input_tokens);
    o.string(name_key, name);
    o.integer("outputTokens", t.output_tokens);
    if (total_tokens) o.integer("totalTokens", t.total_tokens());
    w.close('}');
}

void row_object(Writer& w, ReportKind kind, const Row& row, bool by_machine) {
    const Totals& t = row.totals;
    const bool session = kind == ReportKind::Session;
    const bool models = kind == ReportKind::Models;
    w.open('{');
    Keyed o{w, {}};
    o.integer("cacheCreationTokens", t.cache_creation_tokens);
    o.integer("cacheReadTokens", t.cache_read_tokens);
    if (kind == ReportKind::Daily) o.string("date", row.key);
    if (session) {
        o.key("firstActivity");
        w.timestamp(row.first_ms);
        o.string("folder", row.project);  // ccu: the short project folder (last part of cwd)
    }
    o.integer("inputTokens", t.input_tokens);
    if (session) {
        o.key("lastActivity");
        w.timestamp(row.last_ms);
    }
    if (by_machine) {
        o.key("machineBreakdowns");
        w.open('[');
        for (const auto& m : row.machine_breakdowns) {
            w.element();
            breakdown(w, m.totals, "machineName", m.machine, true);
        }
        w.close(']');
    }
    if (!models) {
        o.key("modelBreakdowns");
        w.open('[');
        for (const auto& b : row.model_breakdowns) {
            w.element();
            breakdown(w, b.totals, "modelName", b.model, false);
        }
        w.close(']');
    }
    if (models) o.string("modelName", row.key);
    if (!models) {
        o.key("modelsUsed");
        string_list(w, row.models_used);
    }
    if (kind == ReportKind::Monthly) o.string("month", row.key);
    o.integer("outputTokens", t.output_tokens);
    if (!models && !row.instance.empty()) o.string("project", row.instance);
    if (session) o.string("projectPath", row.project_path);
    if (models) o.integer("records", t.records);
    if (session) o.string("sessionId", row.key);
    o.number("totalCost", t.cost);
    o.integer("totalTokens", t.total_tokens());
    if (kind == ReportKind::Weekly) o.string("week", row.key);
    w.close('}');
}

void totals_object(Writer& w, const Report& report) {
    const Totals& t = report.totals;
    w.open('{');
    Keyed o{w, {}};
    o.integer("cacheCreationTokens", t.cache_creation_tokens);
    o.integer("cacheReadTokens", t.cache_read_tokens);
    o.integer("inputTokens", t.input_tokens);
    o.integer("outputTokens", t.output_tokens);
    o.number("totalCost", t.cost);
    o.integer("totalTokens", t.total_tokens());
    if (!report.unknown_models.empty()) {
        o.key("unpricedModels");
        w.open('[');
        for (const auto& m : report.unknown_models) {
            w.element();
            w.string(m);
        }
        w.close(']');
    }
    w.close('}');
}

// Rows [begin, end) of the list, one piece to the sink per kFlushBytes.
void rows_into(Writer& w, const Report& report, const std::size_t* begin, const std::size_t* end, bool by_machine) {
    for (const std::size_t* i = begin; i != end; ++i) {
        w.element();
        row_object(w, report.kind, report.rows[*i], by_machine);
        w.flush_if_full();
    }
}

// Rows (indices into report.rows) as an array. A year of sessions is ~40 MB of text, a third
// of the report's time: chunks of kChunkRows go in turn to a helper thread, which writes the
// next chunk into its own buffer while this one writes the current chunk to the sink; the
// helper's text is passed on after this thread's, so the bytes are those of one writer.
constexpr std::size_t kChunkRows = 512;

void row_array(Writer& w, const Report& report, const std::vector<std::size_t>& rows, bool by_machine) {
    w.open('[');
    const std::size_t* at = rows.data();
    const std::size_t* const end = at + rows.size();
    const TextSink unused = [](std::string_view) {};
    while (at != end) {
        const std::size_t mine = std::min<std::size_t>(kChunkRows, static_cast<std::size_t>(end - at));
        const std::size_t* next = at + mine;
        const std::size_t theirs = std::min<std::size_t>(kChunkRows, static_cast<std::size_t>(end - next));
        if (theirs == 0) {
            rows_into(w, report, at, next, by_machine);
            break;
        }
        // The helper's rows are never the array's first, so its writer starts after an element.
        std::future<Writer> helper = std::async(std::launch::async, [&, next, theirs, depth = w.depth()] {
            Writer chunk(unused, depth, 2 * kFlushBytes);
            rows_into(chunk, report, next, next + theirs, by_machine);
            return chunk;
        });
        rows_into(w, report, at, next, by_machine);
        w.pass(helper.get());  // also rethrows what the helper threw (a name that is not UTF-8)
        at = next + theirs;
    }
    w.close(']');
}

const char* list_name(ReportKind kind) {
    switch (kind) {
        case ReportKind::Daily: return "daily";
        case ReportKind::Weekly: return "weekly";
        case ReportKind::Monthly: return "monthly";
        case ReportKind::Session: return "sessions";
        case ReportKind::Models: return "models";
    }
    return "daily";
}

// ccusage --instances: {"projects": {"<projectPath>": [rows with "project"]}, "totals": ...};
// the projects in name order, each one's rows in report order.
void projects_object(Writer& w, const Report& report, bool by_machine) {
    std::vector<std::size_t> order(report.rows.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return report.rows[a].instance < report.rows[b].instance; });
    w.open('{');
    for (std::size_t start = 0; start < order.size();) {
        const std::string_view instance = report.rows[order[start]].instance;
        std::size_t end = start;
        while (end < order.size() && report.rows[order[end]].instance == instance) ++end;
        w.key(instance);
        row_array(w, report, std::vector<std::size_t>(order.begin() + static_cast<std::ptrdiff_t>(start),
                                                      order.begin() + static_cast<std::ptrdiff_t>(end)),
                  by_machine);
        start = end;
    }
    w.close('}');
}

}  // namespace

void write_json(const Report& report, const JsonOptions& options, const TextSink& sink) {
    Writer w(sink);
    w.open('{');
    Keyed o{w, {}};
    const std::string_view list = options.instances ? "projects" : list_name(report.kind);
    // dump() orders an object's keys by name: "totals" comes before "weekly".
    const auto rows = [&] {
        o.key(list);
        if (options.instances) {
            projects_object(w, report, options.by_machine);
        } else {
            std::vector<std::size_t> all(report.rows.size());
            std::iota(all.begin(), all.end(), std::size_t{0});
            row_array(w, report, all, options.by_machine);
        }
    };
    if (list < "totals") rows();
    o.key("totals");
    totals_object(w, report);
    if (list > "totals") rows();
    w.close('}');
    w.flush();
}

nlohmann::json to_json(const Report& report, const JsonOptions& options) {
    std::string text;
    write_json(report, options, [&text](std::string_view piece) { text.append(piece); });
    return nlohmann::json::parse(text);
}

}  // namespace ccu::report
