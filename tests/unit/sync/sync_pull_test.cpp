#include <catch2/catch.hpp>

#include "ccu/common/error.hpp"
#include "ccu/sync/backup_ops.hpp"
#include "ccu/sync/manifest.hpp"
#include "ccu/sync/sync_status.hpp"
#include "sync_fixture.hpp"

using namespace ccu;
using namespace ccu::test;
using nlohmann::json;

TEST_CASE("two machines push, a third pulls everything, a second pull fetches nothing", "[sync][pull][rest]") {
    FakeFixture fx;
    SimMachine a(fx.fake, fx.gist_id, "laptop", fx.clock);
    SimMachine b(fx.fake, fx.gist_id, "desktop", fx.clock);
    a.add_records(0, 25);
    b.add_records(0, 40);
    a.manager().push(sync::ConflictMode::Detect);
    b.manager().push(sync::ConflictMode::Detect);
    SimMachine c(fx.fake, fx.gist_id, "server", fx.clock);
    auto mc = c.manager();
    const auto r = mc.pull();
    CHECK(r.records_new == 65);
    CHECK(r.invalid_files.empty());
    CHECK(c.store->count() == 65);
    fx.fake.control("DELETE", "/_fake/requests");
    const auto again = mc.pull();
    CHECK(again.not_modified);
    CHECK(fx.requests().size() == 1);
    // a pushes more: only a's current file is fetched.
    a.add_records(25, 30);
    a.manager().push(sync::ConflictMode::Detect);
    const auto third = mc.pull();
    CHECK(third.files_fetched == 1);
    CHECK(third.records_new == 5);
}

TEST_CASE("an invalid remote file is skipped by name and the rest is imported", "[sync][pull]") {
    FakeFixture fx;
    SimMachine a(fx.fake, fx.gist_id, "laptop", fx.clock);
    SimMachine b(fx.fake, fx.gist_id, "desktop", fx.clock);
    a.add_records(0, 5);
    b.add_records(0, 7);
    a.manager().push(sync::ConflictMode::Detect);
    b.manager().push(sync::ConflictMode::Detect);
    // Break desktop's file behind ccu's back.
    a.api->patch_gist(fx.gist_id, {{"usage_data_desktop.json", gist::FileChange::write("{\"records\": 12}")}});
    SimMachine c(fx.fake, fx.gist_id, "server", fx.clock);
    auto mc = c.manager();
    const auto r = mc.pull();
    REQUIRE(r.invalid_files.size() == 1);
    CHECK(r.invalid_files[0].name == "usage_data_desktop.json");
    CHECK(c.store->count() == 5);
    CHECK(c.store->count(std::string("desktop")) == 0);
    REQUIRE(c.sink.warnings.size() == 1);
    const std::string& w = c.sink.warnings[0];
    CHECK(w.find("usage_data_desktop.json") != std::string::npos);
    CHECK(w.find("usage_data_desktop.json") == w.rfind("usage_data_desktop.json"));  // named once
}

TEST_CASE("a skipped record is warned about naming its file once and prompt rows are no records", "[sync][pull]") {
    FakeFixture fx;
    const nlohmann::json rec = {{"session_id", "s"}, {"message_uuid", "u1"}, {"timestamp", "2025-09-30T10:00:00+00:00"},
                                {"model", "claude-sonnet-4-20250514"}, {"input_tokens", 1}, {"output_tokens", 2},
                                {"cache_creation_tokens", 0}, {"cache_read_tokens", 0}, {"folder", "p"}};
    nlohmann::json bad = rec;
    bad["message_uuid"] = "u2";
    bad["output_tokens"] = -1;
    nlohmann::json prompt = rec;
    prompt["message_uuid"] = "u3";
    prompt["model"] = nullptr;
    prompt["input_tokens"] = prompt["output_tokens"] = 0;
    const nlohmann::json file = {{"machine_name", "oldpc"}, {"export_date", "2025-10-01T00:00:00+00:00"},
                                 {"records", {rec, bad, prompt}}};
    fx.gist_id = fx.fake.seed_gist({{"owner", "alice"}, {"description", "origin"}, {"public", false},
                                    {"files", {{"usage_data_oldpc.json", file.dump()}}}});
    SimMachine c(fx.fake, fx.gist_id, "server", fx.clock);
    const auto r = c.manager().pull();
    CHECK(r.records_new == 1);
    CHECK(r.records_invalid == 1);
    CHECK(c.store->count(std::string("oldpc")) == 1);
    REQUIRE(c.sink.warnings.size() == 1);
    const std::string& w = c.sink.warnings[0];
    CHECK(w.find("usage_data_oldpc.json") != std::string::npos);
    CHECK(w.find("usage_data_oldpc.json") == w.rfind("usage_data_oldpc.json"));
    for (const auto& record : c.store->query({})) CHECK_FALSE(record.model.empty());
}

TEST_CASE("a truncated manifest and data files are read through raw_url", "[sync][pull][rest]") {
    FakeFixture fx;
    SimMachine a(fx.fake, fx.gist_id, "laptop", fx.clock);
    a.add_records(0, 20);
    a.manager().push(sync::ConflictMode::Detect);
    fx.fake.configure({{"truncate_bytes", 64}});
    SimMachine c(fx.fake, fx.gist_id, "server", fx.clock);
    fx.fake.control("DELETE", "/_fake/requests");
    const auto r = c.manager().pull();
    CHECK(r.records_new == 20);
    std::size_t raw = 0;
    for (const auto& req : fx.requests()) raw += req["port"] == fx.fake.raw_port() ? 1 : 0;
    CHECK(raw >= 2);  // manifest + current file
}

TEST_CASE("backup create, list, restore into the store and into a directory, then repair", "[sync][backup]") {
    FakeFixture fx;
    SimMachine a(fx.fake, fx.gist_id, "laptop", fx.clock);
    a.add_records(0, 12);
    a.manager().push(sync::ConflictMode::Detect);
    sync::BackupOps ops(*a.remote, *a.store, fx.clock, a.config, a.paths, a.sink);
    const std::string name = ops.create();
    CHECK(name == "usage_data_laptop_backup_20260110.json");
    CHECK(ops.create() == name);  // the same day replaces it
    const auto list = ops.list();
    REQUIRE(list.size() == 1);
    CHECK(list[0].date == "2026-01-10");
    CHECK(list[0].records == 12u);
    SimMachine fresh(fx.fake, fx.gist_id, "laptop2", fx.clock);
    sync::BackupOps ops2(*fresh.remote, *fresh.store, fx.clock, fresh.config, fresh.paths, fresh.sink);
    const auto restored = ops2.restore("2026-01-10", std::string("laptop"), std::nullopt, sync::Overwrite::Refuse);
    CHECK(restored.inserted == 12);
    const auto out_dir = fresh.sandbox.root() / "out";
    const auto w = ops2.restore("20260110", std::string("laptop"), out_dir, sync::Overwrite::Refuse);
    REQUIRE(w.written_to);
    CHECK(std::filesystem::exists(*w.written_to));
    CHECK_THROWS_AS(ops2.restore("20260110", std::string("laptop"), out_dir, sync::Overwrite::Refuse), Error);
    CHECK_NOTHROW(ops2.restore("20260110", std::string("laptop"), out_dir, sync::Overwrite::Allow));
    CHECK_THROWS_AS(ops2.restore("20260110", std::string("laptop"), fresh.paths.claude_dir / "x",
                                 sync::Overwrite::Allow),
                    Error);
    // repair with an intact manifest keeps its entries (hints) and changes nothing essential.
    const std::string manifest_before = fx.files()["manifest.json"];
    const std::size_t patches_before = fx.count("PATCH");
    const auto intact = ops.repair();
    CHECK_FALSE(intact.changed);
    CHECK(fx.count("PATCH") == patches_before);
    CHECK(fx.files()["manifest.json"] == manifest_before);
    // repair: break the manifest, rebuild it from the listing.
    a.api->patch_gist(fx.gist_id, {{"manifest.json", gist::FileChange::write("{broken")}});
    const auto rep = ops.repair();
    CHECK(rep.changed);
    const auto manifest = sync::Manifest::parse(fx.files()["manifest.json"].get<std::string>());
    REQUIRE(manifest.find("laptop"));
    CHECK(manifest.find("laptop")->current_file == "usage_data_laptop.json");
}

TEST_CASE("status: local part offline, remote part best-effort", "[sync][status]") {
    FakeFixture fx;
    SimMachine a(fx.fake, fx.gist_id, "laptop", fx.clock);
    a.add_records(0, 4);
    const json offline = sync::collect_status(a.config, a.store.get(), nullptr, std::string("no token"));
    CHECK(offline["configured"] == true);
    CHECK(offline["local"]["records"] == 4);
    CHECK(offline["local"]["unsynced_records"] == 4);
    CHECK(offline["remote"]["error"] == "no token");
    a.manager().push(sync::ConflictMode::Detect);
    const json online = sync::collect_status(a.config, a.store.get(), a.remote.get(), std::nullopt);
    CHECK(online["local"]["unsynced_records"] == 0);
    CHECK(online["local"]["last_push"].is_string());
    REQUIRE(online["remote"]["machines"].size() == 1);
    CHECK(online["remote"]["machines"][0]["machine_name"] == "laptop");
    CHECK(online["remote"]["machines"][0]["total_records"] == 4);
}

TEST_CASE("repair: no PATCH when the manifest already matches, keeps retention and unknown fields",
          "[sync][repair]") {
    FakeFixture fx;
    SimMachine a(fx.fake, fx.gist_id, "laptop", fx.clock);
    a.add_records(0, 5);
    a.manager().push(sync::ConflictMode::Detect);
    json manifest = fx.manifest();
    manifest["backup_retention_days"] = 7;
    manifest["future_field"] = {{"kept", true}};
    a.api->patch_gist(fx.gist_id, {{"manifest.json", gist::FileChange::write(manifest.dump(2))}});
    sync::BackupOps ops(*a.remote, *a.store, fx.clock, a.config, a.paths, a.sink);

    const std::size_t patches_before = fx.count("PATCH");
    const auto unchanged = ops.repair();
    CHECK_FALSE(unchanged.changed);
    CHECK(fx.count("PATCH") == patches_before);

    // A listed file that no longer exists: repair drops it, keeping what names cannot tell.
    manifest["machines"][0]["backups"] = json::array({"usage_data_laptop_backup_20200101.json"});
    a.api->patch_gist(fx.gist_id, {{"manifest.json", gist::FileChange::write(manifest.dump(2))}});
    const auto fixed = ops.repair();
    CHECK(fixed.changed);
    const json after = fx.manifest();
    CHECK(after["backup_retention_days"] == 7);
    CHECK(after["future_field"]["kept"] == true);
    CHECK(after["machines"][0]["backups"].empty());
    CHECK_FALSE(ops.repair().changed);  // idempotent
}
