#include "ccu/ingest/collapse.hpp"

#include <algorithm>
#include <limits>
#include <utility>

namespace ccu::ingest {
namespace {

constexpr std::size_t kNoMatch = std::numeric_limits<std::size_t>::max();

// Builds the key into `key`, reusing its capacity (this runs once or twice per usage line).
const std::string& exact_key(const UsageRecord& record, std::string& key) {
    key.assign(*record.message_id);
    if (record.request_id) {
        key += '\x1f';
        key += *record.request_id;
    } else {
        key += '\x1e';
    }
    return key;
}

void add_unique(std::vector<std::size_t>& positions, std::size_t position) {
    if (std::find(positions.begin(), positions.end(), position) == positions.end()) {
        positions.push_back(position);
    }
}

}  // namespace

bool preferred_over(const UsageLine& candidate, const UsageLine& existing) {
    if (candidate.is_sidechain != existing.is_sidechain) return existing.is_sidechain;
    const auto candidate_total = candidate.record.total_tokens();
    const auto existing_total = existing.record.total_tokens();
    if (candidate_total != existing_total) return candidate_total > existing_total;
    // ccusage compares computed costs here; only the reported cost is known at ingest time.
    return candidate.record.cost_usd.value_or(0.0) > existing.record.cost_usd.value_or(0.0);
}

std::size_t Collapser::find_match(const UsageLine& line) const {
    const UsageRecord& record = line.record;
    if (const auto it = by_exact_key_.find(exact_key(record, key_)); it != by_exact_key_.end()) {
        for (const std::size_t position : it->second) {
            const UsageRecord& held = entries_[position].record;
            if (held.message_id == record.message_id && held.request_id == record.request_id) {
                return position;
            }
        }
    }
    // /btw sidechain logs replay parent messages under new request ids.
    if (const auto it = by_message_id_.find(*record.message_id); it != by_message_id_.end()) {
        for (const std::size_t position : it->second) {
            const UsageLine& held = entries_[position];
            if (held.record.message_id == record.message_id && (line.is_sidechain || held.is_sidechain)) {
                return position;
            }
        }
    }
    return kNoMatch;
}

void Collapser::index(std::size_t position) {
    const UsageRecord& record = entries_[position].record;
    add_unique(by_exact_key_[exact_key(record, key_)], position);
    add_unique(by_message_id_[*record.message_id], position);
}

void Collapser::add(UsageLine&& line) {
    if (!line.record.message_id) {
        entries_.push_back(std::move(line));
        return;
    }
    const std::size_t match = find_match(line);
    if (match == kNoMatch) {
        entries_.push_back(std::move(line));
        index(entries_.size() - 1);
        return;
    }
    UsageLine& held = entries_[match];
    if (!preferred_over(line, held)) return;
    // Identity stays with the first line seen; everything else comes from the better line.
    line.record.session_id = std::move(held.record.session_id);
    line.record.message_uuid = std::move(held.record.message_uuid);
    held = std::move(line);
    index(match);
}

std::vector<UsageLine> Collapser::take() {
    by_exact_key_.clear();
    by_message_id_.clear();
    return std::exchange(entries_, {});
}

}  // namespace ccu::ingest
