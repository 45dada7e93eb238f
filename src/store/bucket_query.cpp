// Reading the usage buckets (store/buckets.hpp) for reports.
#include <SQLiteCpp/SQLiteCpp.h>
#include <sqlite3.h>

#include <filesystem>
#include <future>
#include <memory>
#include <string>
#include <vector>

#include "ccu/store/store.hpp"
#include "store/bucket_packs.hpp"
#include "store/buckets.hpp"
#include "store/raw_statement.hpp"
#include "store/sqlite_error.hpp"

namespace ccu::store {
namespace {

using detail::bucket_table;
using detail::prepare;
using detail::Prepared;

// session, model, project, folder: the coarser tables hold "" in the columns they sum over;
// read as the constant 0 (also ""), which SQLite hands back without decoding the row.
const char* name_columns(BucketGrain grain) {
    switch (grain) {
        case BucketGrain::Session:
        case BucketGrain::WholeSession: return "session, model, project, folder";
        case BucketGrain::Project: return "0, model, project, folder";
        case BucketGrain::Model: return "0, model, 0, 0";
    }
    return "session, model, project, folder";
}

constexpr int kNamesBusyTimeoutMs = 1000;

std::string text_at(sqlite3_stmt* q, int column) {
    const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(q, column));
    return {text, static_cast<std::size_t>(sqlite3_column_bytes(q, column))};
}

// Which name ids the buckets use (id 0, "", always).
std::vector<bool> used_ids(const BucketSet& set) {
    std::vector<bool> used(1, true);
    const auto use = [&used](std::uint32_t id) {
        if (id >= used.size()) used.resize(id + std::size_t{1});
        used[id] = true;
    };
    for (const UsageBucket& b : set.buckets) {
        for (const std::uint32_t id : {b.machine, b.session, b.model, b.project, b.folder}) use(id);
    }
    return used;
}

// set.names[id] for every id the buckets name (the other slots stay ""): a month's report or the
// status line names a few dozen of a year's ~10^4 sessions, so those are looked up one by one;
// when the rows name many, one pass over the table is cheaper than the lookups.
void load_names(sqlite3* handle, BucketSet& set, const std::vector<bool>& used) {
    std::vector<std::uint32_t> ids;
    for (std::uint32_t id = 0; id < used.size(); ++id) {
        if (used[id]) ids.push_back(id);
    }
    set.names.assign(used.size(), std::string());
    constexpr std::size_t kLookupLimit = 512;
    if (ids.size() > kLookupLimit) {
        const Prepared all = prepare(handle, "SELECT id, name FROM bucket_names WHERE id <= ?");
        sqlite3_bind_int64(all.get(), 1, ids.back());
        for (int rc = sqlite3_step(all.get()); rc != SQLITE_DONE; rc = sqlite3_step(all.get())) {
            if (rc != SQLITE_ROW) throw SQLite::Exception(handle, rc);
            set.names[static_cast<std::size_t>(sqlite3_column_int64(all.get(), 0))] = text_at(all.get(), 1);
        }
        return;
    }
    const Prepared one = prepare(handle, "SELECT name FROM bucket_names WHERE id = ?");
    for (const std::uint32_t id : ids) {
        sqlite3_bind_int64(one.get(), 1, id);
        if (const int rc = sqlite3_step(one.get()); rc == SQLITE_ROW) {
            set.names[id] = text_at(one.get(), 0);
        } else if (rc != SQLITE_DONE) {
            throw SQLite::Exception(handle, rc);
        }
        sqlite3_reset(one.get());
    }
}

// Every stored name, read on a read-only connection of its own: the whole-session read (the
// session report) names nearly all of them, so they are read on another core while this
// connection reads the rows. `bucket_names` only grows (a name's id never changes), so any
// snapshot's names are right for the ids it has; an id it lacks is looked up as before.
struct StoredNames {
    std::vector<std::string> names;
    std::vector<bool> present;
};

StoredNames read_stored_names(const std::filesystem::path& file, int busy_timeout_ms) {
    sqlite3* raw = nullptr;
    const int rc = sqlite3_open_v2(file.c_str(), &raw, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nullptr);
    const std::unique_ptr<sqlite3, int (*)(sqlite3*)> handle(raw, &sqlite3_close);
    if (rc != SQLITE_OK) throw SQLite::Exception(raw, rc);
    sqlite3_busy_timeout(raw, busy_timeout_ms);
    StoredNames stored;
    const Prepared all = prepare(raw, "SELECT id, name FROM bucket_names");
    for (int step = sqlite3_step(all.get()); step != SQLITE_DONE; step = sqlite3_step(all.get())) {
        if (step != SQLITE_ROW) throw SQLite::Exception(raw, step);
        const auto id = static_cast<std::size_t>(sqlite3_column_int64(all.get(), 0));
        if (id >= stored.names.size()) {
            stored.names.resize(id + 1);
            stored.present.resize(id + 1);
        }
        stored.names[id] = text_at(all.get(), 1);
        stored.present[id] = true;
    }
    return stored;
}

// The stored names as set.names when they hold every id the buckets use (id 0 is "" either way).
bool take_stored_names(BucketSet& set, StoredNames& stored, const std::vector<bool>& used) {
    if (used.size() > stored.names.size()) return false;
    for (std::size_t id = 1; id < used.size(); ++id) {
        if (used[id] && !stored.present[id]) return false;
    }
    set.names = std::move(stored.names);
    return true;
}

// The SELECT of read_table: quarters in [?1, ?2) when `ranged`, machines from ?3 on, :session.
std::string select_sql(const BucketQuery& query, bool ranged) {
    std::string sql = std::string("SELECT quarter, machine, ") + name_columns(query.grain) +
                      ", input_tokens, output_tokens, cache_creation_tokens, cache_read_tokens, cost, records, unpriced, "
                      "first_ms, last_ms FROM " +
                      bucket_table(query.grain);
    // Without a range no row is compared with the bounds.
    sql += ranged ? " WHERE quarter >= ?1 AND quarter < ?2" : " WHERE 1";
    if (!query.machines.empty()) {
        sql += " AND machine IN (SELECT id FROM bucket_names WHERE name IN (";
        for (std::size_t i = 0; i < query.machines.size(); ++i) sql += (i == 0 ? "?" : ",?") + std::to_string(i + 3);
        sql += "))";
    }
    if (query.session) sql += " AND session = (SELECT id FROM bucket_names WHERE name = :session)";
    // Sessions in key order: a session's rows together, as in quarter order (ties of equal
    // first records fall the same way: machine, then model).
    sql += query.grain == BucketGrain::WholeSession ? " ORDER BY machine, session, model" : " ORDER BY quarter";
    return sql;
}

// Appends the rows of query.grain's table with quarters in [first, end) that `query`'s machines
// and session select (first INT64_MIN and end INT64_MAX: no range).
void read_table(sqlite3* handle, const BucketQuery& query, std::int64_t first, std::int64_t end,
                std::vector<UsageBucket>& out) {
    const Prepared q = prepare(handle, select_sql(query, first != INT64_MIN || end != INT64_MAX));
    sqlite3_stmt* prepared = q.get();
    sqlite3_bind_int64(prepared, 1, first);
    sqlite3_bind_int64(prepared, 2, end);
    for (std::size_t i = 0; i < query.machines.size(); ++i) {
        sqlite3_bind_text(prepared, static_cast<int>(i + 3), query.machines[i].c_str(),
                          static_cast<int>(query.machines[i].size()), SQLITE_TRANSIENT);
    }
    if (query.session) {
        sqlite3_bind_text(prepared, sqlite3_bind_parameter_index(prepared, ":session"), query.session->c_str(),
                          static_cast<int>(query.session->size()), SQLITE_TRANSIENT);
    }
    const auto int_at = [prepared](int column) { return sqlite3_column_int64(prepared, column); };
    const auto id_at = [prepared](int column) { return static_cast<std::uint32_t>(sqlite3_column_int64(prepared, column)); };
    for (int rc = sqlite3_step(prepared); rc != SQLITE_DONE; rc = sqlite3_step(prepared)) {
        if (rc != SQLITE_ROW) throw SQLite::Exception(handle, rc);
        UsageBucket b;
        b.quarter = int_at(0);
        b.machine = id_at(1);
        b.session = id_at(2);
        b.model = id_at(3);
        b.project = id_at(4);
        b.folder = id_at(5);
        b.input_tokens = int_at(6);
        b.output_tokens = int_at(7);
        b.cache_creation_tokens = int_at(8);
        b.cache_read_tokens = int_at(9);
        b.cost = sqlite3_column_double(prepared, 10);
        b.records = int_at(11);
        b.unpriced = int_at(12);
        b.first_ms = int_at(13);
        b.last_ms = int_at(14);
        if (b.records > 0) out.push_back(b);
    }
}

}  // namespace

BucketSet Store::buckets(const BucketQuery& query) const {
    return detail::guarded(file_, "reading usage buckets from", [&] {
        BucketSet set;
        sqlite3* handle = db_->getHandle();
        std::future<StoredNames> stored;
        if (query.grain == BucketGrain::WholeSession && !query.session) {
            stored = std::async(std::launch::async, read_stored_names, file_, kNamesBusyTimeoutMs);
        }
        const detail::PackFill fill = mode_ == OpenMode::ReadWrite && query.packs == PackUse::ReadAndStore
                                          ? detail::PackFill::Store
                                          : detail::PackFill::ReadOnly;
        const auto whole_chunks = [&](std::int64_t first, std::int64_t end, std::vector<UsageBucket>& out) {
            BucketQuery every_machine;
            every_machine.grain = query.grain;
            read_table(handle, every_machine, first, end, out);
        };
        if (query.packs == PackUse::TableOnly ||
            !detail::read_through_packs(handle, query, fill, busy_timeout_ms_, whole_chunks, set.buckets)) {
            read_table(handle, query,
                       query.since_ms ? *query.since_ms / detail::kQuarterMs : INT64_MIN,
                       query.until_ms ? (*query.until_ms + detail::kQuarterMs - 1) / detail::kQuarterMs : INT64_MAX,
                       set.buckets);
        }
        const std::vector<bool> used = used_ids(set);
        if (stored.valid()) {
            try {
                StoredNames names = stored.get();
                if (take_stored_names(set, names, used)) return set;
            } catch (const SQLite::Exception&) {
                // That connection could not read them (busy, or no such file): read them here.
            }
        }
        load_names(handle, set, used);
        return set;
    });
}

}  // namespace ccu::store
