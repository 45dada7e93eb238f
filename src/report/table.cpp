#include <algorithm>
#include <cmath>
#include <cstdio>
#include <vector>

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

namespace {

using Cells = std::vector<std::string>;

const char* first_header(ReportKind kind) {
    switch (kind) {
        case ReportKind::Daily: return "Date";
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

Cells number_cells(const Totals& t) {
    return {with_thousands(t.input_tokens), with_thousands(t.output_tokens),
            with_thousands(t.cache_creation_tokens), with_thousands(t.cache_read_tokens),
            with_thousands(t.total_tokens()), format_cost(t.cost)};
}

Cells row_cells(ReportKind kind, const Row& row) {
    Cells cells{row.key};
    if (kind == ReportKind::Session) cells.push_back(row.project);
    if (kind == ReportKind::Models) {
        cells.push_back(with_thousands(row.totals.records));
    } else {
        cells.push_back(models_cell(row));
    }
    for (auto& c : number_cells(row.totals)) cells.push_back(std::move(c));
    return cells;
}

Cells header_cells(ReportKind kind) {
    Cells cells{first_header(kind)};
    if (kind == ReportKind::Session) cells.push_back("Project");
    cells.push_back(kind == ReportKind::Models ? "Records" : "Models");
    for (const char* h : {"Input", "Output", "Cache Create", "Cache Read", "Total Tokens", "Cost (USD)"}) {
        cells.push_back(h);
    }
    return cells;
}

// Display width in terminal columns: count UTF-8 lead bytes.
std::size_t width(std::string_view text) {
    return static_cast<std::size_t>(
        std::count_if(text.begin(), text.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

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

}  // namespace

std::string render_table(const Report& report, const Emphasis& emphasis) {
    const ReportKind kind = report.kind;
    const std::size_t text_columns = kind == ReportKind::Session ? 3 : (kind == ReportKind::Models ? 1 : 2);
    std::vector<Cells> body;
    for (const auto& row : report.rows) body.push_back(row_cells(kind, row));
    Cells header = header_cells(kind);
    Cells total{"Total"};
    for (std::size_t i = 1; i + 6 < header.size(); ++i) {
        total.push_back(kind == ReportKind::Models && i == 1 ? with_thousands(report.totals.records) : "");
    }
    for (auto& c : number_cells(report.totals)) total.push_back(std::move(c));

    std::vector<std::size_t> widths(header.size(), 0);
    for (const Cells* cells : {&header, &total}) {
        for (std::size_t i = 0; i < cells->size(); ++i) widths[i] = std::max(widths[i], width((*cells)[i]));
    }
    for (const auto& cells : body) {
        for (std::size_t i = 0; i < cells.size(); ++i) widths[i] = std::max(widths[i], width(cells[i]));
    }
    auto styled = [&](std::string line) { return emphasis ? emphasis(line) : line; };
    std::size_t rule_width = 2 * (widths.size() - 1);
    for (auto w : widths) rule_width += w;
    std::string rule(rule_width, '-');

    std::string out = styled(join_row(header, widths, text_columns)) + "\n" + rule + "\n";
    for (const auto& cells : body) out += join_row(cells, widths, text_columns) + "\n";
    out += rule + "\n" + styled(join_row(total, widths, text_columns)) + "\n";
    return out;
}

}  // namespace ccu::report
