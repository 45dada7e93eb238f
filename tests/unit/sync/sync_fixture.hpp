#pragma once
// In-process sync fixture: the real CurlGistApi and RestRemoteStore against the fake Gist server,
// a real SQLite store per simulated machine (each in its own Sandbox), and a ManualClock.
#include <cstdlib>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "ccu/common/clock.hpp"
#include "ccu/common/config.hpp"
#include "ccu/common/time.hpp"
#include "ccu/gist/curl_gist_api.hpp"
#include "ccu/pricing/price_table.hpp"
#include "ccu/store/store.hpp"
#include "ccu/sync/events.hpp"
#include "ccu/sync/git_remote_store.hpp"
#include "ccu/sync/rest_remote_store.hpp"
#include "ccu/sync/sync_manager.hpp"
#include "ccu/sync/sync_state.hpp"
#include "support/fake_gist.hpp"
#include "support/recording_progress.hpp"
#include "support/sandbox.hpp"
#include "support/costs.hpp"

namespace ccu::test {

inline const std::string kToken = "ghp_synctesttoken000000000000000000000";

class RecordingSink final : public sync::EventSink {
public:
    void say(sync::Mark, std::string_view text) override { lines.emplace_back(text); }
    void warn(std::string_view text) override { warnings.emplace_back(text); }
    ProgressSink& progress() override { return shown; }
    bool said(std::string_view needle) const {
        for (const auto& l : lines) {
            if (l.find(needle) != std::string::npos) return true;
        }
        return false;
    }
    std::vector<std::string> lines, warnings;
    RecordingProgress shown;
};

inline std::chrono::system_clock::time_point day(int n) {
    // 2026-01-10T12:00:00Z plus n days
    return timeutil::from_epoch_ms(*timeutil::parse_rfc3339_ms("2026-01-10T12:00:00Z")) + std::chrono::hours(24 * n);
}

inline UsageRecord make_record(const std::string& machine, int n, int tokens = 100) {
    UsageRecord r;
    r.session_id = "session-" + machine + "-" + std::to_string(n / 10);
    r.message_uuid = "uuid-" + machine + "-" + std::to_string(n);
    r.timestamp = timeutil::format_rfc3339_ms(*timeutil::parse_rfc3339_ms("2026-01-01T00:00:00Z") + n * 60000LL);
    r.model = "claude-sonnet-4-20250514";
    r.input_tokens = tokens;
    r.output_tokens = 2 * tokens;
    r.folder = "proj";
    r.machine_name = machine;
    return r;
}

// Forwards to whatever client a SimMachine holds now (a test may swap `api` for one with other
// retry limits), so the remote store built once keeps working.
class CurrentApi final : public gist::GistApi {
public:
    explicit CurrentApi(std::unique_ptr<gist::GistApi>& api) : api_(api) {}
    gist::Gist get_gist(const std::string& id) override { return api_->get_gist(id); }
    std::optional<gist::Gist> get_gist_if_none_match(const std::string& id, const std::string& etag) override {
        return api_->get_gist_if_none_match(id, etag);
    }
    std::string get_raw(const std::string& url) override { return api_->get_raw(url); }
    gist::Gist create_gist(const std::string& d, const std::map<std::string, std::string>& f,
                           gist::Visibility v) override {
        return api_->create_gist(d, f, v);
    }
    gist::Gist patch_gist(const std::string& id, const gist::GistPatch& patch,
                          const std::optional<std::string>& description) override {
        return api_->patch_gist(id, patch, description);
    }
    std::vector<gist::GistCommit> list_commits(const std::string& id, std::size_t limit) override {
        return api_->list_commits(id, limit);
    }
    std::size_t count_commits(const std::string& id) override { return api_->count_commits(id); }
    gist::Gist get_revision(const std::string& id, const std::string& sha) override {
        return api_->get_revision(id, sha);
    }
    std::vector<gist::GistSummary> list_user_gists() override { return api_->list_user_gists(); }
    gist::GistUser get_user() override { return api_->get_user(); }

private:
    std::unique_ptr<gist::GistApi>& api_;
};

struct SimMachine {
    SimMachine(FakeGistServer& fake, const std::string& gist_id, const std::string& name, ManualClock& clock_ref)
        : clock(clock_ref) {
        Environment env = sandbox.environment();
        env.set("CCU_GITHUB_API_URL", fake.api_url());
        paths = Paths::resolve(env);
        config.gist_id = gist_id;
        config.machine_name = name;
        config.machine_id = make_uuid_v4();
        auto options = gist::client_options_from(env, kToken);
        options.retry.max_attempts = 2;
        options.jitter = [] { return 0.5; };
        api = gist::make_curl_gist_api(options, clock);
        store = std::make_unique<store::Store>(paths.store_file(), store::OpenMode::ReadWrite, ccu::test::embedded_costs());
        etags = std::make_unique<sync::StoredEtags>(*store, gist_id);
        remote = std::make_unique<sync::RestRemoteStore>(current_api, clock, gist_id, etags.get());
        // CCU_TEST_TRANSPORT=git runs the suite over the fake's git host (tests/CMakeLists.txt,
        // ctest `sync-git:suite`); the cases that count REST requests are tagged [rest].
        if (const char* transport = std::getenv("CCU_TEST_TRANSPORT"); transport && std::string(transport) == "git") {
            git::MirrorOptions o;
            o.dir = sync::git_mirror_dir(paths.data_dir, gist_id);
            o.url = fake.git_url(gist_id);
            o.token = [] { return kToken; };
            o.identity = {name, name + "@ccu.invalid"};
            o.clock = &clock;
            o.retry.max_attempts = 2;
            remote = std::make_unique<sync::GitRemoteStore>(std::move(o));
        }
    }
    // The records are put into the store by the test: the local refresh does nothing.
    sync::SyncManager manager() { return manager_over(*remote); }
    sync::SyncManager manager_over(sync::RemoteStore& over) {
        sync::SyncManager m(over, *store, clock, config, paths, sink, pricing::PriceTable::embedded(),
                            [](store::Store&) {});
        m.set_jitter_seed(42);
        return m;
    }
    void add_records(int from, int to) {
        std::vector<UsageRecord> rs;
        for (int i = from; i < to; ++i) rs.push_back(make_record(config.machine_name, i));
        store->upsert(rs);
    }

    Sandbox sandbox;
    Paths paths;
    Config config;
    ManualClock& clock;
    std::unique_ptr<gist::GistApi> api;
    CurrentApi current_api{api};
    std::unique_ptr<store::Store> store;
    std::unique_ptr<sync::StoredEtags> etags;
    std::unique_ptr<sync::RemoteStore> remote;
    RecordingSink sink;
};

// Forwards to a real RemoteStore; before each of the first `races` commits a rival writes first
// (a genuine conflict over either transport: the head moved after our load).
class RacingStore final : public sync::RemoteStore {
public:
    RacingStore(sync::RemoteStore& inner, std::function<void()> rival, int races)
        : inner_(inner), rival_(std::move(rival)), races_(races) {}
    sync::Transport transport() const override { return inner_.transport(); }
    sync::LoadResult load(const std::optional<std::string>& known) override { return inner_.load(known); }
    sync::LoadResult load_held(const std::optional<std::string>& known) override { return inner_.load_held(known); }
    sync::CommitOutcome commit(const sync::RemoteSnapshot& base, const sync::ChangeSet& changes,
                               const std::string& message) override {
        if (races_ > 0) {
            --races_;
            rival_();
        }
        return inner_.commit(base, changes, message);
    }

private:
    sync::RemoteStore& inner_;
    std::function<void()> rival_;
    int races_;
};

struct FakeFixture {
    FakeFixture() {
        fake.add_token(kToken);
        gist_id = fake.seed_gist({{"owner", "alice"}, {"description", "ccu usage"}, {"public", false},
                                  {"files", {{"README.md", "ccu usage data"}}}});
    }
    // API requests (not control calls) since the log was cleared.
    nlohmann::json requests() { return fake.requests(); }
    std::size_t count(const std::string& method) {
        std::size_t n = 0;
        for (const auto& r : fake.requests()) n += r["method"] == method ? 1 : 0;
        return n;
    }
    nlohmann::json files() { return fake.state()["gists"][gist_id]["files"]; }
    nlohmann::json manifest() { return nlohmann::json::parse(files()["manifest.json"].get<std::string>()); }

    FakeGistServer fake;
    std::string gist_id;
    ManualClock clock{day(0)};
};

}  // namespace ccu::test
