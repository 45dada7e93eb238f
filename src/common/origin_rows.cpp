#include "ccu/common/origin_rows.hpp"

#include <algorithm>
#include <deque>
#include <functional>
#include <map>
#include <stdexcept>
#include <tuple>
#include <unordered_map>
#include <utility>

namespace ccu {
namespace {

using CopyKey = std::tuple<std::string, std::int64_t, std::int64_t>;  // model, input, output (same ms)
using StreamKey = std::tuple<std::string, std::string, std::int64_t, std::int64_t>;

struct StreamKeyHash {
    std::size_t operator()(const StreamKey& k) const {
        const std::size_t a = std::hash<std::string>{}(std::get<0>(k));
        const std::size_t b = std::hash<std::string>{}(std::get<1>(k));
        const std::size_t c = std::hash<std::int64_t>{}(std::get<2>(k));
        const std::size_t d = std::hash<std::int64_t>{}(std::get<3>(k));
        return ((a * 31 + b) * 31 + c) * 31 + d;
    }
};

struct Group {
    UsageRecord record;
    LineUuids lines;
    std::int64_t last_ms = 0;
};

CopyKey copy_key(const UsageRecord& r) { return {r.model, r.input_tokens, r.output_tokens}; }

StreamKey stream_key(const UsageRecord& r) { return {r.session_id, r.model, r.input_tokens, r.cache_read_tokens}; }

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

// Rows of one millisecond are first folded into copies (copies share the timestamp); when time
// moves on, each copy joins the newest open response of its stream key or opens one. A
// response is ready once no later row can join it: a newer response took over its key, or the
// stream's last line is more than kStreamGapMs before the time reached.
struct OriginStream::State {
    std::int64_t current_ms = INT64_MIN;  // time of the rows in `copies`
    std::int64_t current_order = INT64_MIN;
    std::vector<Group> copies;
    std::map<CopyKey, std::size_t> copy_index;
    std::int64_t settled_ms = INT64_MIN;  // time of the newest copies already grouped
    std::deque<Group> groups;              // in output order
    std::uint64_t first_index = 0;         // absolute index of groups.front()
    std::unordered_map<StreamKey, std::uint64_t, StreamKeyHash> open;  // key -> its newest group
    std::uint64_t merged = 0;

    void fold_copy(OriginRow&& row) {
        const auto [it, fresh] = copy_index.try_emplace(copy_key(row.record), copies.size());
        if (fresh) {
            copies.push_back(Group{std::move(row.record), {}, row.timestamp_ms});
            return;
        }
        Group& into = copies[it->second];
        into.lines.push_back(LineRef{row.record.session_id, row.record.message_uuid});
        into.record.cache_read_tokens = std::min(into.record.cache_read_tokens, row.record.cache_read_tokens);
        into.record.cache_creation_tokens =
            std::max(into.record.cache_creation_tokens, row.record.cache_creation_tokens);
        ++merged;
    }

    void settle_copies() {
        for (Group& copy : copies) {
            const auto [it, fresh] = open.try_emplace(stream_key(copy.record), first_index + groups.size());
            if (!fresh) {
                Group& newest = groups[it->second - first_index];
                if (copy.last_ms - newest.last_ms <= kStreamGapMs) {
                    newest.last_ms = copy.last_ms;
                    absorb(newest, std::move(copy));
                    ++merged;
                    continue;
                }
                it->second = first_index + groups.size();
            }
            groups.push_back(std::move(copy));
        }
        if (!copies.empty()) settled_ms = current_ms;
        copies.clear();
        copy_index.clear();
    }

    void emit_front(OriginCollapse& out) {
        Group& g = groups.front();
        out.records.push_back(std::move(g.record));
        out.lines.push_back(std::move(g.lines));
        groups.pop_front();
        ++first_index;
    }

    void take_ready(OriginCollapse& out) {
        while (!groups.empty()) {
            const Group& g = groups.front();
            const auto it = open.find(stream_key(g.record));
            const bool newest = it != open.end() && it->second == first_index;
            if (newest && settled_ms - g.last_ms <= kStreamGapMs) break;  // a later line may still join
            if (newest) open.erase(it);
            emit_front(out);
        }
        out.merged += std::exchange(merged, 0);
    }
};

OriginStream::OriginStream() : state_(std::make_unique<State>()) {}
OriginStream::~OriginStream() = default;
OriginStream::OriginStream(OriginStream&&) noexcept = default;
OriginStream& OriginStream::operator=(OriginStream&&) noexcept = default;

void OriginStream::add(OriginRow row) {
    State& s = *state_;
    if (std::tie(row.timestamp_ms, row.order) < std::tie(s.current_ms, s.current_order)) {
        throw std::logic_error("OriginStream: rows out of (timestamp, order) order");
    }
    if (row.timestamp_ms != s.current_ms) s.settle_copies();
    s.current_ms = row.timestamp_ms;
    s.current_order = row.order;
    s.fold_copy(std::move(row));
}

void OriginStream::take_ready(OriginCollapse& out) { state_->take_ready(out); }

void OriginStream::finish(OriginCollapse& out) {
    State& s = *state_;
    s.settle_copies();
    while (!s.groups.empty()) s.emit_front(out);
    s.open.clear();
    out.merged += std::exchange(s.merged, 0);
}

std::size_t OriginStream::pending() const { return state_->groups.size() + state_->copies.size(); }

bool is_unbilled_origin_row(const UsageRecord& record) { return record.total_tokens() == 0; }

OriginCollapse collapse_origin_rows(std::vector<OriginRow> rows) {
    std::vector<std::size_t> order(rows.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(), [&rows](std::size_t a, std::size_t b) {
        return std::tie(rows[a].timestamp_ms, rows[a].order) < std::tie(rows[b].timestamp_ms, rows[b].order);
    });
    OriginStream stream;
    OriginCollapse out;
    for (const std::size_t i : order) stream.add(std::move(rows[i]));
    stream.finish(out);
    return out;
}

}  // namespace ccu
