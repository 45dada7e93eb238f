#include <catch2/catch.hpp>

#include "ccu/common/time.hpp"
#include "ccu/report/render.hpp"

using namespace ccu::report;
using ccu::UsageRecord;

namespace {

const char* kPrices = R"({"models":{"claude-opus-4-6":{"input":5,"output":25,"cache_write_5m":6.25,"cache_read":0.5}}})";

Report sample(ReportKind kind) {
    static const auto table = ccu::pricing::PriceTable::parse(kPrices);
    UsageRecord r;
    r.session_id = "sess-1";
    r.message_uuid = "u1";
    r.timestamp = "2025-03-01T10:00:00.000Z";
    r.model = "claude-opus-4-6";
    r.input_tokens = 1000;
    r.output_tokens = 200;
    r.cache_creation_tokens = 3000;
    r.cache_read_tokens = 40000;
    r.folder = "proj";
    return build_report(kind, {r}, table, TimeZone::utc(), {});
}

}  // namespace

TEST_CASE("daily JSON has exactly ccusage's shape", "[report]") {
    auto json = to_json(sample(ReportKind::Daily));
    // Golden document: field names and nesting as `ccusage claude daily --json` prints them.
    auto golden = nlohmann::json::parse(R"({
      "daily": [{
        "date": "2025-03-01", "inputTokens": 1000, "outputTokens": 200, "cacheCreationTokens": 3000,
        "cacheReadTokens": 40000, "totalTokens": 44200, "totalCost": 0.04875,
        "modelsUsed": ["claude-opus-4-6"],
        "modelBreakdowns": [{"modelName": "claude-opus-4-6", "inputTokens": 1000, "outputTokens": 200,
                             "cacheCreationTokens": 3000, "cacheReadTokens": 40000, "cost": 0.04875}]
      }],
      "totals": {"inputTokens": 1000, "outputTokens": 200, "cacheCreationTokens": 3000,
                 "cacheReadTokens": 40000, "totalTokens": 44200, "totalCost": 0.04875}
    })");
    // Costs compared with a tolerance, everything else exactly.
    CHECK(json["daily"][0]["totalCost"].get<double>() == Approx(0.04875));
    json["daily"][0]["totalCost"] = 0.04875;
    json["daily"][0]["modelBreakdowns"][0]["cost"] = 0.04875;
    json["totals"]["totalCost"] = 0.04875;
    CHECK(json == golden);
}

TEST_CASE("monthly, session and models JSON keys", "[report]") {
    auto monthly = to_json(sample(ReportKind::Monthly));
    CHECK(monthly["monthly"][0]["month"] == "2025-03");
    CHECK(monthly["monthly"][0].contains("modelBreakdowns"));
    auto session = to_json(sample(ReportKind::Session));
    const auto& s = session["sessions"][0];
    CHECK(s["sessionId"] == "sess-1");
    CHECK(s["projectPath"] == "proj");
    CHECK(s["firstActivity"] == "2025-03-01T10:00:00.000Z");
    CHECK(s["lastActivity"] == "2025-03-01T10:00:00.000Z");
    CHECK(s["totalTokens"] == 44200);
    auto models = to_json(sample(ReportKind::Models));
    CHECK(models["models"][0]["modelName"] == "claude-opus-4-6");
    CHECK(models["models"][0]["records"] == 1);
    CHECK(models["totals"]["totalTokens"] == 44200);
}

TEST_CASE("empty report prints zero totals", "[report]") {
    static const auto table = ccu::pricing::PriceTable::parse(kPrices);
    auto json = to_json(build_report(ReportKind::Daily, {}, table, TimeZone::utc(), {}));
    CHECK(json["daily"].empty());
    CHECK(json["totals"]["totalCost"] == 0.0);
}

TEST_CASE("human table: aligned columns, separators, totals row", "[report]") {
    CHECK(with_thousands(0) == "0");
    CHECK(with_thousands(1234567) == "1,234,567");
    CHECK(format_cost(1234.567) == "$1,234.57");
    CHECK(format_cost(0.004) == "$0.00");
    CHECK(short_model_name("claude-sonnet-4-20250514") == "sonnet-4");
    CHECK(short_model_name("claude-opus-4-6") == "opus-4-6");
    CHECK(short_model_name("claude-sonnet-4-20250514-fast") == "sonnet-4-fast");
    std::string table = render_table(sample(ReportKind::Daily));
    CHECK(table.find("2025-03-01") != std::string::npos);
    CHECK(table.find("40,000") != std::string::npos);
    CHECK(table.find("Total") != std::string::npos);
    CHECK(table.find("\x1b[") == std::string::npos);  // no color without emphasis
    // Every line has the same right edge for the cost column.
    std::vector<std::size_t> lengths;
    std::size_t start = 0;
    for (std::size_t end; (end = table.find('\n', start)) != std::string::npos; start = end + 1) {
        lengths.push_back(end - start);
    }
    REQUIRE(lengths.size() == 5);
    CHECK(lengths[0] == lengths[2]);
    CHECK(lengths[2] == lengths[4]);
}

namespace {

// prefix + n, without `"literal" + std::to_string()` (a false -Wstringop-overflow of GCC 12 at -O3).
std::string numbered(const char* prefix, int n) {
    std::string out(prefix);
    out += std::to_string(n);
    return out;
}

// Many records over sessions, days, models (one unpriced) and machines: a report big enough that
// write_json hands on several pieces.
std::vector<UsageRecord> many_records(int n) {
    std::vector<UsageRecord> out;
    const char* models[] = {"claude-opus-4-6", "claude-sonnet-4-6", "claude-mystery-1"};
    for (int i = 0; i < n; ++i) {
        UsageRecord r;
        r.session_id = numbered("sess-", i % 3000);
        r.message_uuid = numbered("u", i);
        r.timestamp = ccu::timeutil::format_rfc3339_ms(1740823200000LL + static_cast<std::int64_t>(i) * 611'000);
        r.model = models[i % 3];
        r.input_tokens = 10 + i % 7;
        r.output_tokens = 3 * i % 101;
        r.cache_read_tokens = 1000 + i % 13;
        r.folder = numbered("proj", i % 4);
        r.machine_name = i % 5 == 0 ? "desktop" : "laptop";
        out.push_back(r);
    }
    return out;
}

}  // namespace

TEST_CASE("JSON written row by row is byte for byte the JSON document", "[report][json]") {
    static const auto table = ccu::pricing::PriceTable::parse(kPrices);
    const auto records = many_records(9000);
    for (const ReportKind kind :
         {ReportKind::Daily, ReportKind::Weekly, ReportKind::Monthly, ReportKind::Session, ReportKind::Models}) {
        for (const bool by_machine : {false, true}) {
            GroupOptions group;
            group.by_machine = by_machine;
            const Report report = build_report(kind, records, table, TimeZone::utc(), {}, group);
            const JsonOptions options{false, by_machine};
            std::string written;
            int pieces = 0;
            write_json(report, options, [&](std::string_view piece) {
                written += piece;
                ++pieces;
            });
            INFO("kind " << static_cast<int>(kind) << " by_machine " << by_machine);
            CHECK(written == to_json(report, options).dump(2));
            if (kind == ReportKind::Session) CHECK(pieces > 1);
        }
    }
    for (const bool instances : {false, true}) {
        const Report empty = build_report(ReportKind::Weekly, {}, table, TimeZone::utc(), {});
        std::string written;
        write_json(empty, {instances, false}, [&](std::string_view piece) { written += piece; });
        CHECK(written == to_json(empty, {instances, false}).dump(2));
    }
}

namespace {

// The JSON document of a report built field by field with nlohmann (how ccu built it before the
// text was written directly): the oracle of the written text.
nlohmann::json oracle_tokens(const Totals& t) {
    return {{"inputTokens", t.input_tokens},
            {"outputTokens", t.output_tokens},
            {"cacheCreationTokens", t.cache_creation_tokens},
            {"cacheReadTokens", t.cache_read_tokens}};
}

nlohmann::json oracle_row(ReportKind kind, const Row& row, bool by_machine) {
    nlohmann::json out = oracle_tokens(row.totals);
    out["totalTokens"] = row.totals.total_tokens();
    out["totalCost"] = row.totals.cost;
    if (by_machine) {
        out["machineBreakdowns"] = nlohmann::json::array();
        for (const auto& m : row.machine_breakdowns) {
            nlohmann::json item = oracle_tokens(m.totals);
            item["totalTokens"] = m.totals.total_tokens();
            item["machineName"] = m.machine;
            item["cost"] = m.totals.cost;
            out["machineBreakdowns"].push_back(item);
        }
    }
    const char* key_name[] = {"date", "week", "month", "sessionId", "modelName"};
    out[key_name[static_cast<int>(kind)]] = row.key;
    if (kind == ReportKind::Models) {
        out["records"] = row.totals.records;
        return out;
    }
    if (kind == ReportKind::Session) {
        out["projectPath"] = row.project_path;
        out["folder"] = row.project;
        out["firstActivity"] = ccu::timeutil::format_rfc3339_ms(row.first_ms);
        out["lastActivity"] = ccu::timeutil::format_rfc3339_ms(row.last_ms);
    }
    if (!row.instance.empty()) out["project"] = row.instance;
    out["modelsUsed"] = row.models_used;
    out["modelBreakdowns"] = nlohmann::json::array();
    for (const auto& b : row.model_breakdowns) {
        nlohmann::json item = oracle_tokens(b.totals);
        item["modelName"] = b.model;
        item["cost"] = b.totals.cost;
        out["modelBreakdowns"].push_back(item);
    }
    return out;
}

nlohmann::json oracle(const Report& report, const JsonOptions& options) {
    const char* list_name[] = {"daily", "weekly", "monthly", "sessions", "models"};
    nlohmann::json out = nlohmann::json::object();
    nlohmann::json rows = nlohmann::json::array();
    nlohmann::json projects = nlohmann::json::object();
    for (const auto& row : report.rows) {
        auto value = oracle_row(report.kind, row, options.by_machine);
        if (!options.instances) {
            rows.push_back(value);
            continue;
        }
        if (!projects.contains(row.instance)) projects[row.instance] = nlohmann::json::array();
        projects[row.instance].push_back(value);
    }
    if (options.instances) {
        out["projects"] = projects;
    } else {
        out[list_name[static_cast<int>(report.kind)]] = rows;
    }
    out["totals"] = oracle_tokens(report.totals);
    out["totals"]["totalTokens"] = report.totals.total_tokens();
    out["totals"]["totalCost"] = report.totals.cost;
    if (!report.unknown_models.empty()) out["totals"]["unpricedModels"] = report.unknown_models;
    return out;
}

// Rows whose names need escaping (quotes, backslashes, control characters, UTF-8) and costs in
// every number format (integral, tiny, huge, inexact sums).
Report awkward_report(ReportKind kind) {
    Report report;
    report.kind = kind;
    const double costs[] = {3.0, 0.1 + 0.2, 1e-7, 12345.678901234567, 0.0, 2.5e17};
    const char* names[] = {"plain", "with \"quotes\" and \\", "tab\there\x01\x1f", "caf\xc3\xa9 \xe2\x82\xac", "", "z"};
    for (int i = 0; i < 6; ++i) {
        Row row;
        row.key = names[i];
        row.totals = {10 * i, 20 * i, 30 * i, 40 * i, costs[i], i};
        row.instance = names[(i + 1) % 3];
        row.project_path = names[(i + 2) % 6];
        row.project = names[(i + 3) % 6];
        row.first_ms = 1740823200000LL + i;
        row.last_ms = 1740913200500LL + 1000 * i;
        if (i != 4) row.models_used = {names[i], "claude-opus-4-6"};
        for (int m = 0; m < i % 3; ++m) row.model_breakdowns.push_back({names[(i + m) % 6], {m, 1, 2, 3, costs[m], 1}});
        for (int m = 0; m < i % 4; ++m) row.machine_breakdowns.push_back({names[(i + m + 1) % 6], {1, m, 3, 4, costs[5 - m], 2}});
        report.totals.add(row.totals);
        report.rows.push_back(row);
    }
    report.unknown_models = {"claude-mystery-1", "odd \"model\""};
    return report;
}

}  // namespace

TEST_CASE("written JSON equals dump(2) of the document built field by field, escapes and numbers included",
          "[report][json]") {
    for (const ReportKind kind :
         {ReportKind::Daily, ReportKind::Weekly, ReportKind::Monthly, ReportKind::Session, ReportKind::Models}) {
        for (const bool instances : {false, true}) {
            for (const bool by_machine : {false, true}) {
                const Report report = awkward_report(kind);
                const JsonOptions options{instances, by_machine};
                std::string written;
                write_json(report, options, [&](std::string_view piece) { written += piece; });
                INFO("kind " << static_cast<int>(kind) << " instances " << instances << " by_machine " << by_machine);
                CHECK(written == oracle(report, options).dump(2));
            }
        }
    }
    Report longer = awkward_report(ReportKind::Session);  // a name longer than the writer's buffer
    const std::string long_key(3 << 20, 'x');
    const std::string long_project(2 << 20, '"');
    longer.rows[2].key = long_key;
    longer.rows[3].project = long_project;
    std::string long_text;
    write_json(longer, {}, [&](std::string_view piece) { long_text += piece; });
    CHECK(long_text == oracle(longer, {}).dump(2));
    Report empty;
    std::string written;
    write_json(empty, {}, [&](std::string_view piece) { written += piece; });
    CHECK(written == oracle(empty, {}).dump(2));
    CHECK(written.find("\"totalCost\": 0.0") != std::string::npos);
}

TEST_CASE("a name that is not UTF-8 fails the JSON output as dump() does", "[report][json]") {
    Report report = awkward_report(ReportKind::Session);
    report.rows[1].key = "bad \xff\xfe";
    CHECK_THROWS_AS(write_json(report, {}, [](std::string_view) {}), nlohmann::json::type_error);
}

namespace {

// n rows of awkward_report's six in turn, each key numbered (a row's position in the text).
Report awkward_rows(ReportKind kind, std::size_t n) {
    const Report six = awkward_report(kind);
    Report report;
    report.kind = kind;
    report.unknown_models = six.unknown_models;
    // The numbered keys live in the report (rows hold views), all made before any is viewed.
    auto keys = std::make_shared<std::vector<std::string>>();
    for (std::size_t i = 0; i < n; ++i) keys->push_back(std::string(six.rows[i % 6].key) + "#" + std::to_string(i));
    report.names = keys;
    for (std::size_t i = 0; i < n; ++i) {
        Row row = six.rows[i % 6];
        row.key = (*keys)[i];
        report.totals.add(row.totals);
        report.rows.push_back(row);
    }
    return report;
}

}  // namespace

// write_json hands chunks of 512 rows to a second thread (src/report/json.cpp): the counts
// around the chunk edges, with and without --instances and --by-machine.
TEST_CASE("JSON of rows written on two threads is the one document at every chunk edge", "[report][json]") {
    for (const std::size_t n : {511, 512, 513, 1023, 1024, 1025, 1536, 2049, 5000}) {
        for (const bool instances : {false, true}) {
            for (const bool by_machine : {false, true}) {
                const Report report = awkward_rows(ReportKind::Session, n);
                const JsonOptions options{instances, by_machine};
                std::string written;
                write_json(report, options, [&](std::string_view piece) { written += piece; });
                INFO("rows " << n << " instances " << instances << " by_machine " << by_machine);
                CHECK(written == oracle(report, options).dump(2));
            }
        }
    }
}

TEST_CASE("a name that is not UTF-8 in a row the second thread writes fails the JSON output", "[report][json]") {
    for (const std::size_t bad : {std::size_t{600}, std::size_t{1700}}) {  // in the helper's first and second chunk
        Report report = awkward_rows(ReportKind::Session, 2000);
        report.rows[bad].key = "bad \xff\xfe";
        INFO("row " << bad);
        CHECK_THROWS_AS(write_json(report, {}, [](std::string_view) {}), nlohmann::json::type_error);
    }
}

TEST_CASE("a session's last activity in the table is the local date and minute", "[report][table]") {
    CHECK(ccu::report::local_minute(1740823259999LL, nullptr) == "2025-03-01 10:00");
    CHECK(ccu::report::local_minute(0, nullptr) == "1970-01-01 00:00");
    CHECK(ccu::report::local_minute(-60'001, nullptr) == "1969-12-31 23:59");
    CHECK(ccu::report::local_minute(253402300799000LL, nullptr) == "9999-12-31 23:59");
    CHECK(ccu::report::local_minute(253402300800000LL, nullptr) == "10000-01-01 00:00");
    const TimeZone kolkata = TimeZone::named("Asia/Kolkata");
    CHECK(ccu::report::local_minute(1740823259999LL, &kolkata) == "2025-03-01 15:30");
}

namespace {

// The lines of a rendered table, without their newlines.
std::vector<std::string> table_lines(const std::string& table) {
    std::vector<std::string> lines;
    std::size_t start = 0;
    for (std::size_t end; (end = table.find('\n', start)) != std::string::npos; start = end + 1) {
        lines.push_back(table.substr(start, end - start));
    }
    return lines;
}

// The display column (code points, as the table pads them) at byte offset `at` of `line`.
std::size_t column_at(const std::string& line, std::size_t at) {
    std::size_t column = 0;
    for (std::size_t i = 0; i < at && i < line.size(); ++i) {
        if ((static_cast<unsigned char>(line[i]) & 0xC0) != 0x80) ++column;
    }
    return column;
}

// The line that starts with `label` (leading spaces skipped).
std::string line_starting(const std::vector<std::string>& lines, std::string_view label) {
    for (const auto& line : lines) {
        const auto first = line.find_first_not_of(' ');
        if (first != std::string::npos && std::string_view(line).substr(first).rfind(label, 0) == 0) return line;
    }
    FAIL("no line starts with " << label);
    return {};
}

}  // namespace

// Numbers are right-aligned, so a value stands under its header when both end at one column.
TEST_CASE("models table: the row, its detail lines and the total put every value under its header", "[report][table]") {
    TableOptions options;
    options.breakdown = true;
    options.layout = TableLayout::Full;
    const std::vector<std::string> lines = table_lines(render_table(sample(ReportKind::Models), options));
    const std::string& header = lines.at(0);
    const auto header_end = [&](std::string_view name) { return header.find(name) + name.size(); };
    const auto value_end = [](const std::string& line, std::string_view value) {
        const auto at = line.find(value);
        return at == std::string::npos ? std::string::npos : column_at(line, at + value.size());
    };
    for (const std::string_view label : {"claude-opus-4-6", "└─ opus-4-6", "Total"}) {
        const std::string line = line_starting(lines, label);
        INFO(line);
        CHECK(value_end(line, " 1 ") - 1 == header_end("Records"));
        CHECK(value_end(line, "1,000") == header_end("Input"));
        CHECK(value_end(line, " 200") == header_end("Output"));
        CHECK(value_end(line, "3,000") == header_end("Cache Create"));
        CHECK(value_end(line, "40,000") == header_end("Cache Read"));
        CHECK(value_end(line, "44,200") == header_end("Total Tokens"));
    }
    CHECK(line_starting(lines, "└─ opus-4-6").find("└─ opus-4-6") != std::string::npos);
}
