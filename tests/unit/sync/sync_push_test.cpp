// SyncManager push against the fake Gist server with the real libcurl client.
#include <unistd.h>

#include <catch2/catch.hpp>

#include "ccu/common/error.hpp"
#include "ccu/sync/conflict_error.hpp"
#include "ccu/sync/data_file.hpp"
#include "ccu/sync/lock.hpp"
#include "ccu/sync/manifest.hpp"
#include "sync_fixture.hpp"

using namespace ccu;
using namespace ccu::test;
using nlohmann::json;

namespace {

std::size_t records_in(const json& files, const std::string& name) {
    const auto parsed = sync::parse_data_file(files[name].get<std::string>(), name);
    REQUIRE(parsed.file);
    return parsed.file->records.size();
}

}  // namespace

TEST_CASE("incremental push merges into the remote current file instead of replacing it", "[sync][push][rest]") {
    FakeFixture fx;
    SimMachine a(fx.fake, fx.gist_id, "laptop", fx.clock);
    a.add_records(0, 30);
    auto m = a.manager();
    const auto first = m.push(sync::ConflictMode::Detect);
    CHECK(first.uploaded);
    CHECK(first.new_records == 30);
    a.add_records(30, 35);
    fx.fake.control("DELETE", "/_fake/requests");
    const auto second = m.push(sync::ConflictMode::Detect);
    CHECK(second.new_records == 5);
    CHECK(records_in(fx.files(), "usage_data_laptop.json") == 35);
    CHECK(fx.count("PATCH") == 1);
    const auto manifest = sync::Manifest::parse(fx.files()["manifest.json"].get<std::string>());
    REQUIRE(manifest.find("laptop"));
    CHECK(manifest.find("laptop")->total_records == 35);
    CHECK(manifest.find("laptop")->machine_id == a.config.machine_id);
}

TEST_CASE("a push with nothing new makes at most one request and uploads nothing", "[sync][push][rest]") {
    FakeFixture fx;
    SimMachine a(fx.fake, fx.gist_id, "laptop", fx.clock);
    a.add_records(0, 10);
    auto m = a.manager();
    m.push(sync::ConflictMode::Detect);
    for (int round = 0; round < 2; ++round) {
        fx.fake.control("DELETE", "/_fake/requests");
        const auto r = m.push(sync::ConflictMode::Detect);
        CHECK(r.nothing_to_do);
        CHECK_FALSE(r.uploaded);
        CHECK(fx.requests().size() <= 1);
        CHECK(fx.count("PATCH") == 0);
    }
    // A no-op push after our own write asks only for the newest commit (one small request).
    REQUIRE(fx.requests().size() == 1);
    CHECK(fx.requests()[0]["path"] == "/gists/" + fx.gist_id + "/commits?per_page=1");
}

TEST_CASE("dry run sends nothing but the read", "[sync][push][rest]") {
    FakeFixture fx;
    SimMachine a(fx.fake, fx.gist_id, "laptop", fx.clock);
    a.add_records(0, 10);
    auto m = a.manager();
    fx.fake.control("DELETE", "/_fake/requests");
    const auto r = m.push(sync::ConflictMode::Detect, sync::WriteMode::DryRun);
    CHECK_FALSE(r.uploaded);
    REQUIRE_FALSE(r.files.empty());
    CHECK(r.files.front().records + r.files.back().records >= 10);
    for (const auto& req : fx.requests()) CHECK(req["method"] == "GET");
    CHECK_FALSE(fx.files().contains("manifest.json"));
    // Nothing was marked pushed: a real push still sends all 10.
    CHECK(m.push(sync::ConflictMode::Detect).new_records == 10);
}

TEST_CASE("files over max_file_bytes are sealed into parts with one PATCH per push", "[sync][push][rest]") {
    FakeFixture fx;
    SimMachine a(fx.fake, fx.gist_id, "laptop", fx.clock);
    a.config.max_file_bytes = 8 * 1024;
    a.add_records(0, 200);
    auto m = a.manager();
    fx.fake.control("DELETE", "/_fake/requests");
    const auto r = m.push(sync::ConflictMode::Detect);
    CHECK(fx.count("PATCH") == 1);
    const json files = fx.files();
    std::size_t total = 0;
    for (const auto& [name, content] : files.items()) {
        if (name.rfind("usage_data_laptop", 0) == 0) {
            CHECK(content.get<std::string>().size() <= 8 * 1024);
            total += records_in(files, name);
        }
    }
    CHECK(total == 200);
    CHECK(files.contains("usage_data_laptop_part_0001.json"));
    const auto manifest = sync::Manifest::parse(files["manifest.json"].get<std::string>());
    for (const auto& f : manifest.find("laptop")->data_files) CHECK(files.contains(f));
}

TEST_CASE("a failed PATCH leaves the manifest pointing only at existing files", "[sync][push][rest]") {
    FakeFixture fx;
    SimMachine a(fx.fake, fx.gist_id, "laptop", fx.clock);
    a.config.max_file_bytes = 8 * 1024;
    a.add_records(0, 50);
    auto m = a.manager();
    m.push(sync::ConflictMode::Detect);
    a.add_records(50, 250);
    fx.fake.add_fault({{"method", "PATCH"}, {"path_regex", "^/gists/"}, {"times", 10}, {"action", "status"},
                       {"status", 502}});
    try {
        m.push(sync::ConflictMode::Detect);
        FAIL("the push should have failed");
    } catch (const Error& e) {
        CHECK(e.kind() == ErrorKind::Network);  // 502 after the retries: exit 4
    }
    const json files = fx.files();
    const auto manifest = sync::Manifest::parse(files["manifest.json"].get<std::string>());
    for (const auto& f : manifest.find("laptop")->data_files) CHECK(files.contains(f));
    fx.fake.reset();
}

TEST_CASE("a failed or invalid manifest download is an error, never an empty manifest", "[sync][push][rest]") {
    FakeFixture fx;
    SimMachine a(fx.fake, fx.gist_id, "laptop", fx.clock);
    SimMachine b(fx.fake, fx.gist_id, "desktop", fx.clock);
    a.add_records(0, 10);
    b.add_records(0, 10);
    auto ma = a.manager();
    ma.push(sync::ConflictMode::Detect);
    // The manifest arrives empty (GitHub quirk) and its raw_url download fails.
    fx.fake.add_fault({{"method", "GET"}, {"path_regex", "^/gists/"}, {"times", 1}, {"action", "empty_content"}});
    fx.fake.add_fault({{"method", "GET"}, {"path_regex", "manifest"}, {"times", 10}, {"action", "status"},
                       {"status", 500}});
    auto mb = b.manager();
    try {
        mb.push(sync::ConflictMode::Detect);
        FAIL("the push should have failed");
    } catch (const Error& e) {
        CHECK(e.kind() == ErrorKind::Network);  // the raw_url download failed: exit 4, not "empty"
    }
    const auto manifest = sync::Manifest::parse(fx.files()["manifest.json"].get<std::string>());
    CHECK(manifest.find("laptop"));  // laptop's entry survived
    CHECK_FALSE(manifest.find("desktop"));
}

TEST_CASE("another machine with the same name and a different machine_id stops the push", "[sync][push]") {
    FakeFixture fx;
    SimMachine a(fx.fake, fx.gist_id, "laptop", fx.clock);
    SimMachine impostor(fx.fake, fx.gist_id, "laptop", fx.clock);
    a.add_records(0, 10);
    impostor.add_records(100, 110);
    auto ma = a.manager();
    ma.push(sync::ConflictMode::Detect);
    const std::string before = fx.files()["usage_data_laptop.json"];
    auto mi = impostor.manager();
    try {
        mi.push(sync::ConflictMode::Detect);
        FAIL("push should have stopped");
    } catch (const Error& e) {
        CHECK(e.kind() == ErrorKind::Conflict);
        CHECK(std::string(e.hint()).find("--machine-name") != std::string::npos);
    }
    CHECK(fx.files()["usage_data_laptop.json"] == before);
}

TEST_CASE("a second sync in the same data dir fails at once with Locked", "[sync][lock]") {
    FakeFixture fx;
    SimMachine a(fx.fake, fx.gist_id, "laptop", fx.clock);
    a.add_records(0, 3);
    sync::SyncLock held(a.paths.lock_file());
    auto m = a.manager();
    try {
        m.push(sync::ConflictMode::Detect);
        FAIL("expected Locked");
    } catch (const Error& e) {
        CHECK(e.kind() == ErrorKind::Locked);
        CHECK(std::string(e.what()).find(std::to_string(::getpid())) != std::string::npos);
    }
    CHECK(fx.requests().empty());
}

TEST_CASE("daily backups rotate over simulated days and today's is never deleted", "[sync][backup]") {
    FakeFixture fx;
    SimMachine a(fx.fake, fx.gist_id, "laptop", fx.clock);
    a.config.backup_retention_days = 3;
    auto m = a.manager();
    for (int d = 0; d < 8; ++d) {
        fx.clock.advance(std::chrono::hours(24));
        a.add_records(d * 10, d * 10 + 10);
        const auto r = m.push(sync::ConflictMode::Detect);
        CHECK(r.uploaded);
        const json files = fx.files();
        const std::string today = "usage_data_laptop_backup_" + timeutil::utc_compact_date(fx.clock.now()) + ".json";
        if (d > 0) CHECK(files.contains(today));
        std::size_t backups = 0;
        for (const auto& [name, content] : files.items()) backups += name.find("_backup_") != std::string::npos;
        CHECK(backups <= 4);
        // A second push the same day keeps today's backup.
        a.add_records(1000 + d, 1001 + d);
        m.push(sync::ConflictMode::Detect);
        if (d > 0) CHECK(fx.files().contains(today));
    }
    const auto manifest = sync::Manifest::parse(fx.files()["manifest.json"].get<std::string>());
    CHECK(manifest.find("laptop")->backups.size() == 4);
}

TEST_CASE("switching from the origin tool's chunked files never deletes the chunks", "[sync][push]") {
    FakeFixture fx;
    const json origin_manifest = {
        {"version", "1.0"},
        {"last_updated", "2025-10-01T10:00:00+00:00"},
        {"backup_retention_days", 30},
        {"machines",
         {{{"machine_name", "laptop"},
           {"last_sync", "2025-10-01T10:00:00+00:00"},
           {"last_record_date", "2025-09-30"},
           {"total_records", 1},
           {"current_file", "usage_data_laptop_2025.json"},
           {"backups", json::array()},
           {"data_files", {"usage_data_laptop_2025.json"}}}}}};
    const json chunk = {{"machine_name", "laptop"},
                        {"export_date", "2025-10-01T10:00:00+00:00"},
                        {"data_range", {{"oldest", "2025-09-30"}, {"newest", "2025-09-30"}}},
                        {"records",
                         {{{"session_id", "s-old"}, {"message_uuid", "u-old"}, {"timestamp", "2025-09-30T10:00:00+00:00"},
                           {"date", "2025-09-30"}, {"model", "claude-sonnet-4-20250514"}, {"input_tokens", 1},
                           {"output_tokens", 2}, {"cache_creation_tokens", 0}, {"cache_read_tokens", 0},
                           {"total_tokens", 3}, {"folder", "p"}, {"git_branch", nullptr}, {"version", nullptr}}}},
                        {"stats", {{"total_records", 1}, {"total_sessions", 1}, {"total_tokens", 3}, {"total_cost", 0.0}}}};
    fx.gist_id = fx.fake.seed_gist({{"owner", "alice"}, {"description", "origin"}, {"public", false},
                                    {"files", {{"manifest.json", origin_manifest.dump()},
                                               {"usage_data_laptop_2025.json", chunk.dump()}}}});
    SimMachine a(fx.fake, fx.gist_id, "laptop", fx.clock);
    a.add_records(0, 5);
    auto m = a.manager();
    m.push(sync::ConflictMode::Detect);
    const json files = fx.files();
    CHECK(files.contains("usage_data_laptop_2025.json"));
    const auto manifest = sync::Manifest::parse(files["manifest.json"].get<std::string>());
    const auto& df = manifest.find("laptop")->data_files;
    CHECK(std::find(df.begin(), df.end(), "usage_data_laptop_2025.json") != df.end());
    CHECK(manifest.find("laptop")->current_file == "usage_data_laptop.json");
}

TEST_CASE("an adopted entry that lost its generation gets it back on the next push", "[sync][push][origin]") {
    FakeFixture fx;
    const json origin_entry = {{"machine_name", "laptop"},      {"last_sync", "2025-10-01T10:00:00+00:00"},
                               {"last_record_date", nullptr},   {"total_records", 0},
                               {"current_file", "usage_data_laptop.json"}, {"backups", json::array()},
                               {"data_files", {"usage_data_laptop.json"}}};
    const json origin_manifest = {{"version", "1.0"}, {"last_updated", "2025-10-01T10:00:00+00:00"},
                                  {"backup_retention_days", 0}, {"machines", {origin_entry}}};
    const json origin_file = {{"machine_name", "laptop"}, {"export_date", "2025-10-01T10:00:00+00:00"},
                              {"records", json::array()}};
    fx.gist_id = fx.fake.seed_gist({{"owner", "alice"}, {"description", "origin"}, {"public", false},
                                    {"files", {{"manifest.json", origin_manifest.dump()},
                                               {"usage_data_laptop.json", origin_file.dump()}}}});
    SimMachine a(fx.fake, fx.gist_id, "laptop", fx.clock);
    a.add_records(0, 5);
    a.manager().push(sync::ConflictMode::Detect);
    CHECK(a.sink.said("Adopting laptop"));
    CHECK(fx.manifest()["machines"][0]["generation"] == 1);
    CHECK(json::parse(fx.files()["usage_data_laptop.json"].get<std::string>())["generation"] == 1);
    // Another tool rewrites the manifest and drops the key; nothing new on this machine.
    json stripped = fx.manifest();
    stripped["machines"][0].erase("generation");
    a.api->patch_gist(fx.gist_id, {{"manifest.json", gist::FileChange::write(stripped.dump(2))}});
    a.sink.lines.clear();
    // Over git a push with nothing new reads no head the mirror lacks (docs/format.md §8 step 4):
    // the entry is checked on the head a pull fetched.
    if (a.remote->transport() == sync::Transport::Git) a.manager().pull();
    a.manager().push(sync::ConflictMode::Detect);
    CHECK(fx.manifest()["machines"][0]["generation"] == 1);
    CHECK_FALSE(a.sink.said("Adopting"));  // adopted once
}
