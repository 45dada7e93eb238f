#include "ccu/sync/data_file.hpp"

#include <algorithm>
#include <cmath>
#include <set>
#include <tuple>

#include "ccu/common/time.hpp"
#include "ccu/pricing/price_table.hpp"
#include "data_file_detail.hpp"

namespace ccu::sync {
namespace {

using nlohmann::json;

std::string compact(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

// Rounded to a micro-dollar so the text does not carry float noise from the sum.
double round_cost(double usd) { return std::round(usd * 1e6) / 1e6; }

json date_of(const ccu::UsageRecord& r) {
    const auto ms = timeutil::parse_rfc3339_ms(r.timestamp);
    return ms ? json(timeutil::utc_date(*ms)) : json(nullptr);
}

}  // namespace

RecordCostFn cost_function(const pricing::PriceTable& prices) {
    return [&prices](const ccu::UsageRecord& r) { return prices.cost_of(r); };
}

bool record_file_order(const ccu::UsageRecord& a, const ccu::UsageRecord& b) {
    return std::tie(a.timestamp, a.session_id, a.message_uuid) <
           std::tie(b.timestamp, b.session_id, b.message_uuid);
}

DataFileStatistics compute_statistics(const std::vector<ccu::UsageRecord>& records,
                                      const RecordCostFn& cost) {
    DataFileStatistics s;
    std::set<std::string_view> sessions;
    for (const auto& r : records) {
        sessions.insert(r.session_id);
        s.total_tokens += r.total_tokens();
        s.total_cost += cost(r);
    }
    s.total_records = records.size();
    s.total_sessions = sessions.size();
    s.total_cost = round_cost(s.total_cost);
    return s;
}

namespace detail {

std::string render_line(const ccu::UsageRecord& record, double cost) {
    return compact(ccu::to_wire_json(record, cost));
}

RenderedRecords render_records(std::vector<ccu::UsageRecord> records, const RecordCostFn& cost) {
    std::sort(records.begin(), records.end(), record_file_order);
    RenderedRecords r;
    r.lines.reserve(records.size());
    r.costs.reserve(records.size());
    for (const auto& rec : records) {
        const double c = cost(rec);
        r.costs.push_back(c);
        r.lines.push_back(render_line(rec, c));
    }
    r.records = std::move(records);
    return r;
}

std::string render_head(const DataFile& meta, const RenderedRecords& r, std::size_t begin, std::size_t end) {
    std::set<std::string_view> sessions;
    std::int64_t tokens = 0;
    double cost = 0;
    for (std::size_t i = begin; i < end; ++i) {
        sessions.insert(r.records[i].session_id);
        tokens += r.records[i].total_tokens();
        cost += r.costs[i];
    }
    const json range = {{"oldest", begin < end ? date_of(r.records[begin]) : json(nullptr)},
                        {"newest", begin < end ? date_of(r.records[end - 1]) : json(nullptr)}};
    const json stats = {{"total_records", end - begin},
                        {"total_sessions", sessions.size()},
                        {"total_tokens", tokens},
                        {"total_cost", round_cost(cost)}};
    std::string out = "{\n";
    const auto field = [&out](std::string_view key, const json& value) {
        out += "  " + compact(json(std::string(key))) + ": " + compact(value) + ",\n";
    };
    field("machine_name", meta.machine_name);
    if (meta.machine_id) field("machine_id", *meta.machine_id);
    if (!meta.tool.empty()) field("tool", meta.tool);
    field("part", meta.part);
    if (meta.generation > 0) field("generation", meta.generation);
    field("export_date", meta.export_date);
    field("data_range", range);
    field("statistics", stats);
    if (meta.extra.is_object()) {
        static const std::set<std::string> kReserved = {
            "machine_name", "machine_id", "tool",  "part",    "generation", "export_date",
            "data_range",   "statistics", "stats", "records"};
        for (const auto& [key, value] : meta.extra.items()) {
            if (!kReserved.count(key)) field(key, value);
        }
    }
    out += "  \"records\": ";
    return out;
}

std::string render_file(const DataFile& meta, const RenderedRecords& r, std::size_t begin, std::size_t end) {
    std::string out = render_head(meta, r, begin, end);
    if (begin == end) return out + std::string(kEmptyTail);
    out += kListOpen;
    for (std::size_t i = begin; i < end; ++i) {
        if (i != begin) out += ",\n";
        out.append(kRecordIndent, ' ');
        out += r.lines[i];
    }
    out += kListClose;
    return out;
}

}  // namespace detail

std::string serialize_data_file(const DataFile& file, const RecordCostFn& cost) {
    const detail::RenderedRecords r = detail::render_records(file.records, cost);
    return detail::render_file(file, r, 0, r.records.size());
}

std::string serialize_data_file(const DataFile& file, const pricing::PriceTable& prices) {
    return serialize_data_file(file, cost_function(prices));
}

}  // namespace ccu::sync
