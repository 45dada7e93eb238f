#pragma once
// Shared set-up for the CurlGistApi tests: one fake Gist server per test binary (reset before
// every test), a ManualClock so retries never really sleep, and a fixed jitter.
#include <chrono>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "ccu/common/clock.hpp"
#include "ccu/gist/curl_gist_api.hpp"
#include "ccu/gist/errors.hpp"
#include "support/fake_gist.hpp"

namespace gisttest {

inline const std::string kToken = "ghp_testtoken_alice_0123456789";

inline ccu::test::FakeGistServer& shared_server() {
    static ccu::test::FakeGistServer server;
    return server;
}

struct ClientFixture {
    ccu::test::FakeGistServer& fake = shared_server();
    ccu::ManualClock clock{std::chrono::system_clock::now()};
    ccu::gist::ClientOptions options;

    ClientFixture() {
        fake.reset();
        fake.add_token(kToken);
        options.api_base_url = fake.api_url();
        options.token = kToken;
        options.user_agent = "ccu/test";
        options.total_timeout = std::chrono::seconds(5);
        options.jitter = [] { return 0.0; };
    }

    std::unique_ptr<ccu::gist::GistApi> api() { return ccu::gist::make_curl_gist_api(options, clock); }

    std::string seed(const nlohmann::json& files, bool is_public = false) {
        return fake.seed_gist({{"owner", "alice"}, {"description", "ccu test"}, {"public", is_public},
                               {"files", files}});
    }

    // Requests received since the last reset, optionally only those whose path starts with `prefix`.
    std::vector<nlohmann::json> requests(const std::string& method = "", const std::string& prefix = "") {
        std::vector<nlohmann::json> out;
        for (const auto& r : fake.requests()) {
            const std::string path = r["path"].get<std::string>();
            if (!method.empty() && r["method"] != method) continue;
            if (path.rfind(prefix, 0) != 0) continue;
            out.push_back(r);
        }
        return out;
    }

    long long epoch_seconds() const {
        return std::chrono::duration_cast<std::chrono::seconds>(clock.now().time_since_epoch()).count();
    }
};

// Runs `fn`, requires it to throw ApiError, and returns the error for inspection.
template <typename Fn>
ccu::gist::ApiError expect_api_error(Fn&& fn) {
    try {
        fn();
    } catch (const ccu::gist::ApiError& e) {
        return e;
    }
    FAIL("expected a gist::ApiError");
    throw std::logic_error("unreachable");
}

}  // namespace gisttest
