#include "ccu/sync/manifest.hpp"

#include <algorithm>
#include <tuple>

#include "ccu/common/error.hpp"
#include "ccu/common/record.hpp"
#include "ccu/common/time.hpp"
#include "ccu/sync/file_names.hpp"
#include "manifest_detail.hpp"

namespace ccu::sync {
namespace {

using nlohmann::json;

constexpr const char* kRepairHint =
    "Run `ccu gist repair` to rebuild manifest.json from the gist's files; nothing was changed.";

[[noreturn]] void invalid(const std::string& reason) {
    throw Error(ErrorKind::InvalidRemote, "manifest.json is invalid: " + reason, kRepairHint);
}

const json& require(const json& obj, const char* key, const std::string& where) {
    const auto it = obj.find(key);
    if (it == obj.end()) invalid(where + "missing required field '" + key + "'");
    return *it;
}

std::string require_string(const json& obj, const char* key, const std::string& where) {
    const json& v = require(obj, key, where);
    if (!v.is_string()) invalid(where + "field '" + key + "' is not a string");
    return v.get<std::string>();
}

std::string require_timestamp(const json& obj, const char* key, const std::string& where) {
    std::string value = require_string(obj, key, where);
    if (!timeutil::parse_rfc3339_ms(value)) {
        invalid(where + "field '" + key + "' is not an RFC 3339 timestamp: '" + value + "'");
    }
    return value;
}

std::int64_t read_count(const json& v, const std::string& what) {
    const WireCount count = read_wire_count(v);
    if (count.error != CountError::None) invalid(what + " is not a non-negative whole number");
    return count.value;
}

std::vector<std::string> read_file_list(const json& v, const std::string& what) {
    if (!v.is_array()) invalid(what + " is not an array");
    std::vector<std::string> names;
    for (const json& item : v) {
        if (!item.is_string() || !is_safe_gist_file_name(item.get_ref<const std::string&>())) {
            invalid(what + " holds an entry that is not a gist file name: " + item.dump());
        }
        names.push_back(item.get<std::string>());
    }
    return names;
}

std::optional<std::string> optional_string(const json& obj, const char* key, const std::string& where) {
    const auto it = obj.find(key);
    if (it == obj.end() || it->is_null()) return std::nullopt;
    if (!it->is_string()) invalid(where + "field '" + key + "' is not a string");
    return it->get<std::string>();
}

MachineEntry parse_entry(const json& v, std::size_t index) {
    std::string where = "machines[" + std::to_string(index) + "]: ";
    if (!v.is_object()) invalid(where + "not a JSON object");
    MachineEntry e;
    e.machine_name = require_string(v, "machine_name", where);
    if (e.machine_name.empty()) invalid(where + "empty machine_name");
    where = "machine '" + e.machine_name + "': ";
    e.last_sync = require_timestamp(v, "last_sync", where);
    const json& last_date = require(v, "last_record_date", where);
    if (!last_date.is_null()) {
        if (!last_date.is_string() || !timeutil::is_iso_date(last_date.get<std::string>())) {
            invalid(where + "last_record_date is not a YYYY-MM-DD date or null");
        }
        e.last_record_date = last_date.get<std::string>();
    }
    e.total_records = read_count(require(v, "total_records", where), where + "total_records");
    e.current_file = require_string(v, "current_file", where);
    if (!is_safe_gist_file_name(e.current_file)) invalid(where + "current_file is not a gist file name");
    e.backups = read_file_list(require(v, "backups", where), where + "backups");
    if (const auto it = v.find("data_files"); it != v.end() && !it->is_null()) {
        e.data_files = read_file_list(*it, where + "data_files");
    }
    e.machine_id = optional_string(v, "machine_id", where);
    e.tool = optional_string(v, "tool", where);
    static const std::set<std::string> kKnown = {
        "machine_name", "last_sync",  "last_record_date", "total_records", "current_file",
        "backups",      "machine_id", "data_files",       "tool"};
    for (const auto& [key, value] : v.items()) {
        if (!kKnown.count(key)) e.extra[key] = value;
    }
    canonicalize(e);
    return e;
}

json parse_json_text(std::string_view text) {
    if (text.find_first_not_of(" \t\r\n") == std::string_view::npos) {
        invalid("the file is empty (GitHub may have returned it truncated)");
    }
    try {
        return json::parse(text);
    } catch (const json::parse_error& e) {
        invalid(std::string("not valid JSON (") + e.what() + ")");
    }
}

// Data files in canonical order: the current file, then parts ascending, then the rest by name.
std::tuple<int, int, std::string> data_file_rank(const std::string& name, const std::string& machine) {
    const FileNameInfo info = classify_for_machine(name, machine);
    if (info.role == FileRole::Current) return {0, 0, {}};
    if (info.role == FileRole::Part) return {1, info.part, {}};
    return {2, 0, name};
}

}  // namespace

void canonicalize(MachineEntry& e) {
    std::sort(e.backups.begin(), e.backups.end());
    e.backups.erase(std::unique(e.backups.begin(), e.backups.end()), e.backups.end());
    std::sort(e.data_files.begin(), e.data_files.end());
    e.data_files.erase(std::unique(e.data_files.begin(), e.data_files.end()), e.data_files.end());
    std::stable_sort(e.data_files.begin(), e.data_files.end(),
                     [&](const std::string& a, const std::string& b) {
                         return data_file_rank(a, e.machine_name) < data_file_rank(b, e.machine_name);
                     });
}

MachineEntry placeholder_entry(std::string machine_name) {
    MachineEntry e;
    e.current_file = current_file_name(machine_name);
    e.machine_name = std::move(machine_name);
    e.last_sync = detail::kEpoch;
    return e;
}

namespace detail {

json entry_to_json(const MachineEntry& e) {
    json j = e.extra.is_object() ? e.extra : json::object();
    j["machine_name"] = e.machine_name;
    j["last_sync"] = e.last_sync;
    j["last_record_date"] = e.last_record_date ? json(*e.last_record_date) : json(nullptr);
    j["total_records"] = e.total_records;
    j["current_file"] = e.current_file;
    j["backups"] = e.backups;
    j["data_files"] = e.data_files;
    if (e.machine_id) j["machine_id"] = *e.machine_id;
    if (e.tool) j["tool"] = *e.tool;
    return j;
}

std::optional<std::int64_t> instant(const std::string& rfc3339) {
    return timeutil::parse_rfc3339_ms(rfc3339);
}

}  // namespace detail

Manifest Manifest::parse(std::string_view text) {
    const json doc = parse_json_text(text);
    if (!doc.is_object()) invalid("the top level is not a JSON object");
    Manifest m;
    m.version_ = require_string(doc, "version", "");
    if (m.version_ != "1" && m.version_.rfind("1.", 0) != 0) {
        throw Error(ErrorKind::InvalidRemote,
                    "manifest.json has format version '" + m.version_ + "', this ccu reads 1.x",
                    "Upgrade ccu on this machine; nothing was changed.");
    }
    m.last_updated_ = require_timestamp(doc, "last_updated", "");
    if (const auto it = doc.find("backup_retention_days"); it != doc.end() && !it->is_null()) {
        const std::int64_t days = read_count(*it, "backup_retention_days");
        if (days > 36500) invalid("backup_retention_days is larger than 100 years");
        m.backup_retention_days_ = static_cast<int>(days);
    }
    const json& machines = require(doc, "machines", "");
    if (!machines.is_array()) invalid("'machines' is not an array");
    for (std::size_t i = 0; i < machines.size(); ++i) {
        MachineEntry entry = parse_entry(machines[i], i);
        // A name listed twice (hand edit, old bug) is resolved by the merge rule.
        if (const MachineEntry* seen = m.find(entry.machine_name)) {
            entry = detail::merge_entries(*seen, entry);
        }
        m.upsert(std::move(entry));
    }
    for (const auto& [key, value] : doc.items()) {
        if (key != "version" && key != "last_updated" && key != "backup_retention_days" &&
            key != "machines") {
            m.extra_[key] = value;
        }
    }
    return m;
}

Manifest Manifest::make_empty(std::string now_rfc3339) {
    Manifest m;
    m.last_updated_ = std::move(now_rfc3339);
    return m;
}

json Manifest::to_json() const {
    json j = extra_.is_object() ? extra_ : json::object();
    j["version"] = version_;
    j["last_updated"] = last_updated_;
    j["backup_retention_days"] = backup_retention_days_;
    json machines = json::array();
    for (const MachineEntry& e : machines_) machines.push_back(detail::entry_to_json(e));
    j["machines"] = std::move(machines);
    return j;
}

std::string Manifest::serialize() const {
    return to_json().dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

bool Manifest::is_newer_than(std::string_view ts) const {
    const auto mine = timeutil::parse_rfc3339_ms(last_updated_);
    const auto theirs = timeutil::parse_rfc3339_ms(ts);
    return mine && theirs && *mine > *theirs;
}

const MachineEntry* Manifest::find(std::string_view machine) const {
    const auto it = std::lower_bound(
        machines_.begin(), machines_.end(), machine,
        [](const MachineEntry& e, std::string_view name) { return e.machine_name < name; });
    return it != machines_.end() && it->machine_name == machine ? &*it : nullptr;
}

void Manifest::upsert(MachineEntry entry) {
    canonicalize(entry);
    const auto it = std::lower_bound(
        machines_.begin(), machines_.end(), entry.machine_name,
        [](const MachineEntry& e, const std::string& name) { return e.machine_name < name; });
    if (it != machines_.end() && it->machine_name == entry.machine_name) {
        *it = std::move(entry);
    } else {
        machines_.insert(it, std::move(entry));
    }
}

bool Manifest::remove(std::string_view machine) {
    const auto it = std::find_if(machines_.begin(), machines_.end(),
                                 [&](const MachineEntry& e) { return e.machine_name == machine; });
    if (it == machines_.end()) return false;
    machines_.erase(it);
    return true;
}

}  // namespace ccu::sync
