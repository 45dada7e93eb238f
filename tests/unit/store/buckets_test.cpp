// The usage buckets (store/buckets.hpp) always equal the stored records summed per quarter
// hour x machine x session x model, whatever path wrote them; the bulk load into an empty
// store gives exactly what one-by-one upserts give.
#include <SQLiteCpp/SQLiteCpp.h>
#include <catch2/catch.hpp>

#include <map>
#include <random>
#include <tuple>

#include "ccu/common/time.hpp"
#include "ccu/pricing/price_table.hpp"
#include "ccu/store/store.hpp"
#include "store_test_util.hpp"
#include "support/costs.hpp"
#include "support/sandbox.hpp"

using ccu::UsageRecord;
using ccu::store::OpenMode;
using ccu::store::Store;

namespace {

struct Sums {
    std::int64_t input = 0, output = 0, cache_creation = 0, cache_read = 0, records = 0, first = INT64_MAX, last = 0;
    double cost = 0;
};
using Key = std::tuple<std::int64_t, std::string, std::string, std::string>;

std::map<Key, Sums> from_records(const Store& store, const ccu::CostModel& costs = ccu::test::embedded_costs()) {
    std::map<Key, Sums> out;
    for (const UsageRecord& r : store.query({})) {
        const std::int64_t ms = *ccu::timeutil::parse_rfc3339_ms(r.timestamp);
        Sums& s = out[{ms / 900000, r.machine_name, r.session_id, r.model}];
        s.input += r.input_tokens;
        s.output += r.output_tokens;
        s.cache_creation += r.cache_creation_tokens;
        s.cache_read += r.cache_read_tokens;
        s.cost += costs.cost_of(r).cost;
        s.records += 1;
        s.first = std::min(s.first, ms);
        s.last = std::max(s.last, ms);
    }
    return out;
}

std::map<Key, Sums> from_buckets(const Store& store) {
    std::map<Key, Sums> out;
    const auto set = store.buckets({});
    for (const auto& b : set.buckets) {
        Sums& s = out[{b.quarter, set.names[b.machine], set.names[b.session], set.names[b.model]}];
        s = {b.input_tokens, b.output_tokens, b.cache_creation_tokens, b.cache_read_tokens, b.records,
             b.first_ms, b.last_ms, b.cost};
    }
    return out;
}

void require_same(const std::map<Key, Sums>& want, const std::map<Key, Sums>& got) {
    REQUIRE(want.size() == got.size());
    for (const auto& [key, w] : want) {
        const auto it = got.find(key);
        REQUIRE(it != got.end());
        const Sums& g = it->second;
        CHECK(g.input == w.input);
        CHECK(g.output == w.output);
        CHECK(g.cache_creation == w.cache_creation);
        CHECK(g.cache_read == w.cache_read);
        CHECK(g.records == w.records);
        CHECK(g.first == w.first);
        CHECK(g.last == w.last);
        CHECK(g.cost == Approx(w.cost).epsilon(1e-9));
    }
}

// Records with streamed copies (same identity, growing counts), the same response under
// another uuid, sidechain replays, several machines, sessions and quarter hours.
std::vector<UsageRecord> messy_records(unsigned seed, std::size_t n, bool all_with_ids = false) {
    std::mt19937 rng(seed);
    std::vector<UsageRecord> out;
    const char* models[] = {"claude-sonnet-4-20250514", "claude-opus-4-6", "claude-mystery-9"};
    for (std::size_t i = 0; i < n; ++i) {
        const std::size_t base = rng() % (n / 2 + 1);
        UsageRecord r = ccu::test::make_record("s" + std::to_string(base % 7), "u" + std::to_string(base),
                                               static_cast<std::int64_t>(rng() % 500), 0,
                                               base % 3 == 0 ? "desktop" : "laptop");
        r.timestamp = ccu::timeutil::format_rfc3339_ms(1735787045000LL + static_cast<std::int64_t>(base) * 411'000);
        r.model = models[base % 3];
        if (base % 4 == 0) r.cost_usd = 0.25;
        if (all_with_ids || base % 5 != 0) {
            r = ccu::test::with_ids(r, "m" + std::to_string(base % (n / 3 + 1)), "q" + std::to_string(base));
        }
        if (rng() % 6 == 0) r.message_uuid += "-copy";  // same response, another line
        out.push_back(r);
    }
    return out;
}

// A price table that is not the embedded one: a cent per output token, unpriced when "mystery".
ccu::CostModel flat_costs(std::string fingerprint, double per_token) {
    return {std::move(fingerprint), [per_token](const UsageRecord& r) {
                return ccu::RecordCost{per_token * static_cast<double>(r.output_tokens),
                                       r.model.find("mystery") != std::string::npos};
            }};
}

}  // namespace

TEST_CASE("the buckets equal the stored records summed after inserts, updates and a rename", "[store][buckets]") {
    ccu::test::Sandbox sandbox;
    Store store(sandbox.data_dir() / "store.db", OpenMode::ReadWrite, ccu::test::embedded_costs());
    const auto records = messy_records(7, 600);
    // Small batches take the one-by-one path and meet stored records: updates and matches.
    for (std::size_t i = 0; i < records.size(); i += 50) {
        store.upsert(std::vector<UsageRecord>(records.begin() + static_cast<long>(i),
                                              records.begin() + static_cast<long>(std::min(i + 50, records.size()))));
    }
    require_same(from_records(store), from_buckets(store));
    store.rename_machine("laptop", "desktop");
    require_same(from_records(store), from_buckets(store));
    CHECK(store.machine_names() == std::vector<std::string>{"desktop"});
}

// Each remembered line and the identity of its record (row ids are internal: the bulk load
// numbers rows in another order): every record's own uuid (its key) and its further lines.
std::vector<std::tuple<std::string, std::string, std::string, std::string>> record_lines(const Store& store) {
    SQLite::Database db(store.file().string(), SQLite::OPEN_READONLY);
    SQLite::Statement q(db, "SELECT l.session_id, l.line_uuid, r.session_id, r.message_uuid FROM record_lines l "
                            "JOIN records r ON r.id = l.record_id UNION ALL SELECT session_id, message_uuid, "
                            "session_id, message_uuid FROM records ORDER BY 1, 2");
    std::vector<std::tuple<std::string, std::string, std::string, std::string>> out;
    while (q.executeStep()) {
        out.emplace_back(q.getColumn(0).getString(), q.getColumn(1).getString(), q.getColumn(2).getString(),
                         q.getColumn(3).getString());
    }
    return out;
}

// The indexes as the schema migrations created them (name, SQL), whatever path wrote the rows.
std::vector<std::pair<std::string, std::string>> index_sql(const Store& store) {
    SQLite::Database db(store.file().string(), SQLite::OPEN_READONLY);
    SQLite::Statement q(db, "SELECT name, COALESCE(sql, '') FROM sqlite_schema WHERE type = 'index' ORDER BY 1");
    std::vector<std::pair<std::string, std::string>> out;
    while (q.executeStep()) out.emplace_back(q.getColumn(0).getString(), q.getColumn(1).getString());
    return out;
}

// Every row of the four bucket tables with its names (ids are internal: each path numbers
// names in the order it meets them), in order, then the names; the costs apart (sums of
// doubles in another order may differ in the last bits).
struct BucketRows {
    std::vector<std::string> rows;
    std::vector<double> costs;
};

BucketRows stored_bucket_tables(const Store& store) {
    SQLite::Database db(store.file().string(), SQLite::OPEN_READONLY);
    BucketRows out;
    for (const char* table : {"usage_buckets", "usage_rollup", "usage_models", "usage_sessions"}) {
        const auto name = [](const char* column) {
            return std::string("(SELECT name FROM bucket_names WHERE id = t.") + column + ")";
        };
        SQLite::Statement q(db, "SELECT t.quarter, " + name("machine") + ", " + name("session") + ", " + name("model") +
                                    ", " + name("project") + ", " + name("folder") +
                                    ", input_tokens, output_tokens, cache_creation_tokens, cache_read_tokens, "
                                    "records, unpriced, first_ms, last_ms, cost FROM " +
                                    table + " t ORDER BY 1, 2, 3, 4, 5, 6");
        while (q.executeStep()) {
            std::string row = table;
            for (int i = 0; i + 1 < q.getColumnCount(); ++i) row += "|" + q.getColumn(i).getString();
            out.rows.push_back(std::move(row));
            out.costs.push_back(q.getColumn(q.getColumnCount() - 1).getDouble());
        }
    }
    SQLite::Statement names(db, "SELECT name FROM bucket_names ORDER BY 1");
    while (names.executeStep()) out.rows.push_back("name|" + names.getColumn(0).getString());
    return out;
}

TEST_CASE("a bulk load into an empty store stores what one-by-one upserts store", "[store][buckets][bulk]") {
    ccu::test::Sandbox sandbox;
    // Every record with response ids (the bulk path's condition): streamed copies, the same
    // response under another uuid, message ids shared by several requests, sidechain replays,
    // further line uuids (a scan's streamed lines), some naming another record's line.
    ccu::test::ScanInput scan;
    scan.records = messy_records(11, 2000, true);
    for (std::size_t i = 0; i < scan.records.size(); ++i) {
        scan.sidechain.push_back(i % 7 == 3 ? 1 : 0);
        ccu::LineUuids further;
        const std::string& session = scan.records[i].session_id;
        if (i % 3 == 0) further.push_back({session, "line-" + std::to_string(i)});
        if (i % 11 == 5) further.push_back({session, "line-" + std::to_string(i - 2)});   // a line of an earlier record
        if (i % 13 == 7) further.push_back({session, scan.records[i / 2].message_uuid});  // another record's uuid
        scan.lines.push_back(std::move(further));
    }
    Store bulk(sandbox.data_dir() / "bulk.db", OpenMode::ReadWrite, ccu::test::embedded_costs());
    Store single(sandbox.data_dir() / "single.db", OpenMode::ReadWrite, ccu::test::embedded_costs());
    const auto bulk_stats = bulk.apply_scan(scan.write());  // >= 256 records into an empty store: the bulk path
    ccu::store::UpsertStats single_stats;
    for (std::size_t i = 0; i < scan.records.size(); ++i) {
        ccu::test::ScanInput one;
        one.records = {scan.records[i]};
        one.sidechain = {scan.sidechain[i]};
        one.lines = {scan.lines[i]};
        const auto s = single.apply_scan(one.write());
        single_stats.inserted += s.inserted;
        single_stats.updated += s.updated;
        single_stats.unchanged += s.unchanged;
    }
    CHECK(bulk_stats.inserted == single_stats.inserted);
    CHECK(bulk_stats.updated == single_stats.updated);
    CHECK(bulk_stats.unchanged == single_stats.unchanged);
    CHECK(bulk_stats.updated > 0);
    CHECK(bulk.query({}) == single.query({}));
    CHECK(bulk.max_sequence() == single.max_sequence());
    CHECK(record_lines(bulk) == record_lines(single));
    CHECK(record_lines(bulk).size() > bulk_stats.inserted);  // uuids of copies are lines of their record
    CHECK(index_sql(bulk) == index_sql(single));
    CHECK(index_sql(bulk).size() >= 5);
    SQLite::Database check(bulk.file().string(), SQLite::OPEN_READONLY);
    CHECK(check.execAndGet("PRAGMA integrity_check").getString() == "ok");
    require_same(from_records(bulk), from_buckets(bulk));
    require_same(from_buckets(single), from_buckets(bulk));
    // The bulk load writes the four bucket tables and their names itself (FreshBuckets): the
    // same rows as the one-by-one upserts' summing flushes.
    const BucketRows bulk_rows = stored_bucket_tables(bulk);
    const BucketRows single_rows = stored_bucket_tables(single);
    CHECK(bulk_rows.rows.size() > 1000);
    CHECK(bulk_rows.rows == single_rows.rows);
    REQUIRE(bulk_rows.costs.size() == single_rows.costs.size());
    for (std::size_t i = 0; i < bulk_rows.costs.size(); ++i) {
        CHECK(bulk_rows.costs[i] == Approx(single_rows.costs[i]).epsilon(1e-9));
    }
}

TEST_CASE("replacing a machine's records and folding origin fragments keep the buckets exact", "[store][buckets]") {
    ccu::test::Sandbox sandbox;
    Store store(sandbox.data_dir() / "store.db", OpenMode::ReadWrite, ccu::test::embedded_costs());
    store.upsert(messy_records(19, 400));
    // Two origin-tool rows (no response ids), then the logs' record naming both as its lines:
    // the first becomes the record, the second is folded into it (deleted).
    UsageRecord a = ccu::test::make_record("sx", "line-a", 40, 0, "laptop");
    UsageRecord c = ccu::test::make_record("sx", "line-c", 30, 0, "laptop");
    c.timestamp = "2025-01-02T05:00:00.000Z";  // another quarter hour
    store.upsert({a, c});
    const auto before = store.count();
    UsageRecord b = ccu::test::with_ids(ccu::test::make_record("sx", "line-b", 90, 0, "laptop"), "mx", "rx");
    store.upsert({b}, {{ccu::LineRef{"sx", "line-a"}, ccu::LineRef{"sx", "line-c"}}});
    CHECK(store.count() == before - 1);
    require_same(from_records(store), from_buckets(store));
    const auto replacement = messy_records(23, 100);
    std::vector<UsageRecord> laptop;
    for (const auto& r : replacement) {
        if (r.machine_name == "laptop") laptop.push_back(r);
    }
    store.replace_machine_records("laptop", laptop, {});
    require_same(from_records(store), from_buckets(store));
}

TEST_CASE("a bulk load into an emptied records table beside stored buckets sums into them", "[store][buckets][bulk]") {
    ccu::test::Sandbox sandbox;
    Store store(sandbox.data_dir() / "store.db", OpenMode::ReadWrite, ccu::test::embedded_costs());
    std::vector<UsageRecord> laptop;
    for (const auto& r : messy_records(29, 1200, true)) {
        if (r.machine_name == "laptop") laptop.push_back(r);
    }
    REQUIRE(laptop.size() >= 256);
    store.upsert(laptop);
    // Deleting the only machine's records leaves the records table empty and its buckets stored
    // until the rebuild: the bulk path runs, and must not take the bucket tables for empty.
    const auto replacement = std::vector<UsageRecord>(laptop.begin() + 10, laptop.end());
    store.replace_machine_records("laptop", replacement, {});
    require_same(from_records(store), from_buckets(store));
    CHECK(store.count() > 0);
}

TEST_CASE("a store priced by another price table is repriced when opened", "[store][buckets]") {
    ccu::test::Sandbox sandbox;
    const auto file = sandbox.data_dir() / "store.db";
    {
        Store store(file, OpenMode::ReadWrite, ccu::test::embedded_costs());
        store.upsert(messy_records(3, 100));
    }
    {
        SQLite::Database db(file.string(), SQLite::OPEN_READWRITE);
        db.exec("UPDATE records SET cost = 0; UPDATE usage_buckets SET cost = 0; "
                "UPDATE meta SET value = 'older table' WHERE key = 'buckets.pricing'");
    }
    Store store(file, OpenMode::ReadWrite, ccu::test::embedded_costs());
    const auto want = from_records(store);
    double total = 0;
    for (const auto& [key, s] : want) total += s.cost;
    REQUIRE(total > 0);
    require_same(want, from_buckets(store));
}

TEST_CASE("buckets can be read for one session and one time range", "[store][buckets]") {
    ccu::test::Sandbox sandbox;
    Store store(sandbox.data_dir() / "store.db", OpenMode::ReadWrite, ccu::test::embedded_costs());
    store.upsert(messy_records(5, 300));
    ccu::store::BucketQuery session;
    session.session = "s3";
    const auto one = store.buckets(session);
    REQUIRE(!one.buckets.empty());
    for (const auto& b : one.buckets) CHECK(one.names[b.session] == "s3");
    ccu::store::BucketQuery range;
    range.since_ms = 1735787045000LL + 3'600'000;
    range.until_ms = 1735787045000LL + 7'200'000;
    const auto hour = store.buckets(range);
    REQUIRE(!hour.buckets.empty());
    for (const auto& b : hour.buckets) {
        CHECK(b.quarter * 900000 + 900000 > *range.since_ms);
        CHECK(b.quarter * 900000 < *range.until_ms);
    }
}

TEST_CASE("the store prices records with the cost model it is handed and reprices when it changes", "[store][buckets]") {
    ccu::test::Sandbox sandbox;
    const auto file = sandbox.data_dir() / "store.db";
    const auto records = messy_records(9, 400);
    {
        Store store(file, OpenMode::ReadWrite, flat_costs("cent", 0.01));
        store.upsert(records);
        require_same(from_records(store, flat_costs("cent", 0.01)), from_buckets(store));
        std::int64_t unpriced = 0;
        for (const auto& b : store.buckets({}).buckets) unpriced += b.unpriced;
        CHECK(unpriced > 0);
    }
    Store store(file, OpenMode::ReadWrite, flat_costs("dime", 0.1));
    const auto want = from_records(store, flat_costs("dime", 0.1));
    require_same(want, from_buckets(store));
    double total = 0;
    for (const auto& [key, s] : want) total += s.cost;
    REQUIRE(total > 0);
}

TEST_CASE("a store of the schema before the buckets migrates with every bucket filled and priced", "[store][buckets]") {
    ccu::test::Sandbox sandbox;
    const auto file = sandbox.data_dir() / "store.db";
    {
        Store store(file, OpenMode::ReadWrite, ccu::test::embedded_costs());
        store.upsert(messy_records(13, 500));
    }
    {
        // Back to the previous schema: no bucket tables, no cost columns, no pricing meta.
        SQLite::Database db(file.string(), SQLite::OPEN_READWRITE);
        db.exec("DROP TABLE usage_buckets; DROP TABLE usage_rollup; DROP TABLE usage_models; DROP TABLE usage_sessions; "
                "DROP TABLE bucket_names; "
                "ALTER TABLE records DROP COLUMN cost; ALTER TABLE records DROP COLUMN unpriced; "
                "ALTER TABLE records DROP COLUMN project; DELETE FROM meta WHERE key = 'buckets.pricing'; "
                "PRAGMA user_version = 4");
    }
    Store store(file, OpenMode::ReadWrite, ccu::test::embedded_costs());
    CHECK(store.schema_version() == 8);
    const auto want = from_records(store);
    REQUIRE(want.size() > 10);
    require_same(want, from_buckets(store));
}

TEST_CASE("scans that replace streamed records and replay sidechains keep the buckets exact", "[store][buckets]") {
    ccu::test::Sandbox sandbox;
    Store store(sandbox.data_dir() / "store.db", OpenMode::ReadWrite, ccu::test::embedded_costs());
    const auto records = messy_records(17, 900);
    for (std::size_t i = 0; i < records.size(); i += 300) {  // the first batch takes the bulk path
        ccu::test::ScanInput scan;
        scan.records.assign(records.begin() + static_cast<long>(i), records.begin() + static_cast<long>(i + 300));
        for (std::size_t j = 0; j < scan.records.size(); ++j) scan.sidechain.push_back(j % 9 == 0 ? 1 : 0);
        ccu::FileCursor cursor;
        cursor.path = "/p/" + std::to_string(i) + ".jsonl";
        scan.cursors[cursor.path] = cursor;
        const auto stats = store.apply_scan(scan.write());
        CHECK(stats.inserted + stats.updated + stats.unchanged == 300);
    }
    require_same(from_records(store), from_buckets(store));
}

namespace {

// The session-grain buckets summed to `grain`: per quarter x machine x model, or per machine x
// session x model (key quarter 0) over all time.
std::map<Key, Sums> summed_to(const Store& store, ccu::store::BucketGrain grain) {
    std::map<Key, Sums> out;
    for (const auto& [key, b] : from_buckets(store)) {
        const auto& [quarter, machine, session, model] = key;
        const bool models = grain == ccu::store::BucketGrain::Model;
        Sums& s = out[models ? Key{quarter, machine, "", model} : Key{0, machine, session, model}];
        s.input += b.input;
        s.output += b.output;
        s.cache_creation += b.cache_creation;
        s.cache_read += b.cache_read;
        s.records += b.records;
        s.cost += b.cost;
        s.first = std::min(s.first, b.first);
        s.last = std::max(s.last, b.last);
    }
    return out;
}

std::map<Key, Sums> read_grain(const Store& store, ccu::store::BucketGrain grain) {
    ccu::store::BucketQuery query;
    query.grain = grain;
    const auto set = store.buckets(query);
    std::map<Key, Sums> out;
    for (const auto& b : set.buckets) {
        const bool models = grain == ccu::store::BucketGrain::Model;
        CHECK(set.names[b.folder].empty() == models);  // a session row keeps its first folder
        CHECK(b.quarter == (models ? b.quarter : b.first_ms / 900000));
        Sums& s = out[Key{models ? b.quarter : 0, set.names[b.machine], set.names[b.session], set.names[b.model]}];
        s = {b.input_tokens, b.output_tokens, b.cache_creation_tokens, b.cache_read_tokens, b.records,
             b.first_ms, b.last_ms, b.cost};
    }
    return out;
}

void require_report_tables_match(const Store& store) {
    for (const auto grain : {ccu::store::BucketGrain::Model, ccu::store::BucketGrain::WholeSession}) {
        require_same(summed_to(store, grain), read_grain(store, grain));
    }
}

}  // namespace

TEST_CASE("the per-model and whole-session tables are the session buckets summed whatever wrote them",
          "[store][buckets][report_tables]") {
    ccu::test::Sandbox sandbox;
    const auto file = sandbox.data_dir() / "store.db";
    {
        Store store(file, OpenMode::ReadWrite, ccu::test::embedded_costs());
        const auto records = messy_records(5, 600);
        for (std::size_t i = 0; i < records.size(); i += 50) {
            store.upsert(std::vector<UsageRecord>(records.begin() + static_cast<long>(i),
                                                  records.begin() + static_cast<long>(std::min(i + 50, records.size()))));
        }
        require_report_tables_match(store);
        store.rename_machine("laptop", "desktop");
        require_report_tables_match(store);
        store.replace_machine_records("desktop", messy_records(6, 100));
        require_report_tables_match(store);
    }
    {
        // Back to v5: the tables are derived from the buckets by the migration.
        SQLite::Database db(file.string(), SQLite::OPEN_READWRITE);
        db.exec("DROP TABLE usage_models; DROP TABLE usage_sessions; PRAGMA user_version = 5");
    }
    Store store(file, OpenMode::ReadWrite, ccu::test::embedded_costs());
    CHECK(store.schema_version() == 8);
    REQUIRE(read_grain(store, ccu::store::BucketGrain::Model).size() > 10);
    require_report_tables_match(store);
}

TEST_CASE("bucket names resolve whether the rows name a few of the stored names or many", "[store][buckets]") {
    ccu::test::Sandbox sandbox;
    Store store(sandbox.data_dir() / "store.db", OpenMode::ReadWrite, ccu::test::embedded_costs());
    std::vector<UsageRecord> records;
    for (int i = 0; i < 700; ++i) {  // more names than the one-by-one lookup takes (store/bucket_query.cpp)
        UsageRecord r = ccu::test::make_record("s-" + std::to_string(i), "u" + std::to_string(i), 5 + i, i);
        r.model = i % 3 == 0 ? "claude-opus-4-6" : "claude-sonnet-4-6";
        r.folder = "folder-" + std::to_string(i % 40);
        r.project = "-home-u-p" + std::to_string(i % 40);
        r.machine_name = i % 2 == 0 ? "laptop" : "desktop";
        records.push_back(r);
    }
    store.upsert(records);
    require_same(from_records(store), from_buckets(store));  // every name: one pass over bucket_names
    for (const auto grain : {ccu::store::BucketGrain::Session, ccu::store::BucketGrain::WholeSession}) {
        ccu::store::BucketQuery one;  // a few names: looked up one by one
        one.grain = grain;
        one.session = "s-652";
        const auto set = store.buckets(one);
        REQUIRE(set.buckets.size() == 1);
        const auto& b = set.buckets.front();
        CHECK(set.names[b.session] == "s-652");
        CHECK(set.names[b.machine] == "laptop");
        CHECK(set.names[b.model] == "claude-sonnet-4-6");
        CHECK(set.names[b.folder] == "folder-12");
        CHECK(set.names[b.project] == "-home-u-p12");
        CHECK(b.output_tokens == 657);
    }
}

TEST_CASE("buckets of some machines, with a time range and without, are exactly those machines' rows",
          "[store][buckets]") {
    ccu::test::Sandbox sandbox;
    Store store(sandbox.data_dir() / "store.db", OpenMode::ReadWrite, ccu::test::embedded_costs());
    const char* machines[] = {"laptop", "desktop", "server"};
    std::vector<UsageRecord> records;
    for (int i = 0; i < 90; ++i) {
        UsageRecord r = ccu::test::make_record("s-" + std::to_string(i % 9), "u" + std::to_string(i), 5 + i);
        r.timestamp = ccu::timeutil::format_rfc3339_ms(1735787045000LL + i * 1'200'000LL);  // 20 minutes apart
        r.machine_name = machines[i % 3];
        records.push_back(r);
    }
    store.upsert(records);
    const auto all = store.buckets({});
    for (const auto grain : {ccu::store::BucketGrain::Session, ccu::store::BucketGrain::Model,
                             ccu::store::BucketGrain::WholeSession}) {
        for (const bool ranged : {false, true}) {
            ccu::store::BucketQuery query;
            query.grain = grain;
            query.machines = {"desktop", "server"};
            if (ranged) {
                query.since_ms = 1735787045000LL + 10 * 1'200'000LL;
                query.until_ms = 1735787045000LL + 60 * 1'200'000LL;
            }
            const auto set = store.buckets(query);
            std::int64_t records_seen = 0;
            for (const auto& b : set.buckets) {
                CHECK((set.names[b.machine] == "desktop" || set.names[b.machine] == "server"));
                records_seen += b.records;
            }
            // 60 of the 90 records are desktop's or server's; with the range, those whose quarter hour
            // is in [since, until) rounded out to quarters (a session row counts where it starts)
            std::int64_t want = 0;
            for (int i = 0; i < 90; ++i) {
                const std::int64_t quarter = (1735787045000LL + i * 1'200'000LL) / 900'000;
                const bool in = !ranged || (quarter >= *query.since_ms / 900'000 &&
                                            quarter < (*query.until_ms + 899'999) / 900'000);
                if (i % 3 != 0 && in) ++want;
            }
            INFO("grain " << static_cast<int>(grain) << " ranged " << ranged);
            if (grain != ccu::store::BucketGrain::WholeSession) CHECK(records_seen == want);
            if (!ranged) CHECK(records_seen == 60);
            if (ranged) CHECK(records_seen < 60);
        }
    }
    CHECK(!all.buckets.empty());
}

TEST_CASE("a rebuilt bucket keeps the project of its first-stored record, as the incremental path does",
          "[store][buckets]") {
    ccu::test::Sandbox sandbox;
    // One quarter hour of one session: the record stored first is the later one, and each of the
    // three has its own project, so first-stored, earliest and latest all differ.
    std::vector<UsageRecord> records;
    const std::pair<int, const char*> rows[] = {{900, "alpha"}, {100, "beta"}, {950, "gamma"}};
    for (const auto& [ms, project] : rows) {
        UsageRecord r = ccu::test::make_record("s1", std::string("u-") + project, 50, ms, "laptop");
        r.project = project;
        r.folder = project;
        records.push_back(r);
    }
    Store renamed(sandbox.data_dir() / "renamed.db", OpenMode::ReadWrite, ccu::test::embedded_costs());
    for (const auto& r : records) renamed.upsert({r});
    renamed.rename_machine("laptop", "desk");  // rebuilds the buckets from the records
    Store direct(sandbox.data_dir() / "direct.db", OpenMode::ReadWrite, ccu::test::embedded_costs());
    for (auto r : records) {
        r.machine_name = "desk";
        direct.upsert({r});
    }
    const auto rebuilt = ccu::test::bucket_rows(renamed);
    REQUIRE(rebuilt == ccu::test::bucket_rows(direct));
    CHECK(rebuilt[0].find(" alpha alpha ") != std::string::npos);
}
