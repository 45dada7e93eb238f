// Moving from the origin Python tool (issue 12): every path of its data into ccu counts each
// response once. Origin-format fixtures come from tests/support/origin_tool.hpp (one row per
// streamed line, dropped cache-creation counts, prompt rows, +00:00 times, chunked names).
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <algorithm>
#include <cmath>
#include <set>

#include "support/origin_tool.hpp"
#include "sync_e2e_fixture.hpp"

using namespace ccu;
using namespace ccu::test;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

ClaudeTreeSpec origin_spec() {
    ClaudeTreeSpec spec;
    spec.total_bytes = 8 * 1024 * 1024;
    spec.projects = 3;
    spec.sessions_per_project = 4;
    spec.seed = 0x0C1D7001ULL;
    spec.days = 60;
    return spec;
}

// The origin machine: a Claude tree, the origin tool's DB made from it, and the truth.
struct OriginMachine {
    explicit OriginMachine(const std::string& name) : machine(name) {
        truth = generate_claude_tree(box.projects_dir(), origin_spec()).sum().total();
        db_stats = write_origin_db_from_tree(box.projects_dir(), db_file(), machine);
    }
    fs::path db_file() const { return box.claude_dir() / "usage" / ("usage_history_" + machine + ".db"); }
    // `m` runs ccu on this machine: its home and Claude dir (logs, the origin's DB).
    void install_ccu(E2eMachine& m) const {
        m.sandbox.set("HOME", box.home().string());
        m.sandbox.set("CLAUDE_CONFIG_DIR", box.claude_dir().string());
    }
    Sandbox box;
    std::string machine;
    std::int64_t truth = 0;
    OriginDbStats db_stats;
};

std::int64_t total_of(const json& report) {
    std::int64_t sum = 0;
    for (const auto& [day, tokens] : daily_tokens(report)) sum += tokens;
    return sum;
}

std::set<std::string> models_of(const json& report) {
    std::set<std::string> models;
    for (const auto& row : report.at("daily")) {
        for (const auto& m : row.at("modelsUsed")) models.insert(m.get<std::string>());
        for (const auto& b : row.at("modelBreakdowns")) models.insert(b.at("modelName").get<std::string>());
    }
    return models;
}

double deviation(std::int64_t got, std::int64_t truth) {
    return std::fabs(static_cast<double>(got - truth)) / static_cast<double>(truth);
}

std::size_t occurrences(const std::string& text, const std::string& needle) {
    std::size_t n = 0;
    for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
    return n;
}

// A gist as the origin tool leaves it: its manifest and `origin`'s files.
std::string seed_origin_gist(E2eGist& g, const OriginGist& origin) {
    json files = {{"manifest.json", origin_manifest({origin.entry})}};
    for (const auto& [name, content] : origin.files) files[name] = content;
    return g.fake.seed_gist({{"owner", "alice"},
                             {"description", "Claude Code Usage Analytics - Data Backup"},
                             {"public", false},
                             {"files", files}});
}

struct StatSnapshot {
    std::string bytes;
    std::int64_t mtime_ns = 0, ctime_ns = 0;
    friend bool operator==(const StatSnapshot&, const StatSnapshot&) = default;
};
StatSnapshot snapshot(const fs::path& file) {
    struct stat st {};
    ::stat(file.c_str(), &st);
    return {read_file(file), st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec,
            st.st_ctim.tv_sec * 1000000000LL + st.st_ctim.tv_nsec};
}

}  // namespace

TEST_CASE("the origin tool's chunked gist pulled alone is within 2 percent of the truth without prompt rows",
          "[e2e][origin]") {
    OriginMachine old("old_pc");
    const OriginGist origin = export_origin_gist(old.db_file(), "old_pc", OriginChunking::Monthly, 400);
    REQUIRE(std::any_of(origin.files.begin(), origin.files.end(),
                        [](const auto& f) { return f.first.find("_p2.json") != std::string::npos; }));
    E2eGist g;
    g.gist_id = seed_origin_gist(g, origin);
    E2eMachine viewer(g.fake, g.gist_id, "viewer");
    const ProcessResult pull = viewer.ccu({"gist", "pull"});
    INFO(pull.out << pull.err);
    REQUIRE(pull.exit_code == 0);
    CHECK(pull.err.find("warning") == std::string::npos);
    const json report = viewer.json_of({"report", "daily", "--all-machines"});
    const std::int64_t got = total_of(report);
    WARN("origin gist alone: truth " << old.truth << ", origin's own total " << old.db_stats.total_tokens
                                     << ", ccu " << got << " (" << 100.0 * deviation(got, old.truth) << " %)");
    CHECK(deviation(got, old.truth) <= 0.02);
    CHECK(old.db_stats.prompt_rows > 0);
    CHECK_FALSE(models_of(report).count(""));
}

TEST_CASE("the origin DB alone is within 2 percent of the truth and is left byte for byte unchanged",
          "[e2e][origin]") {
    OriginMachine old("OLD");
    fs::remove_all(old.box.projects_dir());  // the logs are gone, only the origin's DB is left
    fs::create_directories(old.box.projects_dir());
    const StatSnapshot before = snapshot(old.db_file());
    std::set<std::string> names_before;
    for (const auto& e : fs::directory_iterator(old.db_file().parent_path())) names_before.insert(e.path().filename());
    E2eGist g;
    E2eMachine m(g.fake, g.gist_id, "OLD");
    old.install_ccu(m);
    const json report = m.json_of({"report", "daily"});
    const std::int64_t got = total_of(report);
    WARN("origin DB alone: truth " << old.truth << ", origin's own total " << old.db_stats.total_tokens << ", ccu "
                                   << got << " (" << 100.0 * deviation(got, old.truth) << " %)");
    CHECK(deviation(got, old.truth) <= 0.02);
    CHECK_FALSE(models_of(report).count(""));
    CHECK(snapshot(old.db_file()) == before);
    std::set<std::string> names_after;
    for (const auto& e : fs::directory_iterator(old.db_file().parent_path())) names_after.insert(e.path().filename());
    CHECK(names_after == names_before);  // no -wal, -shm or -journal appeared
}

TEST_CASE("logs and the origin DB in place give exactly the truth", "[e2e][origin]") {
    OriginMachine old("OLD");
    E2eGist g;
    E2eMachine m(g.fake, g.gist_id, "OLD");
    old.install_ccu(m);
    const json report = m.json_of({"report", "daily"});
    const std::int64_t got = total_of(report);
    WARN("logs + DB: truth " << old.truth << ", origin's own total " << old.db_stats.total_tokens << ", ccu " << got);
    CHECK(got == old.truth);
    CHECK_FALSE(models_of(report).count(""));
}

TEST_CASE("adopting the origin's entry re-writes its file once and a fresh machine pulls exactly the truth",
          "[e2e][origin]") {
    OriginMachine old("OLD");
    const OriginGist origin = export_origin_gist(old.db_file(), "OLD", OriginChunking::Single);
    E2eGist g;
    g.gist_id = seed_origin_gist(g, origin);
    E2eMachine m(g.fake, g.gist_id, "OLD");
    old.install_ccu(m);
    const ProcessResult push = m.ccu({"gist", "push"});
    INFO(push.out << push.err);
    REQUIRE(push.exit_code == 0);
    CHECK(occurrences(push.out + push.err, "Adopting OLD") == 1);

    const json files = g.fake.state()["gists"][g.gist_id]["files"];
    const json manifest = json::parse(files["manifest.json"].get<std::string>());
    const json& entry = manifest["machines"][0];
    CHECK(entry["generation"] == 1);
    REQUIRE(entry["backups"].size() == 1);
    const std::string backup = entry["backups"][0].get<std::string>();
    CHECK(files[backup].get<std::string>() == origin.files.at("usage_data_OLD.json"));
    const json current = json::parse(files["usage_data_OLD.json"].get<std::string>());
    CHECK(current["generation"] == 1);
    // The current file and the parts sealed from it, all of generation 1, hold exactly the truth.
    std::int64_t written = 0;
    for (const auto& name : entry["data_files"]) {
        const json file = json::parse(files[name.get<std::string>()].get<std::string>());
        CHECK(file["generation"] == 1);
        written += file["statistics"]["total_tokens"].get<std::int64_t>();
    }
    CHECK(written == old.truth);

    E2eMachine fresh(g.fake, g.gist_id, "fresh");
    REQUIRE(fresh.ccu({"gist", "pull"}).exit_code == 0);
    const json report = fresh.json_of({"report", "daily", "--machine", "OLD"});
    const std::int64_t got = total_of(report);
    WARN("push then a fresh machine pulls: truth " << old.truth << ", ccu " << got);
    CHECK(got == old.truth);
    // A second push has nothing to adopt.
    const ProcessResult again = m.ccu({"gist", "push"});
    CHECK(again.exit_code == 0);
    CHECK(occurrences(again.out + again.err, "Adopting") == 0);
}

namespace {

// desk (ccu already) pulled the origin's files; OLD installs ccu in place and syncs (adoption);
// desk heals on its next pull and a fresh machine agrees. Every machine uses `transport`.
void three_machines_converge(const std::string& transport) {
    OriginMachine old("OLD");
    const OriginGist origin = export_origin_gist(old.db_file(), "OLD", OriginChunking::Monthly, 400);
    E2eGist g;
    g.gist_id = seed_origin_gist(g, origin);

    // desk uses ccu already and pulled the origin's one-row-per-line files before the adoption.
    E2eMachine desk(g.fake, g.gist_id, "desk", make_uuid_v4(), transport);
    desk.generate(0x5EED0D35CULL);
    REQUIRE(desk.ccu({"gist", "push"}).exit_code == 0);
    REQUIRE(desk.ccu({"gist", "pull"}).exit_code == 0);
    const std::int64_t desk_truth = total_of(desk.json_of({"report", "daily"}));
    const std::int64_t before = total_of(desk.json_of({"report", "daily", "--machine", "OLD"}));
    CHECK(deviation(before, old.truth) <= 0.02);
    REQUIRE(before != old.truth);  // so that healing below is visible

    // OLD installs ccu in place (logs + the origin's DB) and syncs: pull, then the adopting push.
    E2eMachine oldccu(g.fake, g.gist_id, "OLD", make_uuid_v4(), transport);
    old.install_ccu(oldccu);
    const ProcessResult sync = oldccu.ccu({"gist", "sync"});
    INFO(sync.out << sync.err);
    REQUIRE(sync.exit_code == 0);
    CHECK(occurrences(sync.out + sync.err, "Adopting OLD") == 1);

    // desk heals on its next pull; a fresh machine gets the same figures.
    const ProcessResult heal = desk.ccu({"gist", "pull"});
    INFO(heal.out << heal.err);
    REQUIRE(heal.exit_code == 0);
    CHECK(total_of(desk.json_of({"report", "daily", "--machine", "OLD"})) == old.truth);
    E2eMachine fresh(g.fake, g.gist_id, "fresh", make_uuid_v4(), transport);
    REQUIRE(fresh.ccu({"gist", "pull"}).exit_code == 0);
    REQUIRE(oldccu.ccu({"gist", "pull"}).exit_code == 0);

    const auto expected = daily_tokens(oldccu.json_of({"report", "daily", "--all-machines"}));
    std::int64_t expected_total = 0;
    for (const auto& [day, tokens] : expected) expected_total += tokens;
    CHECK(expected_total == old.truth + desk_truth);
    CHECK(daily_tokens(desk.json_of({"report", "daily", "--all-machines"})) == expected);
    CHECK(daily_tokens(fresh.json_of({"report", "daily", "--all-machines"})) == expected);

    // The origin's chunks stay in the gist and listed (never deleted), superseded by generation 1.
    const json files = g.fake.state()["gists"][g.gist_id]["files"];
    const json manifest = json::parse(files["manifest.json"].get<std::string>());
    for (const auto& [name, content] : origin.files) {
        CHECK(files.contains(name));
        if (files.contains(name)) CHECK(files[name].get<std::string>() == content);
    }
    for (const auto& entry : manifest["machines"]) {
        if (entry["machine_name"] == "OLD") CHECK(entry["generation"] == 1);
    }
}

}  // namespace

TEST_CASE("three machines converge after one of them adopts the origin tool's entry over git", "[e2e][origin]") {
    three_machines_converge("git");
}

TEST_CASE("three machines converge after one of them adopts the origin tool's entry over REST", "[e2e][origin]") {
    three_machines_converge("rest");
}
