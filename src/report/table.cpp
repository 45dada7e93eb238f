#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <vector>

#include "ccu/common/time.hpp"
#include "ccu/report/render.hpp"

namespace ccu::report {

std::string with_thousands(std::int64_t value) {
    std::string digits = std::to_string(value < 0 ? -value : value);
    std::string out;
    for (std::size_t i = 0; i < digits.size(); ++i) {
        if (i > 0 && (digits.size() - i) % 3 == 0) out.push_back(',');
        out.push_back(digits[i]);
    }
    return value < 0 ? "-" + out : out;
}

std::string format_cost(double usd) {
    auto cents = static_cast<std::int64_t>(std::llround(usd * 100.0));
    char frac[8];
    std::snprintf(frac, sizeof frac, ".%02lld", static_cast<long long>((cents < 0 ? -cents : cents) % 100));
    std::string whole = with_thousands((cents < 0 ? -cents : cents) / 100);
    return std::string(cents < 0 ? "-$" : "$") + whole + frac;
}

std::string short_model_name(std::string_view model) {
    std::string name(model);
    if (name.rfind("claude-", 0) == 0) name.erase(0, 7);
    std::string suffix;
    if (name.size() > 5 && name.ends_with("-fast")) {
        suffix = "-fast";
        name.erase(name.size() - 5);
    }
    // Drop a trailing -YYYYMMDD date.
    if (name.size() > 9 && name[name.size() - 9] == '-' &&
        std::all_of(name.end() - 8, name.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        name.erase(name.size() - 9);
    }
    return name + suffix;
}

std::string local_minute(std::int64_t epoch_ms, const TimeZone* zone) {
    const std::int64_t seconds = epoch_ms / 1000;
    const std::int64_t local = seconds + (zone != nullptr ? zone->offset_seconds(seconds) : 0);
    // "YYYY-MM-DDTHH:MM" of the local instant, digits by hand (two snprintf calls were a fifth
    // of a year's session table).
    std::array<char, 40> text;
    const std::size_t n = timeutil::format_rfc3339_ms(local * 1000, text);
    std::string out(text.data(), n - 8);  // without ":SS.mmmZ"
    out[out.size() - 6] = ' ';
    return out;
}

namespace {

using Cells = std::vector<std::string>;

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

// Short names in order of first use, cut to the column width with "+N" for the rest.
std::string models_cell(const Row& row) {
    std::string out;
    std::size_t shown = 0;
    for (const auto& model : row.models_used) {
        std::string next = (out.empty() ? "" : ", ") + short_model_name(model);
        std::size_t rest = row.models_used.size() - shown - 1;
        std::size_t reserve = rest > 0 ? 5 : 0;  // room for " +NN"
        if (shown > 0 && out.size() + next.size() + reserve > kModelsColumnWidth) break;
        out += next;
        ++shown;
    }
    if (shown < row.models_used.size()) out += " +" + std::to_string(row.models_used.size() - shown);
    return out;
}

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

Cells number_cells(const Layout& layout, const Totals& t) {
    if (layout.compact) return {with_thousands(t.input_tokens), with_thousands(t.output_tokens), format_cost(t.cost)};
    return {with_thousands(t.input_tokens), with_thousands(t.output_tokens),
            with_thousands(t.cache_creation_tokens), with_thousands(t.cache_read_tokens),
            with_thousands(t.total_tokens()), format_cost(t.cost)};
}

Cells row_cells(const Layout& layout, const Row& row, const TableOptions& options) {
    Cells cells{row.instance.empty() ? row.key : row.instance + "  " + row.key};
    if (layout.kind == ReportKind::Session) {
        cells.push_back(row.project);
        if (!layout.compact) {
            cells.push_back(local_minute(row.last_ms, options.zone));
            cells.push_back(models_cell(row));
        }
    } else if (layout.kind == ReportKind::Models) {
        cells.push_back(with_thousands(row.totals.records));
    } else {
        cells.push_back(models_cell(row));
    }
    for (auto& c : number_cells(layout, row.totals)) cells.push_back(std::move(c));
    return cells;
}

// A detail line under a row (a model or a machine): the label in the first text column.
Cells detail_cells(const Layout& layout, const std::string& label, const Totals& totals) {
    Cells cells{"  " + label};
    for (std::size_t i = 1; i < layout.text_columns(); ++i) cells.emplace_back();
    if (layout.kind == ReportKind::Models) cells.back() = with_thousands(totals.records);
    for (auto& c : number_cells(layout, totals)) cells.push_back(std::move(c));
    return cells;
}

Cells header_cells(const Layout& layout) {
    Cells cells{first_header(layout.kind)};
    if (layout.kind == ReportKind::Session) {
        cells.push_back("Project");
        if (!layout.compact) {
            cells.push_back("Last Activity");
            cells.push_back("Models");
        }
    } else {
        cells.push_back(layout.kind == ReportKind::Models ? "Records" : "Models");
    }
    if (layout.compact) {
        for (const char* h : {"Input", "Output", "Cost (USD)"}) cells.push_back(h);
    } else {
        for (const char* h : {"Input", "Output", "Cache Create", "Cache Read", "Total Tokens", "Cost (USD)"}) {
            cells.push_back(h);
        }
    }
    return cells;
}

}  // namespace

std::size_t display_width(std::string_view text) {
    return static_cast<std::size_t>(
        std::count_if(text.begin(), text.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

namespace {

std::size_t width(std::string_view text) { return display_width(text); }

std::string join_row(const Cells& cells, const std::vector<std::size_t>& widths, std::size_t text_columns) {
    std::string line;
    for (std::size_t i = 0; i < cells.size(); ++i) {
        std::string pad(widths[i] - width(cells[i]), ' ');
        if (i > 0) line += "  ";
        line += i < text_columns ? cells[i] + pad : pad + cells[i];  // text left, numbers right
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    return line;
}

struct Grid {
    Cells header;
    std::vector<Cells> body;
    std::vector<bool> detail;  // parallel to body: a model/machine line
    Cells total;
    std::vector<std::size_t> widths;
    std::size_t line_width = 0;
};

Grid build_grid(const Report& report, const Layout& layout, const TableOptions& options) {
    Grid g;
    g.header = header_cells(layout);
    for (const auto& row : report.rows) {
        g.body.push_back(row_cells(layout, row, options));
        g.detail.push_back(false);
        if (options.breakdown) {
            for (const auto& m : row.model_breakdowns) {
                g.body.push_back(detail_cells(layout, "└─ " + short_model_name(m.model), m.totals));
                g.detail.push_back(true);
            }
        }
        if (options.by_machine) {
            for (const auto& m : row.machine_breakdowns) {
                g.body.push_back(detail_cells(layout, "@ " + m.machine, m.totals));
                g.detail.push_back(true);
            }
        }
    }
    g.total = detail_cells(layout, "", report.totals);
    g.total[0] = "Total";
    if (layout.kind == ReportKind::Models) g.total[1] = with_thousands(report.totals.records);
    g.widths.assign(g.header.size(), 0);
    const auto widen = [&g](const Cells& cells) {
        for (std::size_t i = 0; i < cells.size(); ++i) g.widths[i] = std::max(g.widths[i], width(cells[i]));
    };
    widen(g.header);
    widen(g.total);
    for (const auto& cells : g.body) widen(cells);
    g.line_width = 2 * (g.widths.size() - 1);
    for (auto w : g.widths) g.line_width += w;
    return g;
}

}  // namespace

std::string render_table(const Report& report, const TableOptions& options, const Emphasis& emphasis) {
    Layout layout{report.kind, options.layout == TableLayout::Compact};
    Grid g = build_grid(report, layout, options);
    if (options.layout == TableLayout::Auto && options.width > 0 && g.line_width > options.width) {
        layout.compact = true;
        g = build_grid(report, layout, options);
    }
    auto styled = [&](std::string line) { return emphasis ? emphasis(line) : line; };
    const std::string rule(g.line_width, '-');
    const std::size_t text = layout.text_columns();
    std::string out = styled(join_row(g.header, g.widths, text)) + "\n" + rule + "\n";
    for (const auto& cells : g.body) out += join_row(cells, g.widths, text) + "\n";
    out += rule + "\n" + styled(join_row(g.total, g.widths, text)) + "\n";
    if (layout.compact && options.layout == TableLayout::Auto) {
        out += "(compact view for a narrow terminal: widen it for cache and total token columns)\n";
    }
    return out;
}

std::string render_table(const Report& report, const Emphasis& emphasis) {
    return render_table(report, TableOptions{}, emphasis);
}

}  // namespace ccu::report
