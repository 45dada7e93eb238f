#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "ccu/sync/file_names.hpp"
#include "ccu/sync/manifest.hpp"

using namespace ccu::sync;
using nlohmann::json;

namespace {

MachineEntry entry(const std::string& name, const std::string& last_sync, std::int64_t total) {
    MachineEntry e = placeholder_entry(name);
    e.last_sync = last_sync;
    e.total_records = total;
    e.last_record_date = "2025-06-01";
    return e;
}

Manifest manifest(const std::string& updated, std::vector<MachineEntry> entries) {
    Manifest m = Manifest::make_empty(updated);
    for (auto& e : entries) m.upsert(std::move(e));
    return m;
}

}  // namespace

TEST_CASE("merge: newest last_sync wins per machine, compared as instants", "[manifest][merge]") {
    // 10:00+02:00 is 08:00Z: older than 09:00Z although its text sorts later.
    MachineEntry a = entry("laptop", "2025-06-01T10:00:00+02:00", 50);
    MachineEntry b = entry("laptop", "2025-06-01T09:00:00.000Z", 40);
    a.backups = {backup_file_name("laptop", "20250530")};
    b.backups = {backup_file_name("laptop", "20250601")};
    a.data_files = {current_file_name("laptop"), part_file_name("laptop", 1)};
    b.data_files = {current_file_name("laptop")};
    const Manifest ma = manifest("2025-06-01T10:00:00+02:00", {a});
    const Manifest mb = manifest("2025-06-01T09:00:00.000Z", {b});
    const Manifest merged = ma.merge_with(mb);
    const MachineEntry* e = merged.find("laptop");
    REQUIRE(e);
    CHECK(e->last_sync == b.last_sync);
    CHECK(e->total_records == 40);
    CHECK(e->backups.size() == 2);  // union
    CHECK(e->data_files == std::vector<std::string>{current_file_name("laptop"), part_file_name("laptop", 1)});
    CHECK(merged.get_last_updated() == "2025-06-01T09:00:00.000Z");
    CHECK(merged == mb.merge_with(ma));
}

TEST_CASE("merge: ties on the instant go to total_records, then the entry text", "[manifest][merge]") {
    const MachineEntry z = entry("pc", "2025-06-01T00:00:00Z", 10);
    const MachineEntry plus = entry("pc", "2025-06-01T00:00:00+00:00", 11);
    CHECK(manifest("2025-06-01T00:00:00Z", {z}).merge_with(manifest("2025-06-01T00:00:00Z", {plus}))
              .find("pc")->total_records == 11);
    MachineEntry x = entry("pc", "2025-06-01T00:00:00Z", 10);
    MachineEntry y = entry("pc", "2025-06-01T00:00:00.000+00:00", 10);
    x.extra["k"] = 1;
    y.extra["k"] = 2;
    const Manifest mx = manifest("2025-06-01T00:00:00Z", {x});
    const Manifest my = manifest("2025-06-01T00:00:00Z", {y});
    const Manifest m1 = mx.merge_with(my);
    CHECK(m1 == my.merge_with(mx));
    // The winner's unknown fields travel with it.
    const MachineEntry* w = m1.find("pc");
    CHECK(((w->last_sync == x.last_sync && w->extra == x.extra) ||
           (w->last_sync == y.last_sync && w->extra == y.extra)));
}

TEST_CASE("merge: machines from both sides, unknown top-level keys unioned", "[manifest][merge]") {
    Manifest a = Manifest::parse(R"({"version":"1.0","last_updated":"2025-01-01T00:00:00Z","machines":[],
        "backup_retention_days":7,"a_only":1,"both":"x"})");
    Manifest b = Manifest::parse(R"({"version":"1.0","last_updated":"2025-02-01T00:00:00Z","machines":[],
        "backup_retention_days":0,"b_only":true,"both":"y"})");
    a.upsert(entry("one", "2025-01-01T00:00:00Z", 1));
    b.upsert(entry("two", "2025-01-01T00:00:00Z", 2));
    const Manifest m = a.merge_with(b);
    CHECK(m.machines().size() == 2);
    CHECK(m.backup_retention_days() == 0);  // travels with the newer last_updated
    CHECK(m.extra()["a_only"] == 1);
    CHECK(m.extra()["b_only"] == true);
    CHECK(m.extra()["both"] == "y");  // larger JSON text wins a key conflict
    CHECK(m == b.merge_with(a));
}

TEST_CASE("reconcile: drops missing names, adds unlisted pattern files", "[manifest][reconcile]") {
    MachineEntry laptop = entry("laptop", "2025-06-01T00:00:00Z", 3);
    laptop.data_files = {current_file_name("laptop"), part_file_name("laptop", 1)};
    laptop.backups = {backup_file_name("laptop", "20250101"), backup_file_name("laptop", "20250102")};
    MachineEntry origin = entry("my_pc", "2025-06-01T00:00:00+00:00", 9);
    origin.current_file = "usage_data_my_pc_2024.json";
    const Manifest m = manifest("2025-06-01T00:00:00Z", {laptop, origin});

    const std::set<std::string> files = {
        "manifest.json",
        current_file_name("laptop"),                 // listed, exists
        part_file_name("laptop", 2),                 // unlisted part of a known machine
        backup_file_name("laptop", "20250102"),      // listed backup
        "usage_data_my_pc_2024.json",                // origin current_file
        "usage_data_my_pc_2025_01.json",             // origin chunk, unlisted
        "usage_data_my_pc_2025_backup_20250105.json",
        current_file_name("desk"),                   // a ccu machine with no entry
        backup_file_name("desk", "20250601"),
        "usage_data_ghost_2024.json",                // chunk of an unknown machine: ambiguous, ignored
        "notes.txt",
    };
    const Manifest r = m.reconciled_with(files);
    const MachineEntry* l = r.find("laptop");
    CHECK(l->data_files == std::vector<std::string>{current_file_name("laptop"), part_file_name("laptop", 2)});
    CHECK(l->backups == std::vector<std::string>{backup_file_name("laptop", "20250102")});
    const MachineEntry* o = r.find("my_pc");
    CHECK(o->data_files == std::vector<std::string>{"usage_data_my_pc_2024.json", "usage_data_my_pc_2025_01.json"});
    CHECK(o->backups == std::vector<std::string>{"usage_data_my_pc_2025_backup_20250105.json"});
    const MachineEntry* d = r.find("desk");
    REQUIRE(d);
    CHECK(d->last_sync == "1970-01-01T00:00:00.000Z");  // placeholder: any real entry wins a merge
    CHECK(d->data_files == std::vector<std::string>{current_file_name("desk")});
    CHECK(d->backups.size() == 1);
    CHECK(r.find("ghost") == nullptr);
    CHECK(r.machines().size() == 3);
    CHECK(r.reconciled_with(files) == r);
}

TEST_CASE("rebuild: a manifest from the listing plus hints", "[manifest][reconcile]") {
    std::map<std::string, MachineEntry> hints;
    MachineEntry hint = entry("laptop", "2025-06-01T00:00:00Z", 42);
    hint.machine_id = "id-1";
    hint.extra["os"] = "linux";
    hint.data_files = {"stale.json"};
    hints["laptop"] = hint;
    hints["gone"] = entry("gone", "2025-06-01T00:00:00Z", 1);
    const std::set<std::string> files = {"manifest.json", current_file_name("laptop"), part_file_name("laptop", 1),
                                         current_file_name("desk")};
    const Manifest m = Manifest::rebuild_from_files(files, hints, "2025-07-01T00:00:00.000Z");
    CHECK(m.get_last_updated() == "2025-07-01T00:00:00.000Z");
    REQUIRE(m.machines().size() == 2);
    const MachineEntry* l = m.find("laptop");
    CHECK(l->total_records == 42);
    CHECK(l->machine_id == "id-1");
    CHECK(l->extra["os"] == "linux");
    CHECK(l->data_files == std::vector<std::string>{current_file_name("laptop"), part_file_name("laptop", 1)});
    CHECK(m.find("desk")->total_records == 0);
    CHECK(m.find("gone") == nullptr);
    CHECK(Manifest::parse(m.serialize()) == m);
}
