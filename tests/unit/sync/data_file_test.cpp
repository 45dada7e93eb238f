#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "ccu/pricing/price_table.hpp"
#include "ccu/sync/data_file.hpp"

using namespace ccu::sync;
using nlohmann::json;

namespace {

ccu::UsageRecord record(const std::string& session, const std::string& uuid, const std::string& ts,
                        std::int64_t input = 10) {
    ccu::UsageRecord r;
    r.session_id = session;
    r.message_uuid = uuid;
    r.timestamp = ts;
    r.model = "claude-sonnet-4-5-20250929";
    r.input_tokens = input;
    r.output_tokens = 5;
    r.folder = "proj";
    r.machine_name = "laptop";
    return r;
}

// A cost callback with round numbers so statistics are easy to check.
double cent_per_input_token(const ccu::UsageRecord& r) { return static_cast<double>(r.input_tokens) * 0.01; }

DataFile sample() {
    DataFile f;
    f.machine_name = "laptop";
    f.export_date = "2025-06-02T00:00:00.000Z";
    f.machine_id = "id-1";
    f.tool = "ccu 0.1.0";
    f.records = {record("s2", "u3", "2025-06-01T10:00:00.000Z", 30), record("s1", "u1", "2025-05-31T23:59:59.000Z"),
                 record("s1", "u2", "2025-06-01T10:00:00.000Z", 20)};
    return f;
}

}  // namespace

TEST_CASE("data file: serialized shape, order and statistics", "[data_file]") {
    const std::string text = serialize_data_file(sample(), cent_per_input_token);
    const json j = json::parse(text);
    CHECK(j["machine_name"] == "laptop");
    CHECK(j["machine_id"] == "id-1");
    CHECK(j["tool"] == "ccu 0.1.0");
    CHECK(j["part"] == 0);
    CHECK(j["export_date"] == "2025-06-02T00:00:00.000Z");
    CHECK(j["data_range"] == json({{"oldest", "2025-05-31"}, {"newest", "2025-06-01"}}));
    CHECK(j["statistics"]["total_records"] == 3);
    CHECK(j["statistics"]["total_sessions"] == 2);
    CHECK(j["statistics"]["total_tokens"] == 75);
    CHECK(j["statistics"]["total_cost"].get<double>() == Approx(0.6));
    REQUIRE(j["records"].size() == 3);
    // Sorted by (timestamp, session_id, message_uuid).
    CHECK(j["records"][0]["message_uuid"] == "u1");
    CHECK(j["records"][1]["message_uuid"] == "u2");
    CHECK(j["records"][2]["message_uuid"] == "u3");
    CHECK(j["records"][2]["cost_usd"].get<double>() == Approx(0.3));
    CHECK(j["records"][2]["total_tokens"] == 35);
    // One record per line, deterministic regardless of input order.
    CHECK(text.find("\n    {\"cache_creation_tokens\"") != std::string::npos);
    DataFile reversed = sample();
    std::reverse(reversed.records.begin(), reversed.records.end());
    CHECK(serialize_data_file(reversed, cent_per_input_token) == text);
}

TEST_CASE("data file: empty file and round trip through the parser", "[data_file]") {
    DataFile empty;
    empty.machine_name = "laptop";
    empty.export_date = "2025-06-02T00:00:00.000Z";
    const json j = json::parse(serialize_data_file(empty, cent_per_input_token));
    CHECK(j["records"].empty());
    CHECK(j["data_range"]["oldest"].is_null());
    CHECK(j["statistics"]["total_records"] == 0);
    CHECK_FALSE(j.contains("machine_id"));

    DataFile f = sample();
    f.extra["future_field"] = {{"x", 1}};
    const ParsedDataFile parsed = parse_data_file(serialize_data_file(f, cent_per_input_token), "usage_data_laptop.json");
    REQUIRE(parsed.file);
    CHECK(parsed.fatal_error.empty());
    CHECK(parsed.record_errors.empty());
    CHECK(parsed.warnings.empty());
    CHECK(parsed.file->machine_id == f.machine_id);
    CHECK(parsed.file->tool == f.tool);
    CHECK(parsed.file->extra == f.extra);
    REQUIRE(parsed.file->records.size() == 3);
    CHECK(parsed.file->records[0].message_uuid == "u1");
    CHECK(parsed.file->records[0].cost_usd == Approx(0.1));
    CHECK(parsed.file->records[0].machine_name == "laptop");
}

TEST_CASE("data file: the price table overload writes cost_usd for every record", "[data_file]") {
    const auto& prices = ccu::pricing::PriceTable::embedded();
    DataFile f = sample();
    f.records[0].cost_usd = 1.25;  // Claude Code's own figure wins (ccusage auto mode)
    const json j = json::parse(serialize_data_file(f, prices));
    for (const json& r : j["records"]) CHECK(r["cost_usd"].is_number());
    CHECK(j["records"][2]["cost_usd"] == 1.25);
}

TEST_CASE("data file: reads the origin tool's files", "[data_file]") {
    const char* origin = R"({
      "machine_name": "my_pc", "export_date": "2025-11-20T10:00:00.123456+00:00",
      "period": "2025-11", "chunk": "1/2",
      "data_range": {"oldest": "2025-11-01", "newest": "2025-11-20"},
      "records": [
        {"session_id": "s", "message_uuid": "u1", "timestamp": "2025-11-01T08:00:00+00:00", "model": "m",
         "total_tokens": 3, "input_tokens": 1, "output_tokens": 2, "cache_creation_tokens": 0,
         "cache_read_tokens": 0, "folder": "f", "git_branch": null, "version": "1.0.0", "date": "2025-11-01"},
        {"session_id": "s", "message_uuid": "u2", "timestamp": "2025-11-20T08:00:00.5Z", "model": "m",
         "total_tokens": 4.0, "input_tokens": 4.0, "output_tokens": 0, "cache_creation_tokens": 0,
         "cache_read_tokens": 0, "folder": "f", "git_branch": "main", "version": null, "date": "2025-11-20"}
      ],
      "statistics": {"total_records": 2, "total_sessions": 1, "total_tokens": 7, "input_tokens": 5, "output_tokens": 2}
    })";
    const ParsedDataFile p = parse_data_file(origin, "usage_data_my_pc_2025_11_p1.json");
    REQUIRE(p.file);
    CHECK(p.record_errors.empty());
    CHECK(p.warnings.empty());
    CHECK(p.file->machine_name == "my_pc");
    CHECK(p.file->part == 0);
    CHECK(p.file->extra == json({{"period", "2025-11"}, {"chunk", "1/2"}}));
    REQUIRE(p.file->records.size() == 2);
    CHECK(p.file->records[0].timestamp == "2025-11-01T08:00:00.000Z");
    CHECK(p.file->records[1].input_tokens == 4);

    const char* empty_export = R"({"machine_name": "my_pc", "export_date": "2025-11-20T10:00:00+00:00",
      "data_range": {"oldest": null, "newest": null}, "records": [],
      "stats": {"total_records": 0, "total_tokens": 0, "input_tokens": 0, "output_tokens": 0}})";
    const ParsedDataFile e = parse_data_file(empty_export, "usage_data_my_pc.json");
    REQUIRE(e.file);
    CHECK(e.file->records.empty());
    CHECK(e.warnings.empty());
}

TEST_CASE("data file: bad records are collected, the rest is kept", "[data_file]") {
    json doc = json::parse(serialize_data_file(sample(), cent_per_input_token));
    doc["records"][0]["input_tokens"] = -1;
    doc["records"][1]["timestamp"] = "yesterday";
    doc["records"].push_back("not an object");
    doc["records"].push_back(json::object({{"session_id", "s"}}));
    const ParsedDataFile p = parse_data_file(doc.dump(), "usage_data_laptop.json");
    REQUIRE(p.file);
    CHECK(p.file->records.size() == 1);
    REQUIRE(p.record_errors.size() == 4);
    CHECK_THAT(p.record_errors[0], Catch::StartsWith("usage_data_laptop.json: record 0: "));
    CHECK_THAT(p.record_errors[0], Catch::Contains("negative"));
    CHECK_THAT(p.record_errors[1], Catch::Contains("RFC 3339"));
    // statistics.total_records (3) no longer matches the 5 entries.
    REQUIRE(p.warnings.size() == 1);
    CHECK_THAT(p.warnings[0], Catch::Contains("total_records"));
}

TEST_CASE("data file: file-level problems are fatal for that file", "[data_file]") {
    const json good = json::parse(serialize_data_file(sample(), cent_per_input_token));
    const auto fatal = [](const std::string& text) {
        const ParsedDataFile p = parse_data_file(text, "f.json");
        CHECK_FALSE(p.file.has_value());
        CHECK_THAT(p.fatal_error, Catch::StartsWith("f.json: "));
        return p.fatal_error;
    };
    CHECK_THAT(fatal(""), Catch::Contains("empty"));
    CHECK_THAT(fatal("{\"records\": ["), Catch::Contains("not valid JSON"));
    CHECK_THAT(fatal("[1]"), Catch::Contains("not a JSON object"));
    const auto mutate = [&](const std::string& key, const json& value) {
        json j = good;
        if (value.is_discarded()) {
            j.erase(key);
        } else {
            j[key] = value;
        }
        return j.dump();
    };
    CHECK_THAT(fatal(mutate("records", json(json::value_t::discarded))), Catch::Contains("records"));
    CHECK_THAT(fatal(mutate("records", json::object())), Catch::Contains("records"));
    CHECK_THAT(fatal(mutate("machine_name", json(json::value_t::discarded))), Catch::Contains("machine_name"));
    CHECK_THAT(fatal(mutate("machine_name", "")), Catch::Contains("machine_name"));
    CHECK_THAT(fatal(mutate("export_date", 5)), Catch::Contains("export_date"));
    CHECK_THAT(fatal(mutate("part", -1)), Catch::Contains("part"));
    CHECK_THAT(fatal(mutate("part", "1")), Catch::Contains("part"));
    CHECK_THAT(fatal(mutate("machine_id", 3)), Catch::Contains("machine_id"));
    CHECK_THAT(fatal(mutate("data_range", "x")), Catch::Contains("data_range"));
    CHECK_THAT(fatal(mutate("data_range", json({{"oldest", "June"}}))), Catch::Contains("oldest"));
    CHECK_THAT(fatal(mutate("statistics", json::array())), Catch::Contains("statistics"));
}
