// Sync over the gist's git repository (sync::GitRemoteStore) against the fake's git host: the
// same push/pull as REST, the compare-and-swap under real races, the two transports reading each
// other's writes, and the auto transport's fallback.
#include <catch2/catch.hpp>

#include <algorithm>
#include <functional>
#include <map>
#include <set>
#include <thread>

#include "ccu/gist/errors.hpp"
#include "ccu/sync/conflict_error.hpp"
#include "ccu/sync/data_file.hpp"
#include "ccu/sync/fallback_remote_store.hpp"
#include "ccu/sync/file_names.hpp"
#include "ccu/sync/git_remote_store.hpp"
#include "ccu/sync/manifest.hpp"
#include "sync_fixture.hpp"

using namespace ccu;
using namespace ccu::test;

namespace {

git::MirrorOptions git_options(FakeGistServer& fake, const std::string& gist_id, SimMachine& m) {
    git::MirrorOptions o;
    o.dir = sync::git_mirror_dir(m.paths.data_dir, gist_id);
    o.url = fake.git_url(gist_id);
    o.token = [] { return kToken; };
    o.identity = {m.config.machine_name, m.config.machine_name + "@ccu.invalid"};
    o.clock = &m.clock;
    o.retry.max_attempts = 2;
    return o;
}

void use_git(FakeFixture& fx, SimMachine& m) {
    m.remote = std::make_unique<sync::GitRemoteStore>(git_options(fx.fake, fx.gist_id, m));
}

std::size_t rest_writes(FakeFixture& fx) {
    std::size_t n = 0;
    for (const auto& r : fx.fake.requests()) {
        n += r["port"] == fx.fake.api_port() && (r["method"] == "PATCH" || r["method"] == "POST") ? 1 : 0;
    }
    return n;
}

std::int64_t records_of(SimMachine& m, const std::string& machine) {
    std::int64_t n = 0;
    for (const auto& r : m.store->query({})) n += r.machine_name == machine ? 1 : 0;
    return n;
}

// The whole traffic of a push with nothing new: one anonymous GET of the ref advertisement on the
// git host (no upload-pack, so none of the others' records), at most 4 KB both ways.
void check_one_anonymous_ref_advertisement(FakeFixture& fx) {
    const auto requests = fx.fake.requests();
    REQUIRE(requests.size() == 1);
    const auto& r = requests[0];
    CHECK(r["port"] == fx.fake.git_port());
    CHECK(r["method"] == "GET");
    CHECK(r["status"] == 200);
    CHECK_FALSE(r["headers"].contains("authorization"));
    CHECK(r.value("bytes_sent", 0ULL) + r.value("bytes_received", 0ULL) <= 4096);
}

}  // namespace

TEST_CASE("git store: a push over git is read by a pull over git, with no REST write", "[sync][git]") {
    FakeFixture fx;
    SimMachine a(fx.fake, fx.gist_id, "laptop", fx.clock);
    SimMachine b(fx.fake, fx.gist_id, "desktop", fx.clock);
    use_git(fx, a);
    use_git(fx, b);
    a.add_records(0, 40);
    fx.fake.control("DELETE", "/_fake/requests");
    const sync::PushResult pushed = a.manager().push(sync::ConflictMode::Detect);
    CHECK(pushed.new_records == 40);
    CHECK(rest_writes(fx) == 0);
    CHECK(sync::Manifest::parse(fx.files()["manifest.json"].get<std::string>()).machines().size() == 1);
    const sync::PullResult pulled = b.manager().pull();
    CHECK(pulled.records_new == 40);
    CHECK(records_of(b, "laptop") == 40);
    SECTION("a second push with nothing new writes nothing") {
        const std::string head = fx.fake.state()["gists"][fx.gist_id]["history"][0]["version"];
        const sync::PushResult again = a.manager().push(sync::ConflictMode::Detect);
        CHECK(again.nothing_to_do);
        CHECK(fx.fake.state()["gists"][fx.gist_id]["history"][0]["version"] == head);
    }
}

TEST_CASE("git store: a gist written over one transport is read over the other", "[sync][git]") {
    FakeFixture fx;
    SimMachine rest(fx.fake, fx.gist_id, "laptop", fx.clock);
    SimMachine git(fx.fake, fx.gist_id, "desktop", fx.clock);
    use_git(fx, git);
    rest.add_records(0, 25);
    rest.manager().push(sync::ConflictMode::Detect);
    CHECK(git.manager().pull().records_new == 25);
    git.add_records(100, 130);
    fx.clock.advance(std::chrono::minutes(5));
    git.manager().push(sync::ConflictMode::Detect);
    CHECK(rest.manager().pull().records_new == 30);
    CHECK(records_of(rest, "desktop") == 30);
    const auto manifest = sync::Manifest::parse(fx.files()["manifest.json"].get<std::string>());
    CHECK(manifest.machines().size() == 2);
}

TEST_CASE("git store: a push that loses the race inside the server re-merges and lands", "[sync][git]") {
    FakeFixture fx;
    SimMachine a(fx.fake, fx.gist_id, "laptop", fx.clock);
    ManualClock rival_clock(day(0) + std::chrono::seconds(1));
    SimMachine b(fx.fake, fx.gist_id, "desktop", rival_clock);
    use_git(fx, a);
    use_git(fx, b);
    a.add_records(0, 20);
    b.add_records(200, 230);
    fx.fake.hold("receive-pack", 1, fx.gist_id);
    sync::PushResult held;
    std::thread pusher([&] { held = a.manager().push(sync::ConflictMode::Detect); });
    const bool is_held = fx.fake.wait_held(1);
    b.manager().push(sync::ConflictMode::Detect);  // lands while A's push waits
    fx.fake.release();
    pusher.join();
    REQUIRE(is_held);
    CHECK(held.conflicts_resolved == 1);
    const auto manifest = sync::Manifest::parse(fx.files()["manifest.json"].get<std::string>());
    REQUIRE(manifest.machines().size() == 2);
    SimMachine c(fx.fake, fx.gist_id, "server", fx.clock);
    use_git(fx, c);
    c.manager().pull();
    CHECK(records_of(c, "laptop") == 20);
    CHECK(records_of(c, "desktop") == 30);
}

TEST_CASE("git store: three genuine conflicts in a row end in ConflictError, nothing overwritten", "[sync][git]") {
    FakeFixture fx;
    SimMachine a(fx.fake, fx.gist_id, "laptop", fx.clock);
    ManualClock rival_clock(day(0));
    SimMachine b(fx.fake, fx.gist_id, "desktop", rival_clock);
    use_git(fx, a);
    use_git(fx, b);
    int next = 500;
    RacingStore racing(*a.remote, [&] {
        b.add_records(next, next + 3);
        next += 3;
        rival_clock.advance(std::chrono::minutes(1));
        b.manager().push(sync::ConflictMode::Detect);
    }, 4);
    a.add_records(0, 10);
    CHECK_THROWS_AS(a.manager_over(racing).push(sync::ConflictMode::Detect), sync::ConflictError);
    const auto manifest = sync::Manifest::parse(fx.files()["manifest.json"].get<std::string>());
    REQUIRE(manifest.machines().size() == 1);
    CHECK(manifest.machines()[0].machine_name == "desktop");
    CHECK(manifest.machines()[0].total_records == 12);  // every rival push kept
}

TEST_CASE("git store: auto falls back to REST with one warning when the git endpoint refuses the token",
          "[sync][git]") {
    FakeFixture fx;
    SimMachine a(fx.fake, fx.gist_id, "laptop", fx.clock);
    // The git host answers 401 even to the right token; the API accepts it.
    fx.fake.add_fault({{"method", "*"}, {"path_regex", "info/refs"}, {"times", 100}, {"action", "status"},
                       {"status", 401}, {"headers", {{"WWW-Authenticate", "Basic realm=\"GitHub\""}}}, {"port", "git"}});
    std::vector<std::string> warnings;
    int git_made = 0;
    sync::FallbackRemoteStore store(
        [&] {
            ++git_made;
            return std::make_unique<sync::GitRemoteStore>(git_options(fx.fake, fx.gist_id, a));
        },
        [&] { return std::make_unique<sync::RestRemoteStore>(*a.api, a.clock, fx.gist_id, a.etags.get()); },
        [&](const std::string& why) { warnings.push_back(why); });
    CHECK(store.transport() == sync::Transport::Git);
    a.add_records(0, 15);
    const sync::PushResult pushed = a.manager_over(store).push(sync::ConflictMode::Detect);
    CHECK(pushed.new_records == 15);
    CHECK(store.transport() == sync::Transport::Rest);
    REQUIRE(warnings.size() == 1);
    CHECK(warnings[0].find("git endpoint refused the token") != std::string::npos);
    CHECK(warnings[0].find(kToken) == std::string::npos);
    a.add_records(15, 20);
    a.manager_over(store).push(sync::ConflictMode::Detect);
    CHECK(warnings.size() == 1);
    CHECK(git_made == 1);
    SECTION("with git accepted, auto stays on git and warns nothing") {
        fx.fake.control("DELETE", "/_fake/faults");
        SimMachine b(fx.fake, fx.gist_id, "desktop", fx.clock);
        std::vector<std::string> none;
        sync::FallbackRemoteStore fine(
            [&] { return std::make_unique<sync::GitRemoteStore>(git_options(fx.fake, fx.gist_id, b)); },
            [&] { return std::make_unique<sync::RestRemoteStore>(*b.api, b.clock, fx.gist_id, b.etags.get()); },
            [&](const std::string& why) { none.push_back(why); });
        CHECK(b.manager_over(fine).pull().records_new == 20);
        CHECK(fine.transport() == sync::Transport::Git);
        CHECK(none.empty());
    }
}

TEST_CASE("git store: auto falls back to REST when only the git push is refused (anonymous fetch, no conflict banner)",
          "[sync][git]") {
    FakeFixture fx;
    SimMachine a(fx.fake, fx.gist_id, "laptop", fx.clock);
    // The fetch goes through without credentials, as on GitHub; the push is refused with a 401.
    fx.fake.add_fault({{"method", "POST"}, {"path_regex", "git-receive-pack$"}, {"times", 100}, {"action", "status"},
                       {"status", 401}, {"headers", {{"WWW-Authenticate", "Basic realm=\"GitHub\""}}}, {"port", "git"}});
    std::vector<std::string> warnings;
    sync::FallbackRemoteStore store(
        [&] { return std::make_unique<sync::GitRemoteStore>(git_options(fx.fake, fx.gist_id, a)); },
        [&] { return std::make_unique<sync::RestRemoteStore>(*a.api, a.clock, fx.gist_id, a.etags.get()); },
        [&](const std::string& why) { warnings.push_back(why); });
    a.add_records(0, 15);
    const sync::PushResult pushed = a.manager_over(store).push(sync::ConflictMode::Detect);
    CHECK(pushed.new_records == 15);
    CHECK(pushed.conflicts_resolved == 0);
    CHECK(store.transport() == sync::Transport::Rest);
    REQUIRE(warnings.size() == 1);
    CHECK(warnings[0].find("git endpoint refused the token") != std::string::npos);
    CHECK_FALSE(a.sink.said("Conflict"));
    CHECK(a.clock.total_slept().count() == 0);  // no conflict backoff
    CHECK(sync::Manifest::parse(fx.files()["manifest.json"].get<std::string>()).machines().at(0).total_records == 15);
}

TEST_CASE("git store: a push with nothing new is one anonymous request of at most 4 KB", "[sync][git]") {
    FakeFixture fx;
    SimMachine a(fx.fake, fx.gist_id, "laptop", fx.clock);
    use_git(fx, a);
    a.add_records(0, 40);
    a.manager().push(sync::ConflictMode::Detect);
    fx.fake.control("DELETE", "/_fake/requests");
    const sync::PushResult noop = a.manager().push(sync::ConflictMode::Detect);
    CHECK(noop.nothing_to_do);
    check_one_anonymous_ref_advertisement(fx);
}

TEST_CASE("git store: a push with nothing new after another machine wrote is one anonymous request of at most 4 KB",
          "[sync][git]") {
    FakeFixture fx;
    SimMachine a(fx.fake, fx.gist_id, "laptop", fx.clock);
    SimMachine b(fx.fake, fx.gist_id, "desktop", fx.clock);
    use_git(fx, a);
    use_git(fx, b);
    a.add_records(0, 40);
    a.manager().push(sync::ConflictMode::Detect);
    b.add_records(0, 300);
    b.manager().push(sync::ConflictMode::Detect);
    const nlohmann::json history_before = fx.fake.state()["gists"][fx.gist_id]["history"];
    fx.fake.control("DELETE", "/_fake/requests");
    const sync::PushResult noop = a.manager().push(sync::ConflictMode::Detect);
    CHECK(noop.nothing_to_do);
    check_one_anonymous_ref_advertisement(fx);
    CHECK(fx.fake.state()["gists"][fx.gist_id]["history"] == history_before);  // nothing written
    SECTION("a pull then fetches the head, and the next push checks this machine's entry on it for free") {
        // Another tool puts back an older copy of laptop's entry (total_records 0).
        nlohmann::json manifest = fx.manifest();
        for (auto& e : manifest["machines"]) {
            if (e["machine_name"] == "laptop") e["total_records"] = 0;
        }
        a.api->patch_gist(fx.gist_id, {{"manifest.json", gist::FileChange::write(manifest.dump(2))}});
        CHECK(a.manager().pull().records_new == 300);
        fx.fake.control("DELETE", "/_fake/requests");
        const sync::PushResult repaired = a.manager().push(sync::ConflictMode::Detect);
        CHECK_FALSE(repaired.nothing_to_do);
        std::int64_t laptop_total = -1;
        const nlohmann::json after = fx.manifest();
        for (const auto& e : after["machines"]) {
            if (e["machine_name"] == "laptop") laptop_total = e["total_records"].get<std::int64_t>();
        }
        CHECK(laptop_total == 40);
        std::size_t upload_packs = 0;
        for (const auto& q : fx.fake.requests()) {
            upload_packs += q["path"].get<std::string>().find("git-upload-pack") != std::string::npos &&
                            q["method"] == "POST";
        }
        CHECK(upload_packs == 0);  // the head the pull fetched was read from the mirror
    }
}

TEST_CASE("git store: a wrong token over git alone is an auth error (exit 3), not a fallback", "[sync][git]") {
    FakeFixture fx;
    SimMachine a(fx.fake, fx.gist_id, "laptop", fx.clock);
    auto options = git_options(fx.fake, fx.gist_id, a);
    options.token = [] { return std::string("ghp_not_the_token"); };
    a.remote = std::make_unique<sync::GitRemoteStore>(options);
    a.add_records(0, 5);
    try {
        a.manager().push(sync::ConflictMode::Detect);
        FAIL("push with a refused token succeeded");
    } catch (const Error& e) {
        CHECK(e.kind() == ErrorKind::NotConfigured);
        CHECK(exit_code_for(e.kind()) == 3);
        CHECK(e.hint() == gist::token_refused_error().hint());
    }
}

// docs/format.md §5 "Large pushes": a first push whose parts, sealed at sync.seal_bytes, would
// take the gist past its file budget seals larger parts instead (staged into the mirror as they
// are full). Scaled down: a 2 KiB seal makes 3,000 records ~440 parts at that size.
TEST_CASE("git store: a large first push keeps time order, part sizes and the file budget, and is pulled whole",
          "[sync][git]") {
    FakeFixture fx;
    SimMachine a(fx.fake, fx.gist_id, "laptop", fx.clock);
    SimMachine b(fx.fake, fx.gist_id, "desktop", fx.clock);
    use_git(fx, a);
    use_git(fx, b);
    a.config.seal_bytes = 2048;
    a.config.max_file_bytes = 64 * 1024;
    constexpr int kRecords = 3000;
    a.add_records(0, kRecords);
    CHECK(a.manager().push(sync::ConflictMode::Detect).new_records == kRecords);

    const nlohmann::json files = fx.files();
    CHECK(files.size() < 250);  // the soft file limit of docs/format.md §6
    std::map<int, std::string> parts;
    for (const auto& [name, content] : files.items()) {
        const auto info = sync::classify_for_machine(name, "laptop");
        if (info.role == sync::FileRole::Part) parts[info.part] = content.get<std::string>();
    }
    REQUIRE(parts.size() >= 2);
    std::size_t largest = 0;
    std::string last_timestamp;
    std::set<std::string> seen;
    auto read_in_order = [&](const std::string& name, const std::string& content) {
        const sync::ParsedDataFile parsed = sync::parse_data_file(content, name);
        REQUIRE(parsed.file);
        for (const auto& r : parsed.file->records) {
            CHECK(r.timestamp >= last_timestamp);  // in time order within and across the files
            last_timestamp = r.timestamp;
            seen.insert(r.message_uuid);
        }
    };
    for (const auto& [number, content] : parts) {
        CHECK(content.size() <= 64 * 1024);  // sync.max_file_bytes
        largest = std::max(largest, content.size());
        read_in_order(sync::part_file_name("laptop", number), content);
    }
    CHECK(largest > 2048);  // larger than the seal: ~440 parts of 2 KiB would not fit the budget
    const std::string current = files["usage_data_laptop.json"].get<std::string>();
    CHECK(current.size() <= 2048);
    read_in_order("usage_data_laptop.json", current);
    CHECK(seen.size() == kRecords);

    CHECK(b.manager().pull().records_new == kRecords);
    CHECK(records_of(b, "laptop") == kRecords);
}
