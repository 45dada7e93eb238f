#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "ccu/common/flat_index.hpp"
#include "ccu/common/record.hpp"
#include "ccu/ingest/line_parser.hpp"

namespace ccu::ingest {

// Collapses usage lines into one record per API response, with ccusage's rules (docs/format.md §4):
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
    std::size_t size() const { return records_.size(); }
    // Moves the records out (no copy of the array) with their sidechain flags; resets.
    void take_into(std::vector<UsageRecord>& records, std::vector<std::uint8_t>& sidechain);
    // The same, with the uuids of the further lines of each record (parallel).
    void take_into(std::vector<UsageRecord>& records, std::vector<std::uint8_t>& sidechain,
                   std::vector<LineUuids>& lines);
    std::vector<UsageLine> take();

private:
    std::size_t find_match(const UsageLine& line) const;
    void index(std::size_t position);
    void push(UsageLine&& line);
    void remember_lines(std::size_t match, UsageLine& line);

    std::vector<UsageRecord> records_;       // first-seen order; take_into hands this array over
    std::vector<std::uint8_t> sidechain_;    // parallel: 1 when the kept line is a sidechain line
    std::vector<LineUuids> lines_;           // parallel: uuids of the further lines merged in
    // hash of (message.id, requestId) -> entry; hash of message.id -> entry. Flat: with the
    // node-based multimaps these were, a cold dense scan took a sixth more CPU (bench/README.md,
    // "The scan's collapse on flat indexes").
    static constexpr std::size_t kIndexStart = 64;
    FlatIndex by_exact_key_{kIndexStart};
    FlatIndex by_message_id_{kIndexStart};
};

// True when `candidate` should supply the counts of a response currently held by `existing`.
bool preferred_over(const UsageLine& candidate, const UsageLine& existing);
bool preferred_over(const UsageRecord& candidate, bool candidate_sidechain, const UsageRecord& existing,
                    bool existing_sidechain);

}  // namespace ccu::ingest
