// parse_data_file: validation of data files from the gist, ccu's and the origin tool's.
#include <simdjson.h>

#include <cmath>
#include <set>

#include "ccu/common/json_depth.hpp"
#include "ccu/common/time.hpp"
#include "ccu/sync/data_file.hpp"

namespace ccu::sync {
namespace {

using nlohmann::json;

bool is_date_string(const json& v) {
    return v.is_string() && timeutil::is_iso_date(v.get_ref<const std::string&>());
}

// Returns an error text for a wrong metadata field, empty when it is acceptable.
std::string check_metadata(const json& doc, DataFile& out, std::vector<std::string>& warnings) {
    const auto name = doc.find("machine_name");
    if (name == doc.end() || !name->is_string() || name->get_ref<const std::string&>().empty()) {
        return "missing or empty 'machine_name'";
    }
    out.machine_name = name->get<std::string>();
    if (const auto it = doc.find("export_date"); it == doc.end() || it->is_null()) {
        warnings.push_back("no 'export_date'");
    } else if (!it->is_string()) {
        return "'export_date' is not a string";
    } else {
        out.export_date = it->get<std::string>();
    }
    if (const auto it = doc.find("machine_id"); it != doc.end() && !it->is_null()) {
        if (!it->is_string()) return "'machine_id' is not a string";
        out.machine_id = it->get<std::string>();
    }
    if (const auto it = doc.find("tool"); it != doc.end() && !it->is_null()) {
        if (!it->is_string()) return "'tool' is not a string";
        out.tool = it->get<std::string>();
    }
    if (const auto it = doc.find("part"); it != doc.end() && !it->is_null()) {
        if (!it->is_number_integer() || it->get<std::int64_t>() < 0 || it->get<std::int64_t>() > 999999) {
            return "'part' is not a non-negative integer";
        }
        out.part = it->get<int>();
    }
    if (const auto it = doc.find("generation"); it != doc.end() && !it->is_null()) {
        if (!it->is_number_integer() || it->get<std::int64_t>() < 0) return "'generation' is not a non-negative integer";
        out.generation = it->get<std::int64_t>();
    }
    if (const auto it = doc.find("data_range"); it != doc.end() && !it->is_null()) {
        if (!it->is_object()) return "'data_range' is not an object";
        for (const char* key : {"oldest", "newest"}) {
            const auto d = it->find(key);
            if (d != it->end() && !d->is_null() && !is_date_string(*d)) {
                return std::string("data_range.") + key + " is not a YYYY-MM-DD date";
            }
        }
    }
    return {};
}

// `statistics` (seed) or `stats` (origin tool, empty exports): only checked, never trusted.
std::string check_statistics(const json& doc, std::size_t record_count, std::vector<std::string>& warnings) {
    for (const char* key : {"statistics", "stats"}) {
        const auto it = doc.find(key);
        if (it == doc.end() || it->is_null()) continue;
        if (!it->is_object()) return std::string("'") + key + "' is not an object";
        const auto total = it->find("total_records");
        if (total != it->end() && total->is_number_integer() &&
            total->get<std::int64_t>() != static_cast<std::int64_t>(record_count)) {
            warnings.push_back(std::string(key) + ".total_records says " + total->dump() + " but the file has " +
                               std::to_string(record_count) + " records");
        }
    }
    return {};
}

// The checks after the parse, the same for both parsers. `doc` holds the top-level keys (the
// records may be left out of it); `for_each_record(machine, add)` calls add(i, parsed) for each.
template <class ForEachRecord>
ParsedDataFile assemble(const json& doc, bool has_records_array, std::size_t record_count,
                        const ForEachRecord& for_each_record, std::string_view file_name) {
    ParsedDataFile result;
    const std::string where = std::string(file_name) + ": ";
    DataFile file;
    if (std::string error = check_metadata(doc, file, result.warnings); !error.empty()) {
        result.fatal_error = where + error;
        return result;
    }
    if (!has_records_array) {
        result.fatal_error = where + "missing 'records' array";
        return result;
    }
    if (std::string error = check_statistics(doc, record_count, result.warnings); !error.empty()) {
        result.fatal_error = where + error;
        return result;
    }
    for_each_record(file.machine_name, [&](std::size_t i, WireParseResult parsed) {
        if (parsed.record && parsed.record->model.empty() && parsed.record->total_tokens() == 0) {
            ++result.prompt_rows;  // the origin tool exported user prompts as rows
        } else if (parsed.record) {
            file.records.push_back(std::move(*parsed.record));
        } else {
            result.record_errors.push_back(where + "record " + std::to_string(i) + ": " + parsed.error);
        }
    });
    static const std::set<std::string> kKnown = {"machine_name", "export_date", "machine_id", "tool",
                                                 "part", "generation", "data_range", "statistics", "stats",
                                                 "records"};
    for (const auto& [key, value] : doc.items()) {
        if (!kKnown.count(key)) file.extra[key] = value;
    }
    for (auto& w : result.warnings) w = where + w;
    result.file = std::move(file);
    return result;
}

ParsedDataFile parse_with_nlohmann(std::string_view text, std::string_view file_name) {
    json doc;
    try {
        doc = json::parse(text);
    } catch (const json::exception& e) {
        ParsedDataFile result;
        result.fatal_error = std::string(file_name) + ": not valid JSON (" + e.what() + ")";
        return result;
    }
    if (!doc.is_object()) {
        ParsedDataFile result;
        result.fatal_error = std::string(file_name) + ": the top level is not a JSON object";
        return result;
    }
    const auto records = doc.find("records");
    const bool has_array = records != doc.end() && records->is_array();
    return assemble(doc, has_array, has_array ? records->size() : 0,
                    [&](const std::string& machine, const auto& add) {
                        for (std::size_t i = 0; i < records->size(); ++i) add(i, from_wire_json((*records)[i], machine));
                    },
                    file_name);
}

// simdjson's view of a value as nlohmann's parser would have built it (non-negative integers
// unsigned, as nlohmann stores them); only for the small top-level values besides the records.
json to_nlohmann(simdjson::dom::element value) {
    using simdjson::dom::element_type;
    switch (value.type()) {
        case element_type::NULL_VALUE: return nullptr;
        case element_type::BOOL: return bool(value.get_bool());
        case element_type::STRING: return std::string(std::string_view(value.get_string()));
        case element_type::UINT64: return std::uint64_t(value.get_uint64());
        case element_type::DOUBLE: return double(value.get_double());
        case element_type::INT64: {
            const std::int64_t v = value.get_int64();
            return v >= 0 ? json(static_cast<std::uint64_t>(v)) : json(v);
        }
        case element_type::ARRAY: {
            json out = json::array();
            for (const simdjson::dom::element item : value.get_array()) out.push_back(to_nlohmann(item));
            return out;
        }
        case element_type::OBJECT: {
            json out = json::object();
            for (const auto field : value.get_object()) out[std::string(field.key)] = to_nlohmann(field.value);
            return out;
        }
    }
    return nullptr;
}

WireField field_of(simdjson::dom::element value) {
    using simdjson::dom::element_type;
    WireField field;
    switch (value.type()) {
        case element_type::NULL_VALUE: field.kind = WireField::Kind::Null; break;
        case element_type::STRING:
            field.kind = WireField::Kind::String;
            field.text = value.get_string();
            break;
        case element_type::INT64:
            field.kind = WireField::Kind::Integer;
            field.integer = value.get_int64();
            field.number = static_cast<double>(field.integer);
            break;
        case element_type::UINT64: {  // above INT64_MAX: wraps, as nlohmann's get<std::int64_t>()
            const std::uint64_t v = value.get_uint64();
            field.kind = WireField::Kind::Integer;
            field.integer = static_cast<std::int64_t>(v);
            field.number = static_cast<double>(v);
            break;
        }
        case element_type::DOUBLE:
            field.kind = WireField::Kind::Float;
            field.number = value.get_double();
            break;
        default: field.kind = WireField::Kind::Other; break;
    }
    return field;
}

WireParseResult record_of(simdjson::dom::element value, const std::string& machine) {
    WireFields fields;
    simdjson::dom::object object;
    const bool is_object = value.get(object) == simdjson::SUCCESS;
    if (is_object) {
        for (const auto field : object) {
            const std::size_t index = wire_record_key_index(field.key);
            if (index < kWireRecordKeyCount) fields[index] = field_of(field.value);  // the last one wins
        }
    }
    return from_wire_fields(is_object, fields, machine);
}

// A parser's buffers stay as large as the largest document it parsed: a thread keeps one for
// data files (parts are at most sync.seal_bytes) and parses anything larger with its own.
constexpr std::size_t kKeptParserBytes = 16u << 20;

// The fast path: nullopt when the file is anything but a well-formed data file with valid
// records, so that every error comes from parse_with_nlohmann, word for word.
std::optional<ParsedDataFile> parse_with_simdjson(std::string_view text, std::string_view file_name) {
    thread_local simdjson::dom::parser kept_parser;
    simdjson::dom::parser large_parser;
    simdjson::dom::parser& parser = text.size() <= kKeptParserBytes ? kept_parser : large_parser;
    const simdjson::padded_string padded(text);
    simdjson::dom::object root;
    if (parser.parse(padded).get(root) != simdjson::SUCCESS) return std::nullopt;
    json doc = json::object();
    simdjson::dom::array records;
    bool seen_records = false;
    for (const auto field : root) {
        if (field.key == "records") {  // given twice: the last one wins, as in nlohmann
            seen_records = field.value.get(records) == simdjson::SUCCESS;
        } else {
            doc[std::string(field.key)] = to_nlohmann(field.value);  // the last one wins, as in nlohmann
        }
    }
    if (!seen_records) return std::nullopt;
    ParsedDataFile result = assemble(doc, true, records.size(),
                                     [&](const std::string& machine, const auto& add) {
                                         std::size_t i = 0;
                                         for (const simdjson::dom::element r : records) add(i++, record_of(r, machine));
                                     },
                                     file_name);
    if (!result.fatal_error.empty() || !result.record_errors.empty()) return std::nullopt;
    return result;
}

}  // namespace

ParsedDataFile parse_data_file(std::string_view text, std::string_view file_name, DataFileParser parser) {
    ParsedDataFile result;
    const std::string where = std::string(file_name) + ": ";
    if (text.find_first_not_of(" \t\r\n") == std::string_view::npos) {
        result.fatal_error = where + "the file is empty (GitHub may have returned it truncated)";
        return result;
    }
    if (json_nesting_exceeds(text)) {
        result.fatal_error = where + "JSON nested deeper than " + std::to_string(kMaxRemoteJsonDepth) + " levels";
        return result;
    }
    // simdjson instead of nlohmann's document took 3-6 s of CPU off a 1M-record pull (bench/README.md,
    // "simdjson data files"); nlohmann stays the reference for anything the fast path does not accept.
    if (parser != DataFileParser::NlohmannOnly) {
        if (auto fast = parse_with_simdjson(text, file_name)) return std::move(*fast);
        if (parser == DataFileParser::SimdjsonOnly) {
            result.fatal_error = where + std::string(kSimdjsonDeclined);
            return result;
        }
    }
    return parse_with_nlohmann(text, file_name);
}

bool written_by_origin_tool(const DataFile& file) { return !file.tool.starts_with("ccu"); }

}  // namespace ccu::sync
