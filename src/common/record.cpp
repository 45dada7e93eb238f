#include "ccu/common/record.hpp"

#include <cmath>
#include <nlohmann/json.hpp>

#include "ccu/common/time.hpp"

namespace ccu {
namespace {

using nlohmann::json;

enum Key : std::size_t {
    kSessionId, kMessageUuid, kTimestamp, kModel, kFolder, kGitBranch, kVersion, kMessageId, kRequestId,
    kInputTokens, kOutputTokens, kCacheCreationTokens, kCacheReadTokens, kCacheCreation1hTokens, kCostUsd
};
static_assert(kCostUsd + 1 == kWireRecordKeyCount);

std::optional<std::string> optional_string(const WireField& field) {
    if (field.kind != WireField::Kind::String) return std::nullopt;
    return std::string(field.text);
}

// A missing or null token count is 0.
bool read_count(const WireFields& fields, Key key, std::int64_t& out, std::string& error) {
    const WireField& field = fields[key];
    if (field.kind == WireField::Kind::Missing || field.kind == WireField::Kind::Null) {
        out = 0;
        return true;
    }
    const WireCount count = read_wire_count(field);
    out = count.value;
    if (count.error == CountError::None) return true;
    const std::string name = kWireRecordKeys[key];  // only for the message: this runs for every count
    switch (count.error) {
        case CountError::None: break;
        case CountError::NotNumber: error = "field '" + name + "' is not a number"; break;
        case CountError::NotWhole: error = "field '" + name + "' is not a whole number"; break;
        case CountError::Negative: error = "field '" + name + "' is negative"; break;
    }
    return false;
}

WireField field_of(const json& value) {
    WireField field;
    if (value.is_null()) {
        field.kind = WireField::Kind::Null;
    } else if (value.is_string()) {
        field.kind = WireField::Kind::String;
        field.text = value.get_ref<const std::string&>();
    } else if (value.is_number_integer()) {
        field.kind = WireField::Kind::Integer;
        field.integer = value.get<std::int64_t>();
        field.number = value.get<double>();
    } else if (value.is_number_float()) {
        field.kind = WireField::Kind::Float;
        field.number = value.get<double>();
    } else {
        field.kind = WireField::Kind::Other;
    }
    return field;
}

}  // namespace

std::string record_limit_violation(const UsageRecord& r) {
    // Each count is checked alone first, so the sum below cannot overflow.
    const std::int64_t counts[] = {r.input_tokens, r.output_tokens, r.cache_creation_tokens, r.cache_read_tokens};
    std::int64_t total = 0;
    for (const std::int64_t n : counts) {
        if (n > kMaxRecordTotalTokens || (total += n) > kMaxRecordTotalTokens) {
            return "token counts add up to more than " + std::to_string(kMaxRecordTotalTokens);
        }
    }
    const std::pair<const char*, const std::string*> texts[] = {
        {"session_id", &r.session_id}, {"message_uuid", &r.message_uuid}, {"model", &r.model},
        {"folder", &r.folder},         {"git_branch", r.git_branch ? &*r.git_branch : nullptr},
        {"version", r.version ? &*r.version : nullptr},
        {"message_id", r.message_id ? &*r.message_id : nullptr},
        {"request_id", r.request_id ? &*r.request_id : nullptr}};
    for (const auto& [name, text] : texts) {
        if (text != nullptr && text->size() > kMaxRecordTextBytes) {
            return std::string("field '") + name + "' is longer than " + std::to_string(kMaxRecordTextBytes) + " bytes";
        }
    }
    return {};
}

WireCount read_wire_count(const nlohmann::json& value) { return read_wire_count(field_of(value)); }

WireCount read_wire_count(const WireField& value) {
    WireCount count;
    if (value.kind == WireField::Kind::Integer) {
        count.value = value.integer;
    } else if (value.kind == WireField::Kind::Float) {
        const double v = value.number;
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

std::size_t wire_record_key_index(std::string_view key) {
    static constexpr auto kLengths = [] {
        std::array<std::size_t, kWireRecordKeyCount> lengths{};
        for (std::size_t i = 0; i < kWireRecordKeyCount; ++i) lengths[i] = std::string_view(kWireRecordKeys[i]).size();
        return lengths;
    }();
    for (std::size_t i = 0; i < kWireRecordKeyCount; ++i) {
        if (key.size() == kLengths[i] && key == kWireRecordKeys[i]) return i;
    }
    return kWireRecordKeyCount;
}

WireParseResult from_wire_json(const json& v, const std::string& machine_name) {
    WireFields fields;
    if (v.is_object()) {
        for (std::size_t i = 0; i < kWireRecordKeyCount; ++i) {
            if (const auto it = v.find(kWireRecordKeys[i]); it != v.end()) fields[i] = field_of(*it);
        }
    }
    return from_wire_fields(v.is_object(), fields, machine_name);
}

WireParseResult from_wire_fields(bool is_object, const WireFields& f, const std::string& machine_name) {
    WireParseResult result;
    if (!is_object) {
        result.error = "record is not a JSON object";
        return result;
    }
    for (const Key key : {kSessionId, kMessageUuid, kTimestamp}) {
        if (f[key].kind != WireField::Kind::String || f[key].text.empty()) {
            result.error = std::string("missing or empty string field '") + kWireRecordKeys[key] + "'";
            return result;
        }
    }
    UsageRecord r;
    r.machine_name = machine_name;
    r.session_id = f[kSessionId].text;
    r.message_uuid = f[kMessageUuid].text;
    const auto ts = timeutil::normalize_rfc3339(f[kTimestamp].text);
    if (!ts) {
        result.error = "timestamp '" + std::string(f[kTimestamp].text) + "' is not RFC 3339";
        return result;
    }
    r.timestamp = *ts;
    r.model = optional_string(f[kModel]).value_or("");
    r.folder = optional_string(f[kFolder]).value_or("");
    r.git_branch = optional_string(f[kGitBranch]);
    r.version = optional_string(f[kVersion]);
    r.message_id = optional_string(f[kMessageId]);
    r.request_id = optional_string(f[kRequestId]);
    if (!read_count(f, kInputTokens, r.input_tokens, result.error) ||
        !read_count(f, kOutputTokens, r.output_tokens, result.error) ||
        !read_count(f, kCacheCreationTokens, r.cache_creation_tokens, result.error) ||
        !read_count(f, kCacheReadTokens, r.cache_read_tokens, result.error) ||
        !read_count(f, kCacheCreation1hTokens, r.cache_creation_1h_tokens, result.error)) {
        return result;
    }
    if (r.cache_creation_1h_tokens > r.cache_creation_tokens) {
        result.error = "field 'cache_creation_1h_tokens' exceeds 'cache_creation_tokens'";
        return result;
    }
    if (const WireField& cost = f[kCostUsd]; cost.kind == WireField::Kind::Integer || cost.kind == WireField::Kind::Float) {
        const double c = cost.number;
        if (!std::isfinite(c) || c < 0) {
            result.error = "field 'cost_usd' is negative or not finite";
            return result;
        }
        r.cost_usd = c;
    }
    if (std::string limit = record_limit_violation(r); !limit.empty()) {
        result.error = std::move(limit);
        return result;
    }
    result.record = std::move(r);
    return result;
}

}  // namespace ccu
