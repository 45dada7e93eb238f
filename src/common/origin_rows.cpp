#include "ccu/common/origin_rows.hpp"

#include <algorithm>
#include <map>
#include <tuple>

namespace ccu {
namespace {

struct Group {
    UsageRecord record;
    LineUuids lines;
    std::int64_t last_ms = 0;
};

using CopyKey = std::tuple<std::int64_t, std::string, std::int64_t, std::int64_t>;
using StreamKey = std::tuple<std::string, std::string, std::int64_t, std::int64_t>;

CopyKey copy_key(const OriginRow& row) {
    const UsageRecord& r = row.record;
    return {row.timestamp_ms, r.model, r.input_tokens, r.output_tokens};
}

StreamKey stream_key(const UsageRecord& r) { return {r.session_id, r.model, r.input_tokens, r.cache_read_tokens}; }

// Folds copies of one response into the first row with that copy key.
std::vector<Group> fold_copies(std::vector<OriginRow>& rows, std::vector<std::int64_t>& times,
                               std::uint64_t& merged) {
    std::vector<Group> kept;
    std::map<CopyKey, std::size_t> by_key;
    for (auto& row : rows) {
        const auto [it, fresh] = by_key.try_emplace(copy_key(row), kept.size());
        if (fresh) {
            kept.push_back(Group{std::move(row.record), {}, row.timestamp_ms});
            times.push_back(row.timestamp_ms);
            continue;
        }
        Group& into = kept[it->second];
        into.lines.push_back(LineRef{row.record.session_id, row.record.message_uuid});
        into.record.cache_read_tokens = std::min(into.record.cache_read_tokens, row.record.cache_read_tokens);
        into.record.cache_creation_tokens =
            std::max(into.record.cache_creation_tokens, row.record.cache_creation_tokens);
        ++merged;
    }
    return kept;
}

void absorb(Group& into, Group&& line) {
    into.lines.push_back(LineRef{line.record.session_id, line.record.message_uuid});
    for (auto& l : line.lines) into.lines.push_back(std::move(l));
    UsageRecord& r = into.record;
    r.output_tokens = std::max(r.output_tokens, line.record.output_tokens);
    r.cache_creation_tokens = std::max(r.cache_creation_tokens, line.record.cache_creation_tokens);
    r.cache_creation_1h_tokens = std::max(r.cache_creation_1h_tokens, line.record.cache_creation_1h_tokens);
    if (r.cache_creation_1h_tokens > r.cache_creation_tokens) r.cache_creation_1h_tokens = r.cache_creation_tokens;
}

}  // namespace

bool is_unbilled_origin_row(const UsageRecord& record) { return record.total_tokens() == 0; }

OriginCollapse collapse_origin_rows(std::vector<OriginRow> rows) {
    std::stable_sort(rows.begin(), rows.end(), [](const OriginRow& a, const OriginRow& b) {
        return std::tie(a.timestamp_ms, a.order) < std::tie(b.timestamp_ms, b.order);
    });
    OriginCollapse out;
    std::vector<std::int64_t> times;
    std::vector<Group> copies = fold_copies(rows, times, out.merged);
    std::vector<Group> groups;
    std::map<StreamKey, std::size_t> open;  // stream key -> its newest group
    for (std::size_t i = 0; i < copies.size(); ++i) {
        const StreamKey key = stream_key(copies[i].record);
        const auto it = open.find(key);
        if (it != open.end() && times[i] - groups[it->second].last_ms <= kStreamGapMs) {
            groups[it->second].last_ms = times[i];
            absorb(groups[it->second], std::move(copies[i]));
            ++out.merged;
            continue;
        }
        open[key] = groups.size();
        groups.push_back(std::move(copies[i]));
        groups.back().last_ms = times[i];
    }
    out.records.reserve(groups.size());
    out.lines.reserve(groups.size());
    for (auto& g : groups) {
        out.records.push_back(std::move(g.record));
        out.lines.push_back(std::move(g.lines));
    }
    return out;
}

}  // namespace ccu
