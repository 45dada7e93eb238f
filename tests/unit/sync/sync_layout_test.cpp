// The layout of docs/format.md §5-§7 over the REST store: sealing at sync.seal_bytes, time order
// across parts, re-sharding an older ccu's large current file, folding parts near the file budget,
// and never downloading a file this machine wrote and still holds.
#include <catch2/catch.hpp>

#include "ccu/sync/blob_id.hpp"
#include "ccu/sync/data_file.hpp"
#include "ccu/sync/exporter.hpp"
#include "ccu/sync/file_names.hpp"
#include "ccu/sync/manifest.hpp"
#include "sync_fixture.hpp"

using namespace ccu;
using namespace ccu::test;
using nlohmann::json;

namespace {

// This machine's data files in the gist, by part number (current file last), parsed.
std::vector<sync::DataFile> data_files_of(const json& files, const std::string& machine) {
    std::map<int, sync::DataFile> by_part;
    for (const auto& [name, content] : files.items()) {
        const auto info = sync::classify_for_machine(name, machine);
        if (info.role != sync::FileRole::Part && info.role != sync::FileRole::Current) continue;
        auto parsed = sync::parse_data_file(content.get<std::string>(), name);
        REQUIRE(parsed.file);
        by_part[info.role == sync::FileRole::Current ? 1 << 30 : info.part] = *parsed.file;
    }
    std::vector<sync::DataFile> out;
    for (auto& [n, f] : by_part) out.push_back(std::move(f));
    return out;
}

// Records in time order within each file and across parts (part N before part N+1, then current).
bool in_time_order(const std::vector<sync::DataFile>& files) {
    std::string last;
    for (const auto& f : files) {
        for (const auto& r : f.records) {
            if (r.timestamp < last) return false;
            last = r.timestamp;
        }
    }
    return true;
}

std::size_t raw_fetches(FakeFixture& fx) {
    std::size_t n = 0;
    for (const auto& r : fx.requests()) n += r["port"] == fx.fake.raw_port() ? 1 : 0;
    return n;
}

}  // namespace

TEST_CASE("git_blob_id is git's blob id and the one the gist names its files by", "[sync][layout]") {
    CHECK(sync::git_blob_id("") == "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391");
    CHECK(sync::git_blob_id("hello\n") == "ce013625030ba8dba906f756967f9e9ca394464a");
    FakeFixture fx;
    SimMachine a(fx.fake, fx.gist_id, "laptop", fx.clock);
    a.add_records(0, 5);
    a.manager().push(sync::ConflictMode::Detect);
    auto loaded = a.remote->load(std::nullopt);
    REQUIRE(loaded.snapshot);
    const std::string& content = loaded.snapshot->content("usage_data_laptop.json");
    CHECK(loaded.snapshot->content_id("usage_data_laptop.json") == sync::git_blob_id(content));
}

TEST_CASE("the current file is sealed at seal_bytes with records in time order across parts", "[sync][layout]") {
    FakeFixture fx;
    SimMachine a(fx.fake, fx.gist_id, "laptop", fx.clock);
    a.config.seal_bytes = 4096;
    a.add_records(0, 60);
    a.manager().push(sync::ConflictMode::Detect);
    a.add_records(60, 90);
    a.manager().push(sync::ConflictMode::Detect);
    const json files = fx.files();
    std::size_t total = 0;
    for (const auto& [name, content] : files.items()) {
        if (name.rfind("usage_data_laptop", 0) == 0 && name.find("_backup_") == std::string::npos) {
            CHECK(content.get<std::string>().size() <= 4096);
        }
    }
    const auto data = data_files_of(files, "laptop");
    REQUIRE(data.size() >= 3);
    for (const auto& f : data) total += f.records.size();
    CHECK(total == 90);
    CHECK(in_time_order(data));
}

TEST_CASE("with sync.seal_bytes unset, the current file is sealed at 128 KiB over REST and 512 KiB over git",
          "[sync][layout]") {
    FakeFixture fx;
    SimMachine a(fx.fake, fx.gist_id, "laptop", fx.clock);
    REQUIRE_FALSE(a.config.seal_bytes.has_value());
    a.add_records(0, 1200);
    a.manager().push(sync::ConflictMode::Detect);
    const json files = fx.files();
    std::size_t largest = 0, bytes = 0;
    for (const auto& [name, content] : files.items()) {
        const auto role = sync::classify_for_machine(name, "laptop").role;
        if (role == sync::FileRole::Part || role == sync::FileRole::Current) {
            largest = std::max(largest, content.get<std::string>().size());
            bytes += content.get<std::string>().size();
        }
    }
    REQUIRE(bytes > 256 * 1024);  // more than two REST parts, less than one git current file
    const auto data = data_files_of(files, "laptop");
    if (a.remote->transport() == sync::Transport::Git) {
        CHECK(data.size() == 1);  // all of it in the current file
        CHECK(largest <= sync::kGitSealBytes);
    } else {
        CHECK(data.size() >= 3);
        CHECK(largest <= sync::kRestSealBytes);
    }
    std::size_t total = 0;
    for (const auto& f : data) total += f.records.size();
    CHECK(total == 1200);
}

TEST_CASE("an older ccu's large current file is re-sharded on the next push", "[sync][layout]") {
    FakeFixture fx;
    SimMachine old(fx.fake, fx.gist_id, "laptop", fx.clock);
    old.config.seal_bytes = 4 * 1024 * 1024;  // what ccu wrote before sync.seal_bytes
    old.add_records(0, 80);
    old.manager().push(sync::ConflictMode::Detect);
    REQUIRE(fx.files()["usage_data_laptop.json"].get<std::string>().size() > 16 * 1024);
    REQUIRE(data_files_of(fx.files(), "laptop").size() == 1);
    old.config.seal_bytes = 8192;  // the same machine after the upgrade
    old.add_records(80, 85);
    old.manager().push(sync::ConflictMode::Detect);
    const json files = fx.files();
    CHECK(files["usage_data_laptop.json"].get<std::string>().size() <= 8192);
    const auto data = data_files_of(files, "laptop");
    CHECK(data.size() > 2);
    std::size_t total = 0;
    for (const auto& f : data) total += f.records.size();
    CHECK(total == 85);
    CHECK(in_time_order(data));
}

TEST_CASE("near the file budget parts are folded, nothing is lost and the count drops below 250", "[sync][layout]") {
    FakeFixture fx;
    json filler = json::object();
    for (int i = 0; i < 230; ++i) filler["notes_" + std::to_string(i) + ".txt"] = "note " + std::to_string(i);
    fx.gist_id = fx.fake.seed_gist({{"owner", "alice"}, {"description", "busy"}, {"public", false}, {"files", filler}});
    SimMachine a(fx.fake, fx.gist_id, "laptop", fx.clock);
    a.config.seal_bytes = 2048;
    a.config.max_file_bytes = 16 * 1024;
    a.add_records(0, 60);
    a.manager().push(sync::ConflictMode::Detect);  // ~12 small parts: they fit the 17 files left
    // Another writer then fills the gist (docs/format.md §5: ccu's own push would have sealed
    // larger parts had these been there).
    gist::GistPatch more;
    for (int i = 230; i < 240; ++i) more["notes_" + std::to_string(i) + ".txt"] = gist::FileChange::write("note");
    a.api->patch_gist(fx.gist_id, more);
    const std::size_t before = fx.files().size();
    REQUIRE(before >= 250);  // 240 notes + manifest + current + many small parts
    a.add_records(60, 65);
    a.manager().push(sync::ConflictMode::Detect);
    const json files = fx.files();
    CHECK(files.size() < 250);
    for (const auto& [name, content] : files.items()) CHECK(content.get<std::string>().size() <= 16 * 1024);
    const auto data = data_files_of(files, "laptop");
    CHECK(in_time_order(data));
    const auto manifest = sync::Manifest::parse(files["manifest.json"].get<std::string>());
    for (const auto& f : manifest.find("laptop")->data_files) CHECK(files.contains(f));
    SimMachine reader(fx.fake, fx.gist_id, "reader", fx.clock);
    reader.manager().pull();
    CHECK(reader.store->count(std::string("laptop")) == 65);
}

TEST_CASE("a machine never downloads the files it wrote and still holds", "[sync][layout][rest]") {
    FakeFixture fx;
    SimMachine a(fx.fake, fx.gist_id, "laptop", fx.clock);
    a.add_records(0, 30);
    auto m = a.manager();
    m.push(sync::ConflictMode::Detect);
    // Inline content cut at 64 bytes: every file would have to come through raw_url.
    fx.fake.configure({{"truncate_bytes", 64}});
    fx.fake.control("DELETE", "/_fake/requests");
    const auto pulled = m.pull();
    CHECK(pulled.files_fetched == 0);
    CHECK(pulled.files_skipped_unchanged == 1);
    fx.fake.control("DELETE", "/_fake/requests");
    a.add_records(30, 35);
    m.push(sync::ConflictMode::Detect);
    // Only manifest.json came through raw_url: the current file was merged into the local copy.
    CHECK(raw_fetches(fx) == 1);
    fx.fake.configure({{"truncate_bytes", 1024 * 1024}});
    const auto parsed = sync::parse_data_file(fx.files()["usage_data_laptop.json"].get<std::string>(), "usage_data_laptop.json");
    REQUIRE(parsed.file);
    CHECK(parsed.file->records.size() == 35);
}
