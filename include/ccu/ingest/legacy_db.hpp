#pragma once
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "ccu/common/record.hpp"

namespace ccu::ingest {

// What one origin-tool database (`usage_history_{machine}.db`, table `usage_records`) yields.
struct LegacyReadResult {
    std::vector<UsageRecord> records;  // one per response, normalized to docs/format.md §4
    std::vector<LineUuids> lines;      // parallel: uuids of the further rows of each response
    std::uint64_t record_count = 0;    // records made (also when they were handed on in batches)
    std::uint64_t rows = 0;            // rows read from usage_records
    std::uint64_t merged = 0;          // rows that were further lines of an already kept response
    std::map<std::string, std::uint64_t> skipped;  // reason -> rows not imported
    std::string problem;  // set when the file could not be read at all (then records is empty)

    std::uint64_t skipped_total() const;
};

// The origin tool's databases in `dir` (usage_history_*.db), sorted by name. Missing dir: none.
std::vector<std::filesystem::path> find_legacy_dbs(const std::filesystem::path& dir);

// "X" of ".../usage_history_X.db" (the origin tool's machine name, any characters).
std::string legacy_db_machine(const std::filesystem::path& file);

// Reads `file` strictly read-only: SQLITE_OPEN_READONLY with `immutable=1` (no lock, no -wal or
// -shm created), or `mode=ro` when the origin tool left both a -wal and a -shm next to it.
// Rows the file's own machine wrote (machine_name NULL, empty or equal to legacy_db_machine)
// are stamped `owner_machine`; rows naming another machine keep that name, sanitized to
// ccu's machine-name alphabet. The origin tool stored one row per JSONL line (user prompts too,
// and every content-block line of a response): user rows, zero-usage rows and `<synthetic>`
// rows are skipped; rows that are lines or copies of one response are one record
// (collapse_origin_rows, origin_rows.hpp). Never throws for a bad file: `problem` says what
// went wrong.
LegacyReadResult read_legacy_db(const std::filesystem::path& file, const std::string& owner_machine);

// Receives records (and their further line uuids, parallel) in output order.
using LegacyBatchFn = std::function<void(const std::vector<UsageRecord>&, const std::vector<LineUuids>&)>;
inline constexpr std::size_t kLegacyBatchRecords = 8192;
// The same, streaming: the rows are read in time order (SQLite sorts them in bounded memory),
// on a second thread (a few batches ahead; `batch` runs on the calling thread, in order),
// and `batch` gets the records in batches of about `batch_records` as soon as no later row can
// change them, so memory stays flat however large the file; `records` and `lines` of the result
// stay empty. When the result has a `problem`, batches already handed on are to be discarded
// (the caller writes them in one transaction). An exception thrown by `batch` stops the reading
// and propagates.
LegacyReadResult read_legacy_db(const std::filesystem::path& file, const std::string& owner_machine,
                                const LegacyBatchFn& batch, std::size_t batch_records = kLegacyBatchRecords);

}  // namespace ccu::ingest
