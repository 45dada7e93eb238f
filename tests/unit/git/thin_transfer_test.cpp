// The thin push and fetch (src/git/thin_transfer.cpp): git's delta format, the pack protocol, a push
// whose tree and changed files go as deltas against what a real git http-backend holds, and a fetch of
// one round with one have.
#include <catch2/catch.hpp>

#include <random>

#include "git/delta.hpp"
#include "git/pack_protocol.hpp"
#include "git/thin_pack.hpp"
#include "support/fake_gist.hpp"
#include "unit/git/git_fixture.hpp"

using namespace ccu;
using namespace ccu::test;

namespace {

std::string random_text(std::mt19937& rng, std::size_t size) {
    // Few distinct bytes and repeated words, like record JSON: blocks repeat within and across files.
    static const char* const kWords[] = {"\"input_tokens\":", "\"model\":\"claude\"", "{", "}", ",", "0", "17", "\n"};
    std::string out;
    while (out.size() < size) out += kWords[rng() % std::size(kWords)];
    out.resize(size);
    return out;
}

std::string mutate(std::mt19937& rng, std::string text) {
    const int edits = static_cast<int>(rng() % 6);
    for (int i = 0; i < edits; ++i) {
        const std::size_t at = text.empty() ? 0 : rng() % text.size();
        switch (rng() % 4) {
            case 0: text.insert(at, random_text(rng, rng() % 300)); break;
            case 1: text.erase(at, rng() % 200); break;
            case 2: text.append(random_text(rng, rng() % 5000)); break;
            default: if (!text.empty()) text[at] = static_cast<char>(rng()); break;
        }
    }
    return text;
}

}  // namespace

TEST_CASE("git delta: random edits of random files are rebuilt exactly from their base", "[git][delta]") {
    std::mt19937 rng(20261203);
    for (int round = 0; round < 400; ++round) {
        const std::string base = random_text(rng, rng() % (round % 7 == 0 ? 200000 : 3000));
        const std::string target = round % 11 == 0 ? random_text(rng, rng() % 3000) : mutate(rng, base);
        const std::string delta = git::make_delta(base, target);
        INFO("round " << round << ": base " << base.size() << " bytes, target " << target.size());
        REQUIRE(git::apply_delta(base, delta) == target);
    }
}

TEST_CASE("git delta: a file grown at its end costs the new bytes, not the file", "[git][delta]") {
    std::mt19937 rng(7);
    const std::string base = random_text(rng, 900000);  // past 0x10000: copies are split
    const std::string tail = random_text(rng, 4000);
    const std::string delta = git::make_delta(base, base + tail);
    CHECK(git::apply_delta(base, delta) == base + tail);
    CHECK(delta.size() < tail.size() + 200);
    CHECK_THROWS_AS(git::apply_delta(base.substr(1), delta), std::invalid_argument);  // another base
}

TEST_CASE("receive-pack: the advertisement, the request and the report are read and written as git does",
          "[git][protocol]") {
    const std::string a(40, 'a'), b(40, 'b');
    const std::string ad = git::pkt_line("# service=git-receive-pack\n") + "0000" +
                           git::pkt_line(a + " refs/heads/main" + std::string(1, '\0') +
                                         "report-status delete-refs ofs-delta agent=git/2.39.2\n") +
                           git::pkt_line(b + " refs/heads/other\n") + "0000";
    const auto parsed = git::parse_receive_pack_advertisement(ad);
    CHECK(parsed.refs.at("refs/heads/main") == a);
    CHECK(parsed.refs.at("refs/heads/other") == b);
    CHECK(parsed.capabilities.count("report-status") == 1);
    CHECK(parsed.capabilities.count("agent=git/2.39.2") == 1);
    const std::string empty = git::pkt_line("# service=git-receive-pack\n") + "0000" +
                              git::pkt_line(std::string(40, '0') + " capabilities^{}" + std::string(1, '\0') +
                                            "report-status\n") +
                              "0000";
    CHECK(git::parse_receive_pack_advertisement(empty).refs.empty());
    CHECK_THROWS_AS(git::parse_receive_pack_advertisement("<html>"), std::invalid_argument);
    CHECK_THROWS_AS(git::parse_receive_pack_advertisement(git::pkt_line("# service=git-upload-pack\n") + "0000"),
                    std::invalid_argument);

    const std::string request = git::receive_pack_request(a, b, "refs/heads/main", "ccu/1", "PACK...");
    CHECK(request == git::pkt_line(a + " " + b + " refs/heads/main" + std::string(1, '\0') + "report-status agent=ccu/1") +
                         "0000PACK...");

    const auto ok = git::parse_receive_pack_report(git::pkt_line("unpack ok\n") + git::pkt_line("ok refs/heads/main\n") + "0000");
    CHECK(ok.unpack == "ok");
    CHECK_FALSE(ok.refs.at("refs/heads/main").has_value());
    const auto ng = git::parse_receive_pack_report(git::pkt_line("unpack ok\n") +
                                                   git::pkt_line("ng refs/heads/main failed to lock\n") + "0000");
    CHECK(ng.refs.at("refs/heads/main").value() == "failed to lock");
    CHECK_THROWS_AS(git::parse_receive_pack_report(git::pkt_line("unpack ok\n")), std::invalid_argument);  // cut short
    CHECK(git::base64("x-access-token:ab") == "eC1hY2Nlc3MtdG9rZW46YWI=");
}

TEST_CASE("git mirror: a push to a gist of 300 files sends its tree and grown file as deltas, which the server "
          "stores whole",
          "[git]") {
    const std::string token = "ghp_thinpushtesttoken0123456789abcdef";
    Sandbox sandbox;
    FakeGistServer fake;
    fake.add_token(token);
    ManualClock clock{std::chrono::system_clock::from_time_t(1767225600)};
    std::mt19937 rng(3);
    std::map<std::string, std::string> files;
    for (int i = 0; i < 300; ++i) files["ccu-part-" + std::to_string(1000 + i) + ".json"] = random_text(rng, 300) + std::to_string(i);
    const std::string current = random_text(rng, 200000);
    files["ccu-current.json"] = current;
    const std::string id = fake.seed_gist({{"files", files}, {"branch", "main"}});
    git::Mirror m(mirror_options(sandbox.data_dir() / "mirror" / "m.git", fake.git_url(id), [&] { return token; }, clock));
    const git::Head base = m.fetch().head;
    const std::string grown = current + random_text(rng, 3000);
    fake.control("DELETE", "/_fake/requests");
    const git::PushOutcome out = m.commit(base, {{"ccu-current.json", grown}}, "ccu push");
    REQUIRE(out.kind == git::PushOutcome::Kind::Committed);

    std::uint64_t posted = 0;
    for (const auto& r : fake.requests()) {
        if (r["method"] == "POST" && r["path"].get<std::string>().find("git-receive-pack") != std::string::npos) {
            posted += r["bytes_received"].get<std::uint64_t>();
            CHECK(r["headers"].contains("authorization"));
        }
    }
    // Whole, the tree alone is 301 entries of ~45 bytes with incompressible ids (> 6 kB compressed),
    // and the grown file ~200 kB of text; as deltas both are near the 3 kB that changed.
    CHECK(posted > 0);
    CHECK(posted < 4500);
    CHECK(m.stats().bytes_up < 4000);
    const auto state = fake.state()["gists"][id];
    CHECK(state["files"]["ccu-current.json"] == grown);
    CHECK(state["files"].size() == 301);
    const std::filesystem::path repo = state["repo"].get<std::string>();
    CHECK_NOTHROW(git_cli(repo, {"fsck", "--strict", "--no-dangling"}));  // the server completed the thin pack
    CHECK(git_cli(repo, {"rev-parse", "main"}) == out.commit);
}

TEST_CASE("thin pack: a new blob's delta base is its own name's, else the released file whose stem prefixes "
          "its name, the longest",
          "[git][delta]") {
    const std::vector<git::BaseCandidate> base = {
        {"manifest.json", true},          {"usage_data_m.json", true},  {"usage_data_m_part_0001.json", false},
        {"usage_data_m2.json", true},     {"usage_data_m_part.json", false},
    };
    CHECK(git::delta_base_for("manifest.json", base) == 0);
    CHECK(git::delta_base_for("usage_data_m_part_0001.json", base) == 2);  // its own name, released or not
    CHECK(git::delta_base_for("usage_data_m_part_0002.json", base) == 1);  // sealed out of the current file
    CHECK(git::delta_base_for("usage_data_m2_part_0001.json", base) == 3);  // m2's, not m's shorter stem
    CHECK_FALSE(git::delta_base_for("usage_data_n_part_0001.json", base).has_value());
    CHECK_FALSE(git::delta_base_for("other.json", base).has_value());
    // A file the commit leaves as it was is no base for another: its content went nowhere.
    CHECK_FALSE(git::delta_base_for("usage_data_m_part_0009.json", {{"usage_data_m.json", false}}).has_value());
}

TEST_CASE("git mirror: a part sealed out of the current file goes as a delta of the file's last version", "[git]") {
    const std::string token = "ghp_thinsealtesttoken0123456789abcdef";
    Sandbox sandbox;
    FakeGistServer fake;
    fake.add_token(token);
    ManualClock clock{std::chrono::system_clock::from_time_t(1767225600)};
    std::mt19937 rng(5);
    const std::string oldest = random_text(rng, 150000);
    const std::string newest = random_text(rng, 20000);
    const std::string id = fake.seed_gist(
        {{"files", {{"usage_data_m.json", "{\"part\":0,\n" + oldest + newest}}}, {"branch", "main"}});
    git::Mirror m(mirror_options(sandbox.data_dir() / "mirror" / "m.git", fake.git_url(id), [&] { return token; }, clock));
    const git::Head base = m.fetch().head;
    const std::string part = "{\"part\":1,\n" + oldest;
    const std::string current = "{\"part\":0,\n" + newest + random_text(rng, 2000);
    fake.control("DELETE", "/_fake/requests");
    const git::PushOutcome out =
        m.commit(base, {{"usage_data_m_part_0001.json", part}, {"usage_data_m.json", current}}, "ccu push");
    REQUIRE(out.kind == git::PushOutcome::Kind::Committed);
    // Whole, the part is 150 kB of text (tens of kB after zlib); as a delta of the old current file
    // it is a few copy instructions, and the current file's delta is near the 2 kB that are new.
    CHECK(m.stats().bytes_up < 5000);
    const auto state = fake.state()["gists"][id];
    CHECK(state["files"]["usage_data_m_part_0001.json"] == part);
    CHECK(state["files"]["usage_data_m.json"] == current);
    CHECK_NOTHROW(git_cli(state["repo"].get<std::string>(), {"fsck", "--strict", "--no-dangling"}));
}

namespace {

struct FetchWorld {
    const std::string token = "ghp_thinfetchtesttoken0123456789abcdef";
    Sandbox sandbox;
    FakeGistServer fake;
    ManualClock clock{std::chrono::system_clock::from_time_t(1767225600)};
    std::string id;

    FetchWorld() {
        fake.add_token(token);
        id = fake.seed_gist({{"files", {{"a.json", "0"}}}, {"branch", "main"}});
    }
    std::filesystem::path dir(const std::string& name) { return sandbox.data_dir() / "mirror" / (name + ".git"); }
    git::Mirror mirror(const std::string& name) {
        return git::Mirror(mirror_options(dir(name), fake.git_url(id), [t = token] { return t; }, clock));
    }
    std::vector<nlohmann::json> posts(const std::string& service) {
        std::vector<nlohmann::json> out;
        for (const auto& r : fake.requests()) {
            if (r["method"] == "POST" && r["path"].get<std::string>().find(service) != std::string::npos) out.push_back(r);
        }
        return out;
    }
};

}  // namespace

TEST_CASE("git mirror: a fetch onto a mirror of 20+ commits is one upload-pack round with one have, and the "
          "thin pack it gets is completed",
          "[git]") {
    FetchWorld w;
    auto a = w.mirror("a");
    git::Head head = a.fetch().head;
    for (int i = 1; i <= 22; ++i) {  // past the 20 haves after which libgit2 1.5 needs a second round
        head = a.fetch(head.commit).unchanged ? head : a.fetch().head;
        REQUIRE(a.commit(head, {{"a.json", std::to_string(i)}}, "push").kind == git::PushOutcome::Kind::Committed);
        head = a.fetch().head;
    }
    auto b = w.mirror("b");
    const git::Head b_head = b.fetch().head;
    const std::string grown(30000, 'x');
    REQUIRE(b.commit(b_head, {{"b.json", grown}, {"a.json", std::string("b")}}, "push").kind ==
            git::PushOutcome::Kind::Committed);
    std::ofstream(w.dir("a") / "ccu-test-marker") << "a rebuilt mirror loses this file";

    auto fetch_and_check = [&](std::size_t cut) {
        w.fake.control("DELETE", "/_fake/requests");
        const git::Head seen = a.fetch().head;
        CHECK(seen.commit == w.fake.state()["gists"][w.id]["history"][0]["version"].get<std::string>());
        CHECK(a.read_blob(seen.find("b.json")->blob_id) == grown);
        CHECK(a.read_blob(seen.find("a.json")->blob_id) == "b");
        const auto posts = w.posts("git-upload-pack");
        REQUIRE_FALSE(posts.empty());
        for (const auto& p : posts) CHECK(p["bytes_received"].get<int>() < 700);  // 22 haves would be ~1.4 kB
        CHECK(posts.size() == 1 + cut);
        CHECK(w.fake.requests().size() == 2 * (1 + cut));  // each attempt: the advertisement, one POST
        CHECK(std::filesystem::exists(w.dir("a") / "ccu-test-marker"));
        CHECK_NOTHROW(git_cli(w.dir("a"), {"fsck", "--strict", "--no-dangling"}));
    };
    SECTION("one round") { fetch_and_check(0); }
    SECTION("an answer cut in half is fetched again, and the mirror is not rebuilt for it") {
        w.fake.add_fault({{"method", "POST"}, {"path_regex", "git-upload-pack"}, {"times", 1}, {"action", "truncate_body"}});
        fetch_and_check(1);
    }
}
