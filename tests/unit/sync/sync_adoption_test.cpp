// Adopting an entry the origin Python tool wrote, through the RemoteStore seam (so over REST and,
// in `sync-git:suite`, over git): the plan is made again on each head a conflict brings, and
// other machines replace what they imported from the origin's files (docs/format.md §4.1, §14).
#include <catch2/catch.hpp>

#include "ccu/sync/data_file.hpp"
#include "ccu/sync/manifest.hpp"
#include "sync_fixture.hpp"

using namespace ccu;
using namespace ccu::test;
using nlohmann::json;

namespace {

// One row as the origin tool exported it: a streamed line (`+00:00` time, no response ids).
json origin_row(const std::string& uuid, const std::string& time, int output, int cache_creation) {
    return {{"session_id", "s-origin"}, {"message_uuid", uuid},          {"timestamp", time},
            {"date", time.substr(0, 10)}, {"model", "claude-sonnet-4-20250514"}, {"input_tokens", 10},
            {"output_tokens", output},  {"cache_creation_tokens", cache_creation}, {"cache_read_tokens", 500},
            {"total_tokens", 10 + output + cache_creation + 500}, {"folder", "p"}};
}

// A gist as the origin tool leaves it for machine `laptop`: two responses streamed as five lines
// (cache creation dropped on some) and a prompt row.
std::string seed_origin(FakeFixture& fx) {
    json prompt = origin_row("p1", "2025-09-30T09:59:00.123456+00:00", 0, 0);
    prompt["model"] = nullptr;
    prompt["input_tokens"] = prompt["cache_read_tokens"] = prompt["total_tokens"] = 0;
    const json rows = {prompt,
                       origin_row("a1", "2025-09-30T10:00:00.100000+00:00", 1, 0),
                       origin_row("a2", "2025-09-30T10:00:01.200000+00:00", 40, 300),
                       origin_row("a3", "2025-09-30T10:00:02.300000+00:00", 90, 0),
                       origin_row("b1", "2025-09-30T11:00:00.000000+00:00", 5, 0),
                       origin_row("b2", "2025-09-30T11:00:03.000000+00:00", 70, 200)};
    const json file = {{"machine_name", "laptop"}, {"export_date", "2025-10-01T10:00:00+00:00"}, {"records", rows}};
    const json entry = {{"machine_name", "laptop"},   {"last_sync", "2025-10-01T10:00:00+00:00"},
                        {"last_record_date", nullptr}, {"total_records", 6.0},
                        {"current_file", "usage_data_laptop.json"}, {"backups", json::array()},
                        {"data_files", {"usage_data_laptop.json"}}};
    const json manifest = {{"version", "1.0"}, {"last_updated", "2025-10-01T10:00:00+00:00"},
                           {"backup_retention_days", 0}, {"machines", {entry}}};
    return fx.fake.seed_gist({{"owner", "alice"}, {"description", "origin"}, {"public", false},
                              {"files", {{"manifest.json", manifest.dump()}, {"usage_data_laptop.json", file.dump()}}}});
}

// The two responses as one record each: first line's identity, the largest output and cache creation.
constexpr std::int64_t kOriginTruth = (10 + 90 + 300 + 500) + (10 + 70 + 200 + 500);

std::int64_t tokens_of(store::Store& store, const std::string& machine) {
    std::int64_t sum = 0;
    for (const auto& r : store.query({machine, std::nullopt, std::nullopt})) sum += r.total_tokens();
    return sum;
}

}  // namespace

TEST_CASE("an adopting push that meets a conflict adopts once on the new head and keeps the rival's entry",
          "[sync][push][origin]") {
    FakeFixture fx;
    fx.gist_id = seed_origin(fx);
    SimMachine laptop(fx.fake, fx.gist_id, "laptop", fx.clock);
    SimMachine desk(fx.fake, fx.gist_id, "desk", fx.clock);
    desk.add_records(0, 3);
    laptop.add_records(0, 4);
    RacingStore racing(*laptop.remote, [&] { desk.manager().push(sync::ConflictMode::Detect); }, 1);
    const sync::PushResult r = laptop.manager_over(racing).push(sync::ConflictMode::Detect);

    CHECK(r.conflicts_resolved == 1);
    CHECK(r.uploaded);
    std::size_t adopting = 0;
    for (const auto& line : laptop.sink.lines) adopting += line.find("Adopting laptop") != std::string::npos ? 1 : 0;
    CHECK(adopting == 1);
    const json files = fx.files();
    const auto manifest = sync::Manifest::parse(files["manifest.json"].get<std::string>());
    REQUIRE(manifest.find("desk") != nullptr);
    REQUIRE(manifest.find("laptop") != nullptr);
    CHECK(manifest.find("laptop")->extra.at("generation") == 1);
    CHECK(manifest.find("laptop")->backups.size() == 1);
    const auto current = sync::parse_data_file(files["usage_data_laptop.json"].get<std::string>(), "current");
    REQUIRE(current.file);
    CHECK(current.file->generation == 1);
    // 4 own records and the origin's two responses (not its five lines, not its prompt row).
    CHECK(current.file->records.size() == 6);
    CHECK(laptop.store->count(std::string("laptop")) == 6);
    CHECK(tokens_of(*laptop.store, "laptop") == kOriginTruth + 4 * 300);
}

TEST_CASE("a machine that imported the origin's line rows has them replaced on its first pull after the adoption",
          "[sync][pull][origin]") {
    FakeFixture fx;
    fx.gist_id = seed_origin(fx);
    SimMachine desk(fx.fake, fx.gist_id, "desk", fx.clock);
    // What a ccu without the origin-row rules made of the origin's file: one record per line.
    std::vector<UsageRecord> inflated;
    for (const auto& [uuid, output] : std::vector<std::pair<std::string, int>>{{"a1", 1}, {"a2", 40}, {"a3", 90},
                                                                              {"b1", 5}, {"b2", 70}}) {
        UsageRecord rec = make_record("laptop", 0);
        rec.session_id = "s-origin";
        rec.message_uuid = uuid;
        rec.output_tokens = output;
        inflated.push_back(rec);
    }
    desk.store->upsert(inflated);
    REQUIRE(desk.store->count(std::string("laptop")) == 5);

    SimMachine laptop(fx.fake, fx.gist_id, "laptop", fx.clock);
    laptop.add_records(0, 2);
    laptop.manager().push(sync::ConflictMode::Detect);
    REQUIRE(laptop.sink.said("Adopting laptop"));

    const sync::PullResult pulled = desk.manager().pull();
    CHECK(pulled.invalid_files.empty());
    CHECK(desk.sink.said("laptop's files were re-written (generation 1): its records were replaced"));
    // laptop's 2 own records and the origin's two responses, not its five lines.
    CHECK(desk.store->count(std::string("laptop")) == 4);
    CHECK(tokens_of(*desk.store, "laptop") == kOriginTruth + 2 * 300);
    for (const auto& rec : desk.store->query({})) CHECK_FALSE(rec.model.empty());
    // Nothing is replaced twice: the next pull of a changed gist imports as usual.
    laptop.add_records(10, 11);
    laptop.manager().push(sync::ConflictMode::Detect);
    desk.sink.lines.clear();
    desk.manager().pull();
    CHECK_FALSE(desk.sink.said("re-written"));
    CHECK(desk.store->count(std::string("laptop")) == 5);
}
