// The libraries ccu opens at run time (cmake/CcuRuntimeLibraries.cmake): a command that needs a
// missing one fails with the documented exit code and the package to install; the others run.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "sync_e2e_fixture.hpp"

using namespace ccu;
using namespace ccu::test;

namespace {

// A file named like the library that is none: the dynamic loader finds it first through
// LD_LIBRARY_PATH and refuses it ("file too short"), as if the package were not installed.
void break_libraries(E2eMachine& m, const std::vector<std::string>& sonames) {
    const std::filesystem::path dir = m.sandbox.root() / "broken-libs";
    std::filesystem::create_directories(dir);
    for (const auto& soname : sonames) std::ofstream(dir / soname) << "not a shared library\n";
    m.sandbox.set("LD_LIBRARY_PATH", dir.string());
}

void check_names_missing(const ProcessResult& r, const std::string& soname, const std::string& package) {
    INFO(r.out << r.err);
    CHECK(r.exit_code == 3);
    CHECK(r.err.find("ccu: error:") != std::string::npos);
    CHECK(r.err.find("cannot load " + soname + " (package " + package + ")") != std::string::npos);
    CHECK(r.err.find("file too short") != std::string::npos);  // dlerror()
}

}  // namespace

TEST_CASE("runtime libraries: reports, scan and statusline need none of them", "[e2e][runtime_libraries]") {
    E2eGist g;
    E2eMachine a(g.fake, g.gist_id, "laptop");
    a.generate(0x5151);
    break_libraries(a, {CCU_TEST_LIBCURL_SONAME, CCU_TEST_LIBGIT2_SONAME, CCU_TEST_LIBSECRET_SONAME,
                        CCU_TEST_GLIB_SONAME});
    for (const std::vector<std::string>& args : {std::vector<std::string>{"--version"}, {"scan"}, {"report", "daily"},
                                                 {"report", "session", "--json"}, {"statusline"}}) {
        const ProcessResult r = a.ccu(args);
        INFO(args.front() << ": " << r.err);
        CHECK(r.exit_code == 0);
    }
}

TEST_CASE("runtime libraries: without libcurl a gist command is exit 3 naming libcurl's package",
          "[e2e][runtime_libraries]") {
    E2eGist g;
    E2eMachine a(g.fake, g.gist_id, "laptop");
    a.generate(0x5252);
    break_libraries(a, {CCU_TEST_LIBCURL_SONAME});
    check_names_missing(a.ccu({"gist", "push"}), CCU_TEST_LIBCURL_SONAME, CCU_TEST_LIBCURL_PACKAGE);
}

TEST_CASE("runtime libraries: without libgit2 the git transport is exit 3 naming libgit2's package",
          "[e2e][runtime_libraries][git]") {
    E2eGist g;
    E2eMachine a(g.fake, g.gist_id, "laptop");
    a.generate(0x5353);
    break_libraries(a, {CCU_TEST_LIBGIT2_SONAME});
    check_names_missing(a.ccu({"gist", "push", "--transport", "git"}), CCU_TEST_LIBGIT2_SONAME,
                        CCU_TEST_LIBGIT2_PACKAGE);
    CHECK(a.ccu({"gist", "push", "--transport", "rest"}).exit_code == 0);  // REST needs libcurl only
}

TEST_CASE("runtime libraries: without libgit2 the auto transport syncs over REST with one warning naming it",
          "[e2e][runtime_libraries][git]") {
    E2eGist g;
    E2eMachine a(g.fake, g.gist_id, "laptop");
    a.generate(0x5454);
    break_libraries(a, {CCU_TEST_LIBGIT2_SONAME});
    const ProcessResult push = a.ccu({"gist", "push", "--transport", "auto"});
    INFO(push.out << push.err);
    CHECK(push.exit_code == 0);
    const std::string named = "cannot load " + std::string(CCU_TEST_LIBGIT2_SONAME) + " (package " +
                              CCU_TEST_LIBGIT2_PACKAGE + ")";
    const auto first = push.err.find(named);
    REQUIRE(first != std::string::npos);
    CHECK(push.err.find(named, first + 1) == std::string::npos);  // said once
    CHECK(push.err.find("this sync uses the REST API") != std::string::npos);
    CHECK(push.err.find("ccu: error:") == std::string::npos);
    // What the push wrote is in the gist: a second machine with libgit2 pulls it over git.
    E2eMachine b(g.fake, g.gist_id, "desktop");
    const ProcessResult pull = b.ccu({"gist", "pull", "--transport", "git"});
    INFO(pull.out << pull.err);
    CHECK(pull.exit_code == 0);
    CHECK(b.ccu({"report", "daily", "--json", "--all-machines"}).out ==
          a.ccu({"report", "daily", "--json", "--all-machines"}).out);
}

TEST_CASE("runtime libraries: without libsecret the keyring is unreachable (exit 3), naming its package",
          "[e2e][runtime_libraries]") {
    E2eGist g;
    E2eMachine a(g.fake, g.gist_id, "laptop");
    a.sandbox.unset("CCU_GITHUB_TOKEN");  // the keyring is asked only without a token in the environment
    break_libraries(a, {CCU_TEST_LIBSECRET_SONAME});
    check_names_missing(a.ccu({"gist", "push"}), CCU_TEST_LIBSECRET_SONAME, CCU_TEST_LIBSECRET_PACKAGE);
}
