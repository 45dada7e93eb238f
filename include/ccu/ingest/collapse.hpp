#pragma once
#include <cstddef>
#include <string>
#include <unordered_map>
#include <vector>

#include "ccu/common/record.hpp"
#include "ccu/ingest/line_parser.hpp"

namespace ccu::ingest {

// Collapses usage lines into one record per API response, with ccusage's rules (spec §2):
// - lines with the same (message.id, requestId) are one response;
// - a sidechain line whose message.id matches an earlier response (any requestId), or a
//   main line matching an earlier sidechain response, is the same response (/btw replays);
// - the kept counts come from the preferred line: a main-session line beats a sidechain one,
//   then the larger token total, then the larger reported cost; ties keep the earlier line;
// - lines without message.id are each their own record.
// The record keeps the identity (session_id, message_uuid) of the first line seen and takes
// every other field from the preferred line. Records come out in first-seen order.
class Collapser {
public:
    void add(UsageLine&& line);
    std::size_t size() const { return entries_.size(); }
    const std::vector<UsageLine>& entries() const { return entries_; }
    std::vector<UsageLine> take();

private:
    std::size_t find_match(const UsageLine& line) const;
    void index(std::size_t position);

    std::vector<UsageLine> entries_;
    // "message_id\x1frequest_id" (or "message_id\x1e" without requestId) -> entries
    std::unordered_map<std::string, std::vector<std::size_t>> by_exact_key_;
    std::unordered_map<std::string, std::vector<std::size_t>> by_message_id_;
    mutable std::string key_;  // scratch for lookups
};

// True when `candidate` should supply the counts of a response currently held by `existing`.
bool preferred_over(const UsageLine& candidate, const UsageLine& existing);

}  // namespace ccu::ingest
