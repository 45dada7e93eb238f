#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "ccu/common/error.hpp"
#include "ccu/sync/file_names.hpp"
#include "ccu/sync/manifest.hpp"

using namespace ccu::sync;
using nlohmann::json;

namespace {

// As the origin Python tool writes it: +00:00 with microseconds, '_' in a machine name, chunked
// files only in data_files, a null last_record_date, retention 0, no ccu fields.
constexpr const char* kOriginManifest = R"({
  "version": "1.0",
  "last_updated": "2025-11-20T10:00:00.123456+00:00",
  "machines": [
    {
      "machine_name": "my_laptop",
      "last_sync": "2025-11-20T10:00:00.123456+00:00",
      "last_record_date": "2025-11-20",
      "total_records": 1200,
      "current_file": "usage_data_my_laptop_2024.json",
      "backups": ["usage_data_my_laptop_2024_backup_20251101.json"],
      "data_files": ["usage_data_my_laptop_2025_01.json", "usage_data_my_laptop_2024.json"]
    },
    {
      "machine_name": "Home PC",
      "last_sync": "2025-11-19T08:00:00+00:00",
      "last_record_date": null,
      "total_records": 0,
      "current_file": "usage_data_Home PC.json",
      "backups": []
    }
  ],
  "backup_retention_days": 0
})";

std::string with(const std::string& pointer, const json& value) {
    json j = json::parse(kOriginManifest);
    j[json::json_pointer(pointer)] = value;
    return j.dump();
}

std::string without(const std::string& pointer) {
    json j = json::parse(kOriginManifest);
    const json::json_pointer p(pointer);
    j[p.parent_pointer()].erase(p.back());
    return j.dump();
}

void require_invalid(const std::string& text, const std::string& fragment) {
    INFO(text);
    try {
        Manifest::parse(text);
        FAIL("parse accepted an invalid manifest");
    } catch (const ccu::Error& e) {
        CHECK(e.kind() == ccu::ErrorKind::InvalidRemote);
        CHECK_THAT(e.what(), Catch::Contains(fragment));
        CHECK_FALSE(e.hint().empty());
    }
}

}  // namespace

TEST_CASE("manifest: reads the origin tool's manifest", "[manifest]") {
    const Manifest m = Manifest::parse(kOriginManifest);
    CHECK(m.version() == "1.0");
    CHECK(m.backup_retention_days() == 0);
    REQUIRE(m.machines().size() == 2);
    CHECK(m.machines()[0].machine_name == "Home PC");  // kept sorted by name
    const MachineEntry* laptop = m.find("my_laptop");
    REQUIRE(laptop);
    CHECK(laptop->last_sync == "2025-11-20T10:00:00.123456+00:00");  // spelling kept
    CHECK(laptop->total_records == 1200);
    CHECK(laptop->data_files ==
          std::vector<std::string>{"usage_data_my_laptop_2024.json", "usage_data_my_laptop_2025_01.json"});
    CHECK_FALSE(m.find("Home PC")->last_record_date.has_value());
    CHECK(m.find("nobody") == nullptr);
    CHECK(m.is_newer_than("2025-11-20T09:59:59Z"));
    CHECK_FALSE(m.is_newer_than("2025-11-20T10:00:00.123Z"));  // same instant at ms precision
    CHECK_FALSE(m.is_newer_than("not a time"));
}

TEST_CASE("manifest: default retention and round trip", "[manifest]") {
    const Manifest m = Manifest::parse(without("/backup_retention_days"));
    CHECK(m.backup_retention_days() == 30);
    const std::string text = m.serialize();
    CHECK(text.substr(0, 4) == "{\n  ");  // pretty, 2 spaces
    CHECK(text.back() == '\n');
    CHECK(Manifest::parse(text) == m);
    CHECK(Manifest::parse(text).serialize() == text);
}

TEST_CASE("manifest: invalid manifests are errors, never empty", "[manifest]") {
    require_invalid("", "empty");
    require_invalid("   \n", "empty");
    require_invalid("{\"version\": \"1.0\",", "not valid JSON");
    require_invalid("[]", "not a JSON object");
    require_invalid(without("/version"), "'version'");
    require_invalid(without("/last_updated"), "'last_updated'");
    require_invalid(without("/machines"), "'machines'");
    require_invalid(with("/machines", json::object()), "not an array");
    require_invalid(with("/last_updated", "yesterday"), "RFC 3339");
    require_invalid(with("/backup_retention_days", -1), "backup_retention_days");
    require_invalid(with("/backup_retention_days", "30"), "backup_retention_days");
    require_invalid(with("/machines/0", "x"), "machines[0]");
    for (const char* field : {"machine_name", "last_sync", "last_record_date", "total_records", "current_file",
                              "backups"}) {
        require_invalid(without(std::string("/machines/0/") + field), field);
    }
    require_invalid(with("/machines/0/machine_name", ""), "empty machine_name");
    require_invalid(with("/machines/0/last_sync", 12), "last_sync");
    require_invalid(with("/machines/0/last_sync", "2025-11-20 10:00"), "last_sync");
    require_invalid(with("/machines/0/last_record_date", "2025-13-01"), "last_record_date");
    require_invalid(with("/machines/0/total_records", -3), "total_records");
    require_invalid(with("/machines/0/total_records", 1.5), "total_records");
    require_invalid(with("/machines/0/total_records", "12"), "total_records");
    require_invalid(with("/machines/0/current_file", "../../etc/passwd"), "current_file");
    require_invalid(with("/machines/0/backups", "x.json"), "backups");
    require_invalid(with("/machines/0/backups", json::array({1})), "backups");
    require_invalid(with("/machines/0/data_files", json::array({"a/b.json"})), "data_files");
    require_invalid(with("/machines/0/machine_id", 7), "machine_id");
    require_invalid(with("/machines/0/tool", false), "tool");
    try {
        Manifest::parse(with("/version", "2.0"));
        FAIL("a newer major version was accepted");
    } catch (const ccu::Error& e) {
        CHECK(e.kind() == ccu::ErrorKind::InvalidRemote);
        CHECK_THAT(e.hint(), Catch::Contains("Upgrade"));
    }
}

TEST_CASE("manifest: lenient where the origin tool is", "[manifest]") {
    CHECK(Manifest::parse(with("/machines/0/total_records", 12.0)).find("my_laptop")->total_records == 12);
    CHECK(Manifest::parse(with("/machines/0/data_files", nullptr)).find("my_laptop")->data_files.empty());
    CHECK(Manifest::parse(with("/version", "1.1")).version() == "1.1");
    CHECK(Manifest::parse(with("/last_updated", "2025-11-20T10:00:00Z")).get_last_updated() ==
          "2025-11-20T10:00:00Z");
}

TEST_CASE("manifest: unknown fields survive read-modify-write at every level", "[manifest]") {
    json j = json::parse(kOriginManifest);
    j["owner_note"] = {{"nested", json::array({1, 2})}};
    j["machines"][0]["os"] = "linux";
    j["machines"][0]["stats"] = {{"x", 1.5}};
    Manifest m = Manifest::parse(j.dump());

    MachineEntry laptop = *m.find("my_laptop");
    laptop.total_records += 5;
    laptop.last_sync = "2025-11-21T00:00:00.000Z";
    m.upsert(laptop);
    m.set_last_updated("2025-11-21T00:00:00.000Z");

    const json out = json::parse(m.serialize());
    CHECK(out["owner_note"] == j["owner_note"]);
    const json& entry = out["machines"][1];
    REQUIRE(entry["machine_name"] == "my_laptop");
    CHECK(entry["os"] == "linux");
    CHECK(entry["stats"] == j["machines"][0]["stats"]);
    CHECK(entry["total_records"] == 1205);
    CHECK(entry["data_files"].size() == 2);
    CHECK(out["backup_retention_days"] == 0);
}

TEST_CASE("manifest: additive ccu fields", "[manifest]") {
    Manifest m = Manifest::make_empty("2025-01-01T00:00:00.000Z");
    CHECK(m.machines().empty());
    CHECK(m.backup_retention_days() == 30);
    MachineEntry e = placeholder_entry("laptop");
    e.last_sync = "2025-01-01T00:00:00.000Z";
    e.machine_id = "0b8f3c1e-8a6f-4f4e-9d37-2f1c2c3d4e5f";
    e.tool = "ccu 0.1.0";
    e.data_files = {part_file_name("laptop", 2), current_file_name("laptop"), part_file_name("laptop", 1)};
    m.upsert(e);
    const json out = json::parse(m.serialize());
    CHECK(out["machines"][0]["machine_id"] == *e.machine_id);
    CHECK(out["machines"][0]["tool"] == "ccu 0.1.0");
    CHECK(out["machines"][0]["last_record_date"].is_null());
    // Canonical order: current first, then parts ascending (the origin tool reads data_files).
    CHECK(out["machines"][0]["data_files"] == json::array({"usage_data_laptop.json",
                                                            "usage_data_laptop_part_0001.json",
                                                            "usage_data_laptop_part_0002.json"}));
    CHECK(Manifest::parse(m.serialize()) == m);
    CHECK(m.remove("laptop"));
    CHECK_FALSE(m.remove("laptop"));
}

TEST_CASE("manifest: duplicate machine entries are merged by the join rule", "[manifest]") {
    json j = json::parse(kOriginManifest);
    json older = j["machines"][0];
    older["last_sync"] = "2025-01-01T00:00:00Z";
    older["total_records"] = 5;
    older["backups"] = json::array({"usage_data_my_laptop_backup_20250101.json"});
    j["machines"].push_back(older);
    const Manifest m = Manifest::parse(j.dump());
    REQUIRE(m.machines().size() == 2);
    const MachineEntry* e = m.find("my_laptop");
    CHECK(e->total_records == 1200);
    CHECK(e->backups.size() == 2);
}
