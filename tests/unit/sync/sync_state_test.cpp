// The local copy of this machine's current file (src/sync/sync_state.cpp): kept as two raw values,
// still read from the one JSON object ccu wrote before them.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "ccu/store/store.hpp"
#include "ccu/sync/sync_state.hpp"
#include "sync_fixture.hpp"

using namespace ccu;
using namespace ccu::test;

TEST_CASE("sync state: this machine's current file is kept byte for byte, and the earlier JSON form is read",
          "[sync][state]") {
    Sandbox sandbox;
    std::filesystem::create_directories(sandbox.data_dir());
    store::Store store(sandbox.data_dir() / "ccu.db", store::OpenMode::ReadWrite, embedded_costs());
    sync::SyncState state(store, "gist1");
    CHECK_FALSE(state.own_current().has_value());

    const std::string before = "{\n  \"part\": 0,\n  \"records\": [\n    {\"model\":\"a\\\"b\"}\n  ]\n}\n";
    store.set_meta("sync.gist1.own_current", nlohmann::json{{"name", "usage_data_m.json"}, {"content", before}}.dump());
    REQUIRE(state.own_current().has_value());
    CHECK(state.own_current()->first == "usage_data_m.json");
    CHECK(state.own_current()->second == before);

    const std::string after = before + "\t\\u00e9 \xc3\xa9\n";
    state.set_own_current("usage_data_m.json", after);
    REQUIRE(state.own_current().has_value());
    CHECK(state.own_current()->second == after);
    CHECK(store.get_meta("sync.gist1.own_current_content") == after);
    CHECK(store.get_meta("sync.gist1.own_current") == "");  // the earlier copy is not kept twice
    // Another gist's state is its own.
    CHECK_FALSE(sync::SyncState(store, "gist2").own_current().has_value());
}
