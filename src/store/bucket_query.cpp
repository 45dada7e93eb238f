// Reading the usage buckets (store/buckets.hpp) for reports.
#include <SQLiteCpp/SQLiteCpp.h>

#include "ccu/store/store.hpp"
#include "store/buckets.hpp"
#include "store/sqlite_error.hpp"

namespace ccu::store {
namespace {

const char* table_of(BucketGrain grain) {
    switch (grain) {
        case BucketGrain::Session: return "usage_buckets";
        case BucketGrain::Project: return "usage_rollup";
        case BucketGrain::Model: return "usage_models";
        case BucketGrain::WholeSession: return "usage_sessions";
    }
    return "usage_buckets";
}

}  // namespace

BucketSet Store::buckets(const BucketQuery& query) const {
    return detail::guarded(file_, "reading usage buckets from", [&] {
        BucketSet set;
        SQLite::Statement names(*db_, "SELECT id, name FROM bucket_names");
        while (names.executeStep()) {
            const auto id = static_cast<std::size_t>(names.getColumn(0).getInt64());
            if (id >= set.names.size()) set.names.resize(id + 1);
            set.names[id] = names.getColumn(1).getString();
        }
        std::string sql =
            "SELECT quarter, machine, session, model, project, folder, input_tokens, output_tokens, "
            "cache_creation_tokens, cache_read_tokens, cost, records, unpriced, first_ms, last_ms FROM " +
            std::string(table_of(query.grain)) + " WHERE quarter >= ? AND quarter < ?";
        if (!query.machines.empty()) {
            sql += " AND machine IN (SELECT id FROM bucket_names WHERE name IN (";
            for (std::size_t i = 0; i < query.machines.size(); ++i) sql += i == 0 ? "?" : ",?";
            sql += "))";
        }
        if (query.session) sql += " AND session = (SELECT id FROM bucket_names WHERE name = :session)";
        // Sessions in key order: a session's rows together, as in quarter order (ties of equal
        // first records fall the same way: machine, then model).
        sql += query.grain == BucketGrain::WholeSession ? " ORDER BY machine, session, model" : " ORDER BY quarter";
        SQLite::Statement q(*db_, sql);
        q.bind(1, query.since_ms ? *query.since_ms / detail::kQuarterMs : INT64_MIN);
        q.bind(2, query.until_ms ? (*query.until_ms + detail::kQuarterMs - 1) / detail::kQuarterMs : INT64_MAX);
        for (std::size_t i = 0; i < query.machines.size(); ++i) q.bind(static_cast<int>(i + 3), query.machines[i]);
        if (query.session) q.bind(":session", *query.session);
        while (q.executeStep()) {
            UsageBucket b;
            b.quarter = q.getColumn(0).getInt64();
            b.machine = static_cast<std::uint32_t>(q.getColumn(1).getInt64());
            b.session = static_cast<std::uint32_t>(q.getColumn(2).getInt64());
            b.model = static_cast<std::uint32_t>(q.getColumn(3).getInt64());
            b.project = static_cast<std::uint32_t>(q.getColumn(4).getInt64());
            b.folder = static_cast<std::uint32_t>(q.getColumn(5).getInt64());
            b.input_tokens = q.getColumn(6).getInt64();
            b.output_tokens = q.getColumn(7).getInt64();
            b.cache_creation_tokens = q.getColumn(8).getInt64();
            b.cache_read_tokens = q.getColumn(9).getInt64();
            b.cost = q.getColumn(10).getDouble();
            b.records = q.getColumn(11).getInt64();
            b.unpriced = q.getColumn(12).getInt64();
            b.first_ms = q.getColumn(13).getInt64();
            b.last_ms = q.getColumn(14).getInt64();
            if (b.records > 0) set.buckets.push_back(b);
        }
        return set;
    });
}

}  // namespace ccu::store
