#include <nlohmann/json.hpp>

#include "ccu/report/render.hpp"

namespace ccu::report {

namespace {

void put_tokens(nlohmann::json& out, const Totals& t) {
    out["inputTokens"] = t.input_tokens;
    out["outputTokens"] = t.output_tokens;
    out["cacheCreationTokens"] = t.cache_creation_tokens;
    out["cacheReadTokens"] = t.cache_read_tokens;
}

nlohmann::json totals_json(const Totals& t) {
    nlohmann::json out = nlohmann::json::object();
    put_tokens(out, t);
    out["totalTokens"] = t.total_tokens();
    out["totalCost"] = t.cost;
    return out;
}

nlohmann::json breakdowns_json(const Row& row) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& b : row.model_breakdowns) {
        nlohmann::json item = nlohmann::json::object();
        item["modelName"] = b.model;
        put_tokens(item, b.totals);
        item["cost"] = b.totals.cost;
        list.push_back(std::move(item));
    }
    return list;
}

nlohmann::json machines_json(const Row& row) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& m : row.machine_breakdowns) {
        nlohmann::json item = totals_json(m.totals);
        item["machineName"] = m.machine;
        item["cost"] = m.totals.cost;
        item.erase("totalCost");
        list.push_back(std::move(item));
    }
    return list;
}

nlohmann::json row_json(ReportKind kind, const Row& row, bool by_machine) {
    nlohmann::json out = totals_json(row.totals);
    if (by_machine) out["machineBreakdowns"] = machines_json(row);
    switch (kind) {
        case ReportKind::Daily: out["date"] = row.key; break;
        case ReportKind::Weekly: out["week"] = row.key; break;
        case ReportKind::Monthly: out["month"] = row.key; break;
        case ReportKind::Session:
            out["sessionId"] = row.key;
            out["projectPath"] = row.project_path;
            out["folder"] = row.project;  // ccu: the short project folder (last part of cwd)
            out["firstActivity"] = row.first_activity;
            out["lastActivity"] = row.last_activity;
            break;
        case ReportKind::Models:
            out["modelName"] = row.key;
            out["records"] = row.totals.records;
            return out;
    }
    if (!row.instance.empty()) out["project"] = row.instance;
    out["modelsUsed"] = row.models_used;
    out["modelBreakdowns"] = breakdowns_json(row);
    return out;
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

nlohmann::json totals_document(const Report& report) {
    nlohmann::json totals = totals_json(report.totals);
    if (!report.unknown_models.empty()) {
        totals["unpricedModels"] = std::vector<std::string>(report.unknown_models.begin(), report.unknown_models.end());
    }
    return totals;
}

// `value.dump(2)` as it appears nested `depth` levels deep in a dump(2) (JSON text has no raw
// newline inside strings, so every newline is a line break of the layout).
void append_nested(std::string& out, const nlohmann::json& value, std::size_t depth) {
    const std::string text = value.dump(2);
    const std::string indent(2 * depth, ' ');
    std::size_t start = 0;
    for (std::size_t nl = text.find('\n'); nl != std::string::npos; nl = text.find('\n', start)) {
        out.append(text, start, nl + 1 - start).append(indent);
        start = nl + 1;
    }
    out.append(text, start, std::string::npos);
}

}  // namespace

nlohmann::json to_json(const Report& report, const JsonOptions& options) {
    nlohmann::json out = nlohmann::json::object();
    if (options.instances) {
        // ccusage --instances: {"projects": {"<projectPath>": [rows with "project"]}}
        nlohmann::json projects = nlohmann::json::object();
        for (const auto& row : report.rows) {
            nlohmann::json& list = projects[row.instance];
            if (list.is_null()) list = nlohmann::json::array();
            list.push_back(row_json(report.kind, row, options.by_machine));
        }
        out["projects"] = std::move(projects);
    } else {
        nlohmann::json rows = nlohmann::json::array();
        for (const auto& row : report.rows) rows.push_back(row_json(report.kind, row, options.by_machine));
        out[list_name(report.kind)] = std::move(rows);
    }
    out["totals"] = totals_document(report);
    return out;
}

void write_json(const Report& report, const JsonOptions& options, const TextSink& sink) {
    if (options.instances) {
        sink(to_json(report, options).dump(2));
        return;
    }
    constexpr std::size_t kFlushBytes = 1 << 20;
    std::string out;
    const auto rows = [&] {
        out.append("  \"").append(list_name(report.kind)).append("\": ");
        if (report.rows.empty()) {
            out.append("[]");
            return;
        }
        out.append("[\n");
        for (std::size_t i = 0; i < report.rows.size(); ++i) {
            out.append(i == 0 ? "    " : ",\n    ");
            append_nested(out, row_json(report.kind, report.rows[i], options.by_machine), 2);
            if (out.size() >= kFlushBytes) {
                sink(out);
                out.clear();
            }
        }
        out.append("\n  ]");
    };
    const auto totals = [&] {
        out.append("  \"totals\": ");
        append_nested(out, totals_document(report), 1);
    };
    out.append("{\n");
    // dump() orders an object's keys by name: "totals" comes before "weekly".
    if (std::string_view(list_name(report.kind)) < "totals") {
        rows();
        out.append(",\n");
        totals();
    } else {
        totals();
        out.append(",\n");
        rows();
    }
    out.append("\n}");
    sink(out);
}

}  // namespace ccu::report
