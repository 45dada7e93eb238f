// parse_data_file: validation of data files from the gist, ccu's and the origin tool's.
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

}  // namespace

ParsedDataFile parse_data_file(std::string_view text, std::string_view file_name) {
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
    json doc;
    try {
        doc = json::parse(text);
    } catch (const json::exception& e) {
        result.fatal_error = where + "not valid JSON (" + e.what() + ")";
        return result;
    }
    if (!doc.is_object()) {
        result.fatal_error = where + "the top level is not a JSON object";
        return result;
    }
    DataFile file;
    if (std::string error = check_metadata(doc, file, result.warnings); !error.empty()) {
        result.fatal_error = where + error;
        return result;
    }
    const auto records = doc.find("records");
    if (records == doc.end() || !records->is_array()) {
        result.fatal_error = where + "missing 'records' array";
        return result;
    }
    if (std::string error = check_statistics(doc, records->size(), result.warnings); !error.empty()) {
        result.fatal_error = where + error;
        return result;
    }
    for (std::size_t i = 0; i < records->size(); ++i) {
        auto parsed = ccu::from_wire_json((*records)[i], file.machine_name);
        if (parsed.record && parsed.record->model.empty() && parsed.record->total_tokens() == 0) {
            ++result.prompt_rows;  // the origin tool exported user prompts as rows
        } else if (parsed.record) {
            file.records.push_back(std::move(*parsed.record));
        } else {
            result.record_errors.push_back(where + "record " + std::to_string(i) + ": " + parsed.error);
        }
    }
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

bool written_by_origin_tool(const DataFile& file) { return !file.tool.starts_with("ccu"); }

}  // namespace ccu::sync
