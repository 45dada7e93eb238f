#pragma once
// The fast path of records without response ids (the origin tool's rows, from its database or
// its gist files): when none of their identities and lines is known, an upsert is a plain
// insert, and the store's own UNIQUE / PRIMARY KEY constraints say whether that is the case.
#include <SQLiteCpp/Database.h>

#include <memory>
#include <vector>

#include "ccu/common/cost_model.hpp"
#include "ccu/common/record.hpp"
#include "ccu/store/store.hpp"
#include "store/record_writer.hpp"

namespace ccu::store::detail {

// Upserter::apply (store_records.cpp) looks a record without a message id up only by its
// identity and its further lines, each as a stored identity (records) or a stored further line
// (record_lines), and inserts it with its lines when none is found. Inserting the batch with
// plain INSERTs under a savepoint, with a lookup for each pair the unique keys do not cover (an
// identity held as a further line, a further line held as an identity), checks exactly those
// keys, against the store and against the batch's earlier records: no conflict means every
// record was new and the batch is written as apply() would have written it (same rows,
// sequence numbers, buckets).
// At the first conflict everything of the attempt is rolled back and false is returned (the
// caller upserts one by one). Also false, with nothing done, when a record has a message id.
bool insert_if_all_new(SQLite::Database& db, const CostModel& costs, const std::vector<UsageRecord>& records,
                       const std::vector<LineUuids>& lines, UpsertStats& stats);

// insert_if_all_new over the batches of one transaction (a BatchWrite): into an empty store,
// the secondary indexes are dropped at the first batch of kBulkLoadMinRecords or more and built
// again by finish() (the bulk load's DeferredIndexes), so a 1M-row origin import sorts each
// index once instead of inserting into it row by row. finish() must run before anything else
// reads or writes the store in that transaction (another upsert path, the commit); it may run
// more than once.
class FreshStream {
public:
    bool insert_if_all_new(SQLite::Database& db, const CostModel& costs, const std::vector<UsageRecord>& records,
                           const std::vector<LineUuids>& lines, UpsertStats& stats);
    void finish();

private:
    std::unique_ptr<DeferredIndexes> indexes_;
    bool indexes_considered_ = false;
};

}  // namespace ccu::store::detail
