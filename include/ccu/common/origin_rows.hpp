#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "ccu/common/record.hpp"

// The origin Python tool (wangtae/claude-code-usage-analytics) stored one row per streamed JSONL
// *line*, in its DB and in the gist files it exported. These rules make one record per response
// of them, whatever the source (docs/format.md, "Moving from the origin tool").
namespace ccu {

// One origin row: a record whose message_uuid is the line's uuid, plus its place in the source.
struct OriginRow {
    UsageRecord record;
    std::int64_t timestamp_ms = 0;
    std::int64_t order = 0;  // row id or position in the file: ties of equal timestamps
};

struct OriginCollapse {
    std::vector<UsageRecord> records;  // one per response
    std::vector<LineUuids> lines;      // parallel: the uuids of the other rows merged into it
    std::uint64_t merged = 0;          // rows that were further lines or copies of a kept response
};

// A row that is no billed response at all: a user prompt (the origin exported it with model
// null or "") or any row without a single token. Such rows are not records on any path.
bool is_unbilled_origin_row(const UsageRecord& record);

// Rows are the same response when
//  - they are copies: same timestamp (ms), model, input and output tokens (a sidechain replay
//    of the parent message keeps its timestamp with a larger cache read; a resumed session
//    repeats it under another session id). The smaller cache read is kept (a replay never
//    supplies counts, as in the logs), the larger cache creation;
//  - or they are lines of one stream: same session, model, input and cache-read tokens, each
//    within kStreamGapMs of the previous line. Output and cache creation are the largest of
//    the lines (the origin tool sometimes dropped the flat cache_creation_input_tokens, so lines
//    of one response disagree on it); identity and other fields come from the first line.
// Output records are in (timestamp, order) order of their first row.
inline constexpr std::int64_t kStreamGapMs = 10 * 60 * 1000;
OriginCollapse collapse_origin_rows(std::vector<OriginRow> rows);

// The same rules over rows that arrive already in (timestamp, order) order, holding only the
// responses that a later row can still join (those of the last kStreamGapMs): an origin
// database of a year is collapsed in batches. collapse_origin_rows is sort + add + finish.
class OriginStream {
public:
    OriginStream();
    ~OriginStream();
    OriginStream(OriginStream&&) noexcept;
    OriginStream& operator=(OriginStream&&) noexcept;

    // `row` must not sort before any row added so far (throws std::logic_error).
    void add(OriginRow row);
    // Appends the records no later row can change to `out`, in output order.
    void take_ready(OriginCollapse& out);
    // Appends every remaining record: the stream is over.
    void finish(OriginCollapse& out);
    // Records held back (still open to further lines).
    std::size_t pending() const;

private:
    struct State;
    std::unique_ptr<State> state_;
};

}  // namespace ccu
