// Progress of long work on a terminal (scan, push, pull) and none off a terminal: ccu runs under
// a real pseudo-terminal made by script(1) (bsdutils, an essential package), so stdout and stderr are a TTY, against the fake gist.
#include <catch2/catch.hpp>

#include <regex>
#include <string>
#include <vector>

#include "sync_e2e_fixture.hpp"

using namespace ccu::test;

namespace {

const std::string kClearLine = "\r\x1b[2K";

// Runs ccu with `args` on a new pseudo-terminal; the result's `out` is everything the terminal got.
ProcessResult on_tty(E2eMachine& m, const std::vector<std::string>& args) {
    std::string command = "'" + ccu_binary() + "'";
    for (const auto& a : args) command += " '" + a + "'";
    m.sandbox.set("SHELL", "/bin/sh");
    return m.run_watching_claude_dir({"/usr/bin/script", "--quiet", "--return", "--command", command, "/dev/null"});
}

// The progress line `what` was drawn, and cleared before `summary` was printed after it.
void check_drawn_then_cleared(const std::string& screen, const std::string& what, const std::string& summary) {
    INFO(screen);
    // A drawn line is "<what> <n>/<total> files..." (a plain "Pulling from Gist..." is not one).
    auto drawn = std::string::npos;
    const std::string start = kClearLine + what + " ";
    for (auto at = screen.find(start); at != std::string::npos; at = screen.find(start, at + 1)) {
        const auto digit = at + start.size();
        if (digit < screen.size() && screen[digit] >= '0' && screen[digit] <= '9') drawn = at;
    }
    REQUIRE(drawn != std::string::npos);
    const auto summary_at = screen.find(summary, drawn);
    REQUIRE(summary_at != std::string::npos);
    const auto cleared = screen.find(kClearLine, drawn + kClearLine.size());
    CHECK(cleared < summary_at);
}

}  // namespace

TEST_CASE("on a terminal scan push and pull draw progress lines and clear them before the summary",
          "[e2e][progress]") {
    E2eGist g;
    E2eMachine laptop(g.fake, g.gist_id, "laptop");
    E2eMachine desktop(g.fake, g.gist_id, "desktop");
    laptop.generate(11);

    const ProcessResult scan = on_tty(laptop, {"scan"});
    REQUIRE(scan.exit_code == 0);
    check_drawn_then_cleared(scan.out, "Scanning", "Scanned ");
    CHECK(scan.out.find(" files, ") != std::string::npos);
    // Bytes done of the total, in whatever unit the first draw happens at (on a fast machine the
    // only draw may come after a first file of under 1 KiB).
    CHECK(std::regex_search(scan.out, std::regex("[0-9.]+ (B|KiB|MiB) of [0-9.]+ (B|KiB|MiB)")));

    laptop.generate(12, "more");  // new data, so push's refresh scans again
    const ProcessResult push = on_tty(laptop, {"gist", "push"});
    REQUIRE(push.exit_code == 0);
    check_drawn_then_cleared(push.out, "Scanning", "Pushing to Gist...");
    check_drawn_then_cleared(push.out, "Uploading", "Done");

    const ProcessResult pull = on_tty(desktop, {"gist", "pull"});
    REQUIRE(pull.exit_code == 0);
    check_drawn_then_cleared(pull.out, "Pulling", " Pulled ");
}

TEST_CASE("no progress is written when stderr is a pipe or with --quiet or --json on a terminal", "[e2e][progress]") {
    E2eGist g;
    E2eMachine laptop(g.fake, g.gist_id, "laptop");
    laptop.generate(21);
    const auto no_progress = [](const ProcessResult& r) {
        INFO(r.out << r.err);
        CHECK(r.exit_code == 0);
        // Every drawn or cleared progress line starts with kClearLine.
        for (const std::string& text : {std::string("Scanning"), std::string("Uploading"), kClearLine}) {
            CHECK(r.err.find(text) == std::string::npos);
            CHECK(r.out.find(text) == std::string::npos);
        }
    };
    no_progress(laptop.ccu({"scan"}));  // stdout and stderr are pipes
    laptop.generate(22, "b");
    no_progress(laptop.ccu({"gist", "push"}));
    no_progress(laptop.ccu({"gist", "pull"}));
    laptop.generate(23, "c");
    no_progress(on_tty(laptop, {"scan", "--quiet"}));
    laptop.generate(24, "d");
    no_progress(on_tty(laptop, {"gist", "push", "--json"}));
}
