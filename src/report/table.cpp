#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstring>
#include <utility>
#include <vector>

#include "ccu/common/time.hpp"
#include "ccu/report/render.hpp"

namespace ccu::report {

namespace {

// Appenders behind the string functions below: the table writes a year of sessions' cells
// (~10 a row) into one buffer, where a std::string each (and snprintf for the costs) was most
// of the table's time.
void append_thousands(std::string& out, std::int64_t value) {
    std::uint64_t magnitude = value < 0 ? 0 - static_cast<std::uint64_t>(value) : static_cast<std::uint64_t>(value);
    std::array<char, 32> text;  // written from the end: digits, a comma before every third
    char* at = text.data() + text.size();
    for (int digits = 0; digits == 0 || magnitude > 0; ++digits) {
        if (digits > 0 && digits % 3 == 0) *--at = ',';
        *--at = static_cast<char>('0' + magnitude % 10);
        magnitude /= 10;
    }
    if (value < 0) *--at = '-';
    out.append(at, static_cast<std::size_t>(text.data() + text.size() - at));
}

void append_cost(std::string& out, double usd) {
    const auto cents = static_cast<std::int64_t>(std::llround(usd * 100.0));
    const std::int64_t magnitude = cents < 0 ? -cents : cents;
    out += cents < 0 ? "-$" : "$";
    append_thousands(out, magnitude / 100);
    out.push_back('.');
    out.push_back(static_cast<char>('0' + magnitude % 100 / 10));
    out.push_back(static_cast<char>('0' + magnitude % 10));
}

// The short name as two pieces: the name without "claude-", "-fast" and a trailing -YYYYMMDD
// date, and "-fast" when it had it.
std::pair<std::string_view, std::string_view> short_name_parts(std::string_view name) {
    if (name.starts_with("claude-")) name.remove_prefix(7);
    std::string_view suffix;
    if (name.size() > 5 && name.ends_with("-fast")) {
        suffix = "-fast";
        name.remove_suffix(5);
    }
    if (name.size() > 9 && name[name.size() - 9] == '-' &&
        std::all_of(name.end() - 8, name.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        name.remove_suffix(9);
    }
    return {name, suffix};
}

void append_local_minute(std::string& out, std::int64_t epoch_ms, const TimeZone* zone) {
    const std::int64_t seconds = epoch_ms / 1000;
    const std::int64_t local = seconds + (zone != nullptr ? zone->offset_seconds(seconds) : 0);
    // "YYYY-MM-DDTHH:MM" of the local instant, the 'T' as a space.
    std::array<char, 40> text;
    const std::size_t n = timeutil::format_rfc3339_ms(local * 1000, text) - 8;  // without ":SS.mmmZ"
    text[n - 6] = ' ';
    out.append(text.data(), n);
}

}  // namespace

std::string with_thousands(std::int64_t value) {
    std::string out;
    append_thousands(out, value);
    return out;
}

std::string format_cost(double usd) {
    std::string out;
    append_cost(out, usd);
    return out;
}

std::string short_model_name(std::string_view model) {
    const auto [name, suffix] = short_name_parts(model);
    std::string out(name);
    out += suffix;
    return out;
}

std::string local_minute(std::int64_t epoch_ms, const TimeZone* zone) {
    std::string out;
    append_local_minute(out, epoch_ms, zone);
    return out;
}

std::size_t display_width(std::string_view text) {
    return static_cast<std::size_t>(
        std::count_if(text.begin(), text.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

namespace {

const char* first_header(ReportKind kind) {
    switch (kind) {
        case ReportKind::Daily: return "Date";
        case ReportKind::Weekly: return "Week";
        case ReportKind::Monthly: return "Month";
        case ReportKind::Session: return "Session";
        case ReportKind::Models: return "Model";
    }
    return "";
}

constexpr std::size_t kModelsColumnWidth = 44;

// The columns of one layout: which of the text columns and numbers are shown.
struct Layout {
    ReportKind kind;
    bool compact;
    std::size_t text_columns() const {
        if (kind == ReportKind::Models) return 1;
        if (kind == ReportKind::Session) return compact ? 2 : 4;
        return 2;
    }
};

// Every line's cells as text in one buffer: cell i (counted over all lines) is
// text[ends[i - 1], ends[i]); line l's cells are ends[firsts[l]] up to the next line's first.
// Cells are appended to `text` and closed with end_cell().
struct Grid {
    std::string text;
    std::vector<std::size_t> ends;
    std::vector<std::size_t> firsts;
    std::vector<std::size_t> widths;
    std::size_t line_width = 0;

    std::vector<std::size_t> cell_widths;  // display_width of each cell

    void begin_line() { firsts.push_back(ends.size()); }
    void end_cell() {
        const std::size_t begin = ends.empty() ? 0 : ends.back();
        cell_widths.push_back(display_width(std::string_view(text).substr(begin)));
        ends.push_back(text.size());
    }
    void cell(std::string_view s) {
        text += s;
        end_cell();
    }
    std::size_t lines() const { return firsts.size(); }
    std::size_t cells_in(std::size_t line) const {
        return (line + 1 < firsts.size() ? firsts[line + 1] : ends.size()) - firsts[line];
    }
    std::size_t width_at(std::size_t line, std::size_t column) const { return cell_widths[firsts[line] + column]; }
    std::string_view at(std::size_t line, std::size_t column) const {
        const std::size_t i = firsts[line] + column;
        const std::size_t begin = i == 0 ? 0 : ends[i - 1];
        return std::string_view(text).substr(begin, ends[i] - begin);
    }
};

// Short names in order of first use, cut to the column width with "+N" for the rest.
void models_cell(Grid& g, const Row& row) {
    const std::size_t start = g.text.size();
    std::size_t shown = 0;
    for (const auto& model : row.models_used) {
        const auto [name, suffix] = short_name_parts(model);
        const std::size_t used = g.text.size() - start;
        const std::size_t next = (used == 0 ? 0 : 2) + name.size() + suffix.size();
        const std::size_t rest = row.models_used.size() - shown - 1;
        const std::size_t reserve = rest > 0 ? 5 : 0;  // room for " +NN"
        if (shown > 0 && used + next + reserve > kModelsColumnWidth) break;
        if (used > 0) g.text += ", ";
        g.text += name;
        g.text += suffix;
        ++shown;
    }
    if (shown < row.models_used.size()) {
        g.text += " +";
        g.text += std::to_string(row.models_used.size() - shown);
    }
    g.end_cell();
}

void number_cells(Grid& g, const Layout& layout, const Totals& t) {
    const auto number = [&g](std::int64_t v) {
        append_thousands(g.text, v);
        g.end_cell();
    };
    number(t.input_tokens);
    number(t.output_tokens);
    if (!layout.compact) {
        number(t.cache_creation_tokens);
        number(t.cache_read_tokens);
        number(t.total_tokens());
    }
    append_cost(g.text, t.cost);
    g.end_cell();
}

void row_cells(Grid& g, const Layout& layout, const Row& row, const TableOptions& options) {
    g.begin_line();
    if (!row.instance.empty()) g.text.append(row.instance).append("  ");
    g.cell(row.key);
    if (layout.kind == ReportKind::Session) {
        g.cell(row.project);
        if (!layout.compact) {
            append_local_minute(g.text, row.last_ms, options.zone);
            g.end_cell();
            models_cell(g, row);
        }
    } else if (layout.kind == ReportKind::Models) {
        append_thousands(g.text, row.totals.records);
        g.end_cell();
    } else {
        models_cell(g, row);
    }
    number_cells(g, layout, row.totals);
}

// A detail line under a row (a model or a machine): the label in the first text column, begun
// by the caller and closed here; the models table's records column follows it, as on its rows.
void detail_cells(Grid& g, const Layout& layout, const Totals& totals) {
    g.end_cell();
    for (std::size_t i = 1; i < layout.text_columns(); ++i) g.end_cell();
    if (layout.kind == ReportKind::Models) {
        append_thousands(g.text, totals.records);
        g.end_cell();
    }
    number_cells(g, layout, totals);
}

// The totals line: a detail line labelled "Total".
void total_cells(Grid& g, const Layout& layout, const Totals& totals) {
    g.begin_line();
    g.text += "Total";
    detail_cells(g, layout, totals);
}

void header_cells(Grid& g, const Layout& layout) {
    g.begin_line();
    g.cell(first_header(layout.kind));
    if (layout.kind == ReportKind::Session) {
        g.cell("Project");
        if (!layout.compact) {
            g.cell("Last Activity");
            g.cell("Models");
        }
    } else {
        g.cell(layout.kind == ReportKind::Models ? "Records" : "Models");
    }
    if (layout.compact) {
        for (const char* h : {"Input", "Output", "Cost (USD)"}) g.cell(h);
    } else {
        for (const char* h : {"Input", "Output", "Cache Create", "Cache Read", "Total Tokens", "Cost (USD)"}) g.cell(h);
    }
}

// Lines: the header, the body (rows and their detail lines), the totals.
Grid build_grid(const Report& report, const Layout& layout, const TableOptions& options) {
    Grid g;
    header_cells(g, layout);
    for (const auto& row : report.rows) {
        row_cells(g, layout, row, options);
        if (options.breakdown) {
            for (const auto& m : row.model_breakdowns) {
                const auto [name, suffix] = short_name_parts(m.model);
                g.begin_line();
                g.text.append("  └─ ").append(name).append(suffix);
                detail_cells(g, layout, m.totals);
            }
        }
        if (options.by_machine) {
            for (const auto& m : row.machine_breakdowns) {
                g.begin_line();
                g.text.append("  @ ").append(m.machine);
                detail_cells(g, layout, m.totals);
            }
        }
    }
    total_cells(g, layout, report.totals);
    g.widths.assign(g.cells_in(0), 0);
    for (std::size_t line = 0; line < g.lines(); ++line) {
        for (std::size_t i = 0; i < g.cells_in(line); ++i) g.widths[i] = std::max(g.widths[i], g.width_at(line, i));
    }
    g.line_width = 2 * (g.widths.size() - 1);
    for (auto w : g.widths) g.line_width += w;
    return g;
}

// The line's cells padded to the column widths (text left, numbers right), without trailing
// spaces; written through a cursor into room made once (a year of sessions is ~10^5 cells).
void append_line(std::string& out, const Grid& g, std::size_t line, std::size_t text_columns) {
    const std::size_t begin = out.size();
    const std::size_t cells = g.cells_in(line);
    std::size_t most = 0;
    for (std::size_t i = 0; i < cells; ++i) most += 2 + g.widths[i] + g.at(line, i).size();
    out.resize(begin + most);
    char* at = out.data() + begin;
    for (std::size_t i = 0; i < cells; ++i) {
        const std::string_view cell = g.at(line, i);
        const std::size_t pad = g.widths[i] - g.width_at(line, i);
        if (i > 0) {
            std::memcpy(at, "  ", 2);
            at += 2;
        }
        if (i >= text_columns) {
            std::memset(at, ' ', pad);
            at += pad;
        }
        std::memcpy(at, cell.data(), cell.size());
        at += cell.size();
        if (i < text_columns) {
            std::memset(at, ' ', pad);
            at += pad;
        }
    }
    while (at > out.data() + begin && at[-1] == ' ') --at;
    out.resize(static_cast<std::size_t>(at - out.data()));
}

}  // namespace

std::string render_table(const Report& report, const TableOptions& options, const Emphasis& emphasis) {
    Layout layout{report.kind, options.layout == TableLayout::Compact};
    Grid g = build_grid(report, layout, options);
    if (options.layout == TableLayout::Auto && options.width > 0 && g.line_width > options.width) {
        layout.compact = true;
        g = build_grid(report, layout, options);
    }
    const std::size_t text = layout.text_columns();
    const std::size_t last = g.lines() - 1;
    const auto styled_line = [&](std::string& out, std::size_t line) {
        if (!emphasis) {
            append_line(out, g, line, text);
            return;
        }
        std::string plain;
        append_line(plain, g, line, text);
        out += emphasis(plain);
    };
    const std::string rule(g.line_width, '-');
    std::string out;
    out.reserve(g.text.size() + g.lines() * (g.line_width / 2 + 1));
    styled_line(out, 0);
    out.append("\n").append(rule).append("\n");
    for (std::size_t line = 1; line < last; ++line) {
        append_line(out, g, line, text);
        out += '\n';
    }
    out.append(rule).append("\n");
    styled_line(out, last);
    out += '\n';
    if (layout.compact && options.layout == TableLayout::Auto) {
        out += "(compact view for a narrow terminal: widen it for cache and total token columns)\n";
    }
    return out;
}

std::string render_table(const Report& report, const Emphasis& emphasis) {
    return render_table(report, TableOptions{}, emphasis);
}

}  // namespace ccu::report
