#include "ccu/common/record.hpp"

#include <cmath>
#include <nlohmann/json.hpp>

#include "ccu/common/time.hpp"

namespace ccu {
namespace {

using nlohmann::json;

std::optional<std::string> optional_string(const json& obj, const char* key) {
    const auto it = obj.find(key);
    if (it == obj.end() || it->is_null() || !it->is_string()) return std::nullopt;
    return it->get<std::string>();
}

// A missing or null token count is 0.
bool read_count(const json& obj, const char* key, std::int64_t& out, std::string& error) {
    const auto it = obj.find(key);
    if (it == obj.end() || it->is_null()) {
        out = 0;
        return true;
    }
    const WireCount count = read_wire_count(*it);
    out = count.value;
    switch (count.error) {
        case CountError::None: return true;
        case CountError::NotNumber: error = std::string("field '") + key + "' is not a number"; break;
        case CountError::NotWhole: error = std::string("field '") + key + "' is not a whole number"; break;
        case CountError::Negative: error = std::string("field '") + key + "' is negative"; break;
    }
    return false;
}

}  // namespace

WireCount read_wire_count(const nlohmann::json& value) {
    WireCount count;
    if (value.is_number_integer()) {
        count.value = value.get<std::int64_t>();
    } else if (value.is_number_float()) {
        const double v = value.get<double>();
        if (!std::isfinite(v) || std::floor(v) != v || v > 9.0e15) return {0, CountError::NotWhole};
        count.value = static_cast<std::int64_t>(v);
    } else {
        return {0, CountError::NotNumber};
    }
    if (count.value < 0) count.error = CountError::Negative;
    return count;
}

nlohmann::json to_wire_json(const UsageRecord& r, std::optional<double> cost_usd) {
    json j = {
        {"session_id", r.session_id},
        {"message_uuid", r.message_uuid},
        {"timestamp", r.timestamp},
        {"model", r.model},
        {"input_tokens", r.input_tokens},
        {"output_tokens", r.output_tokens},
        {"cache_creation_tokens", r.cache_creation_tokens},
        {"cache_read_tokens", r.cache_read_tokens},
        {"total_tokens", r.total_tokens()},
        {"folder", r.folder},
        {"git_branch", r.git_branch ? json(*r.git_branch) : json(nullptr)},
        {"version", r.version ? json(*r.version) : json(nullptr)},
    };
    if (r.message_id) j["message_id"] = *r.message_id;
    if (r.request_id) j["request_id"] = *r.request_id;
    if (r.cache_creation_1h_tokens > 0) j["cache_creation_1h_tokens"] = r.cache_creation_1h_tokens;
    if (cost_usd) j["cost_usd"] = *cost_usd;
    return j;
}

WireParseResult from_wire_json(const json& v, const std::string& machine_name) {
    WireParseResult result;
    if (!v.is_object()) {
        result.error = "record is not a JSON object";
        return result;
    }
    UsageRecord r;
    r.machine_name = machine_name;
    for (const char* key : {"session_id", "message_uuid", "timestamp"}) {
        const auto it = v.find(key);
        if (it == v.end() || !it->is_string() || it->get_ref<const std::string&>().empty()) {
            result.error = std::string("missing or empty string field '") + key + "'";
            return result;
        }
    }
    r.session_id = v["session_id"].get<std::string>();
    r.message_uuid = v["message_uuid"].get<std::string>();
    const auto ts = timeutil::normalize_rfc3339(v["timestamp"].get_ref<const std::string&>());
    if (!ts) {
        result.error = "timestamp '" + v["timestamp"].get<std::string>() + "' is not RFC 3339";
        return result;
    }
    r.timestamp = *ts;
    r.model = optional_string(v, "model").value_or("");
    r.folder = optional_string(v, "folder").value_or("");
    r.git_branch = optional_string(v, "git_branch");
    r.version = optional_string(v, "version");
    r.message_id = optional_string(v, "message_id");
    r.request_id = optional_string(v, "request_id");
    if (!read_count(v, "input_tokens", r.input_tokens, result.error) ||
        !read_count(v, "output_tokens", r.output_tokens, result.error) ||
        !read_count(v, "cache_creation_tokens", r.cache_creation_tokens, result.error) ||
        !read_count(v, "cache_read_tokens", r.cache_read_tokens, result.error) ||
        !read_count(v, "cache_creation_1h_tokens", r.cache_creation_1h_tokens, result.error)) {
        return result;
    }
    if (r.cache_creation_1h_tokens > r.cache_creation_tokens) {
        result.error = "field 'cache_creation_1h_tokens' exceeds 'cache_creation_tokens'";
        return result;
    }
    if (const auto it = v.find("cost_usd"); it != v.end() && it->is_number()) {
        const double c = it->get<double>();
        if (!std::isfinite(c) || c < 0) {
            result.error = "field 'cost_usd' is negative or not finite";
            return result;
        }
        r.cost_usd = c;
    }
    result.record = std::move(r);
    return result;
}

}  // namespace ccu
