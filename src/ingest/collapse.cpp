#include "ccu/ingest/collapse.hpp"

#include <algorithm>
#include <functional>
#include <limits>
#include <string_view>
#include <utility>

namespace ccu::ingest {
namespace {

constexpr std::size_t kNoMatch = std::numeric_limits<std::size_t>::max();

// Hash of (message.id, requestId): the indexes store hashes, not strings (memory), and every
// hit is confirmed against the held record, so a collision can only cost a comparison.
std::uint64_t exact_key(const UsageRecord& record) {
    std::uint64_t hash = std::hash<std::string_view>{}(*record.message_id);
    const std::uint64_t request = record.request_id ? std::hash<std::string_view>{}(*record.request_id) : 0x9e3779b9ULL;
    hash ^= request + 0x9e3779b97f4a7c15ULL + (hash << 6) + (hash >> 2);
    return hash;
}

std::uint64_t message_key(const UsageRecord& record) { return std::hash<std::string_view>{}(*record.message_id); }

void add_unique(FlatIndex& index, std::uint64_t key, std::size_t position) {
    const auto value = static_cast<std::uint32_t>(position);
    if (!index.find(key, [value](std::uint32_t held) { return held == value; })) index.add(key, value);
}

}  // namespace

bool preferred_over(const UsageRecord& candidate, bool candidate_sidechain, const UsageRecord& existing,
                    bool existing_sidechain) {
    if (candidate_sidechain != existing_sidechain) return existing_sidechain;
    const auto candidate_total = candidate.total_tokens();
    const auto existing_total = existing.total_tokens();
    if (candidate_total != existing_total) return candidate_total > existing_total;
    // ccusage compares computed costs here; only the reported cost is known at ingest time.
    return candidate.cost_usd.value_or(0.0) > existing.cost_usd.value_or(0.0);
}

bool preferred_over(const UsageLine& candidate, const UsageLine& existing) {
    return preferred_over(candidate.record, candidate.is_sidechain, existing.record, existing.is_sidechain);
}

std::size_t Collapser::find_match(const UsageLine& line) const {
    const UsageRecord& record = line.record;
    // At most one held record has these ids: a line with them joins it rather than being pushed.
    if (const auto held = by_exact_key_.find(exact_key(record), [&](std::uint32_t at) {
            return records_[at].message_id == record.message_id && records_[at].request_id == record.request_id;
        })) {
        return *held;
    }
    // /btw sidechain logs replay parent messages under new request ids. Of several responses with
    // this message.id, the newest: a record's message.id never changes, so its entry here is
    // added once, when it is pushed, and the newest is the largest position (what the multimap
    // this index replaced returned first).
    std::size_t newest = kNoMatch;
    by_message_id_.for_each(message_key(record), [&](std::uint32_t at) {
        if (records_[at].message_id == record.message_id && (line.is_sidechain || sidechain_[at] != 0) &&
            (newest == kNoMatch || at > newest)) {
            newest = at;
        }
    });
    return newest;
}

void Collapser::index(std::size_t position) {
    const UsageRecord& record = records_[position];
    add_unique(by_exact_key_, exact_key(record), position);
    add_unique(by_message_id_, message_key(record), position);
}

void Collapser::remember_lines(std::size_t match, UsageLine& line) {
    LineUuids& into = lines_[match];
    const UsageRecord& held = records_[match];
    if (line.record.message_uuid != held.message_uuid || line.record.session_id != held.session_id) {
        into.push_back(LineRef{line.record.session_id, line.record.message_uuid});
    }
    for (auto& l : line.lines) into.push_back(std::move(l));
    line.lines.clear();
}

void Collapser::push(UsageLine&& line) {
    records_.push_back(std::move(line.record));
    sidechain_.push_back(line.is_sidechain ? 1 : 0);
    lines_.push_back(std::move(line.lines));
}

void Collapser::add(UsageLine&& line) {
    if (!line.record.message_id) {
        push(std::move(line));
        return;
    }
    const std::size_t match = find_match(line);
    if (match == kNoMatch) {
        push(std::move(line));
        index(records_.size() - 1);
        return;
    }
    remember_lines(match, line);
    if (!preferred_over(line.record, line.is_sidechain, records_[match], sidechain_[match] != 0)) return;
    // Identity stays with the first line seen; everything else comes from the better line.
    line.record.session_id = std::move(records_[match].session_id);
    line.record.message_uuid = std::move(records_[match].message_uuid);
    records_[match] = std::move(line.record);
    sidechain_[match] = line.is_sidechain ? 1 : 0;
    index(match);
}

void Collapser::take_into(std::vector<UsageRecord>& records, std::vector<std::uint8_t>& sidechain) {
    std::vector<LineUuids> lines;
    take_into(records, sidechain, lines);
}

void Collapser::take_into(std::vector<UsageRecord>& records, std::vector<std::uint8_t>& sidechain,
                          std::vector<LineUuids>& lines) {
    by_exact_key_ = FlatIndex(kIndexStart);
    by_message_id_ = FlatIndex(kIndexStart);
    records = std::exchange(records_, {});
    sidechain = std::exchange(sidechain_, {});
    lines = std::exchange(lines_, {});
}

std::vector<UsageLine> Collapser::take() {
    std::vector<UsageRecord> records;
    std::vector<std::uint8_t> sidechain;
    std::vector<LineUuids> further;
    take_into(records, sidechain, further);
    std::vector<UsageLine> lines(records.size());
    for (std::size_t i = 0; i < records.size(); ++i) {
        lines[i].record = std::move(records[i]);
        lines[i].is_sidechain = sidechain[i] != 0;
        lines[i].lines = std::move(further[i]);
    }
    return lines;
}

}  // namespace ccu::ingest
