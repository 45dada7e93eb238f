#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sys/stat.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include "ccu/ingest/scanner.hpp"
#include "support/sandbox.hpp"
#include "unit/ingest/lines.hpp"

namespace fs = std::filesystem;
using ccu::ingest::FileCursor;
using ccu::ingest::ScanOptions;
using ccu::ingest::ScanResult;
using ccu::ingest::scan;
using ccu::ingest::testing::append_file;
using ccu::ingest::testing::assistant_line;
using ccu::ingest::testing::write_file;

namespace {

std::string usage(const std::string& uuid, std::int64_t output, const std::string& message_id = "") {
    const std::string id = message_id.empty() ? "msg_" + uuid : message_id;
    return assistant_line(uuid, id, "req_" + id, output).dump() + "\n";
}

const std::string kUserLine =
    R"({"type":"user","message":{"role":"user","content":[{"type":"tool_result","content":"lots of output"}]},"uuid":"x"})"
    "\n";

struct Tree {
    ccu::test::Sandbox sandbox;
    fs::path projects = sandbox.projects_dir();
    std::map<std::string, FileCursor> cursors;
    ScanOptions options{"test-machine", 2, {}};

    ScanResult rescan() {
        ScanResult result = scan({projects}, cursors, options);
        cursors = result.cursors;
        return result;
    }
};

std::int64_t total_output(const ScanResult& result) {
    std::int64_t sum = 0;
    for (const auto& r : result.records) sum += r.output_tokens;
    return sum;
}

std::string read_all(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

}  // namespace

TEST_CASE("scan finds every .jsonl recursively and fills fallbacks from the path", "[ingest][scanner]") {
    Tree t;
    auto no_session = assistant_line("u-1", "m1", "r1", 3);
    no_session.erase("sessionId");
    no_session.erase("cwd");
    write_file(t.projects / "-home-a-proj" / "sess-a.jsonl", no_session.dump() + "\n");
    write_file(t.projects / "-home-a-proj" / "sess-b" / "subagents" / "agent-1.jsonl", usage("u-2", 4));
    write_file(t.projects / "-home-a-proj" / "notes.txt", usage("u-3", 100));
    const fs::path second = t.sandbox.root() / "other-config" / "projects";
    write_file(second / "p2" / "s.jsonl", usage("u-4", 5));
    const ScanResult result = scan({t.projects, second, t.sandbox.root() / "missing"}, {}, t.options);
    CHECK(result.stats.files_seen == 3);
    REQUIRE(result.records.size() == 3);
    CHECK(total_output(result) == 12);
    CHECK(result.records[0].session_id == "sess-a");
    CHECK(result.records[0].folder == "-home-a-proj");
    CHECK(result.records[0].machine_name == "test-machine");
    CHECK(result.cursors.size() == 3);
}

TEST_CASE("a re-scan with nothing new reads nothing", "[ingest][scanner]") {
    Tree t;
    write_file(t.projects / "p" / "s.jsonl", kUserLine + usage("u-1", 3) + usage("u-2", 4));
    const auto first = t.rescan();
    CHECK(first.records.size() == 2);
    CHECK(first.stats.files_read == 1);
    const auto second = t.rescan();
    CHECK(second.records.empty());
    CHECK(second.stats.files_read == 0);
    CHECK(second.stats.bytes_read == 0);
    CHECK(second.cursors == first.cursors);
}

TEST_CASE("appended lines are read alone", "[ingest][scanner]") {
    Tree t;
    const fs::path file = t.projects / "p" / "s.jsonl";
    write_file(file, usage("u-1", 3));
    t.rescan();
    const std::string more = kUserLine + usage("u-2", 4);
    append_file(file, more);
    const auto result = t.rescan();
    CHECK(result.stats.bytes_read == more.size());
    CHECK(result.stats.files_reset == 0);
    REQUIRE(result.records.size() == 1);
    CHECK(result.records[0].message_uuid == "u-2");
    CHECK(t.cursors.at(file.string()).offset == fs::file_size(file));
}

TEST_CASE("a truncated file is read again from the start", "[ingest][scanner]") {
    Tree t;
    const fs::path file = t.projects / "p" / "s.jsonl";
    write_file(file, usage("u-1", 3) + usage("u-2", 4));
    t.rescan();
    write_file(file, usage("u-9", 9));
    const auto result = t.rescan();
    CHECK(result.stats.files_reset == 1);
    REQUIRE(result.records.size() == 1);
    CHECK(result.records[0].message_uuid == "u-9");
}

TEST_CASE("a file replaced by another of the same size is read again", "[ingest][scanner]") {
    Tree t;
    const fs::path file = t.projects / "p" / "s.jsonl";
    write_file(file, usage("u-1", 3));
    t.rescan();
    SECTION("new inode via rename") {
        const fs::path temp = t.projects / "p" / "s.tmp";
        write_file(temp, usage("u-2", 4));  // same length as the original
        REQUIRE(fs::file_size(temp) == fs::file_size(file));
        fs::rename(temp, file);
    }
    SECTION("rewritten in place (mtime changes)") {
        const auto before = fs::last_write_time(file);
        const auto size = fs::file_size(file);
        write_file(file, usage("u-2", 4));
        fs::last_write_time(file, before + std::chrono::seconds(5));
        REQUIRE(fs::file_size(file) == size);
    }
    const auto result = t.rescan();
    CHECK(result.stats.files_reset == 1);
    REQUIRE(result.records.size() == 1);
    CHECK(result.records[0].message_uuid == "u-2");
}

TEST_CASE("a rewritten head with a larger size is detected by the fingerprint", "[ingest][scanner]") {
    Tree t;
    const fs::path file = t.projects / "p" / "s.jsonl";
    write_file(file, usage("u-1", 3));
    t.rescan();
    write_file(file, usage("u-7", 7) + usage("u-8", 8));
    const auto result = t.rescan();
    CHECK(result.stats.files_reset == 1);
    CHECK(result.records.size() == 2);
}

// The head fingerprint is stored in every scan cursor: a change of the hash would make every
// file look rewritten. The expected value is ccu's FNV-1a 64 (see text_test.cpp) of the
// file's bytes, computed outside ccu.
TEST_CASE("the stored head fingerprint is the pinned FNV-1a 64 of the file's head", "[ingest][scanner]") {
    Tree t;
    const fs::path file = t.projects / "p" / "s.jsonl";
    write_file(file,
               R"({"type":"assistant","sessionId":"s-1","timestamp":"2025-01-02T03:04:05.000Z",)"
               R"("message":{"model":"claude-sonnet-4-5-20250929","usage":{"input_tokens":5,"output_tokens":1}}})"
               "\n");
    t.rescan();
    CHECK(t.cursors.at(file.string()).head_fingerprint == 0x506d9e3e49bc12a4ULL);
}

TEST_CASE("a half-written last line is not consumed until complete", "[ingest][scanner]") {
    Tree t;
    const fs::path file = t.projects / "p" / "s.jsonl";
    const std::string done = usage("u-1", 3);
    const std::string torn = usage("u-2", 4);
    write_file(file, done + torn.substr(0, torn.size() / 2));
    const auto first = t.rescan();
    CHECK(first.records.size() == 1);
    CHECK(first.stats.malformed_lines == 0);
    CHECK(t.cursors.at(file.string()).offset == done.size());
    append_file(file, torn.substr(torn.size() / 2));
    const auto second = t.rescan();
    REQUIRE(second.records.size() == 1);
    CHECK(second.records[0].message_uuid == "u-2");
    CHECK(second.records[0].output_tokens == 4);
}

TEST_CASE("a complete last line without newline counts now and is read again later", "[ingest][scanner]") {
    Tree t;
    const fs::path file = t.projects / "p" / "s.jsonl";
    const std::string line = usage("u-1", 3);
    write_file(file, line.substr(0, line.size() - 1));
    const auto first = t.rescan();
    CHECK(first.records.size() == 1);
    CHECK(t.cursors.at(file.string()).offset == 0);
    append_file(file, "\n");
    const auto second = t.rescan();
    REQUIRE(second.records.size() == 1);  // same identity: the store sees a duplicate
    CHECK(second.records[0].message_uuid == "u-1");
    CHECK(t.cursors.at(file.string()).offset == line.size());
}

TEST_CASE("deleted files are reported as vanished, new files are read", "[ingest][scanner]") {
    Tree t;
    write_file(t.projects / "p" / "a.jsonl", usage("u-1", 3));
    write_file(t.projects / "p" / "b.jsonl", usage("u-2", 4));
    t.rescan();
    fs::remove(t.projects / "p" / "a.jsonl");
    write_file(t.projects / "q" / "c.jsonl", usage("u-3", 5));
    const auto result = t.rescan();
    REQUIRE(result.vanished.size() == 1);
    CHECK(result.vanished[0] == (t.projects / "p" / "a.jsonl").string());
    CHECK(result.cursors.count((t.projects / "p" / "a.jsonl").string()) == 0);
    REQUIRE(result.records.size() == 1);
    CHECK(result.records[0].message_uuid == "u-3");
}

TEST_CASE("empty files, CRLF files and malformed lines", "[ingest][scanner]") {
    Tree t;
    write_file(t.projects / "p" / "empty.jsonl", "");
    std::string crlf = usage("u-1", 3);
    crlf.insert(crlf.size() - 1, "\r");
    write_file(t.projects / "p" / "crlf.jsonl", crlf + "garbage line\n\n" + kUserLine);
    const auto result = t.rescan();
    CHECK(result.records.size() == 1);
    CHECK(result.stats.lines == 4);
    CHECK(result.stats.malformed_lines == 1);
    CHECK(t.cursors.at((t.projects / "p" / "empty.jsonl").string()).offset == 0);
}

TEST_CASE("the same response in two files is one record (resumed sessions)", "[ingest][scanner]") {
    Tree t;
    write_file(t.projects / "p" / "a.jsonl", usage("u-a", 3, "msg_shared"));
    write_file(t.projects / "p" / "b.jsonl", usage("u-b", 9, "msg_shared") + usage("u-c", 1));
    const auto result = t.rescan();
    REQUIRE(result.records.size() == 2);
    CHECK(result.records[0].message_uuid == "u-a");
    CHECK(result.records[0].output_tokens == 9);
    CHECK(result.sidechain.size() == 2);
}

TEST_CASE("one thread and two threads give the same result", "[ingest][scanner]") {
    Tree t;
    for (int f = 0; f < 12; ++f) {
        std::string content;
        for (int i = 0; i < 20; ++i) content += usage("u-" + std::to_string(f * 100 + i), i, "m" + std::to_string(i));
        write_file(t.projects / ("p" + std::to_string(f % 3)) / ("s" + std::to_string(f) + ".jsonl"), content);
    }
    ScanOptions one = t.options;
    one.threads = 1;
    const auto a = scan({t.projects}, {}, one);
    const auto b = scan({t.projects}, {}, t.options);
    CHECK(a.records.size() == 20);
    CHECK(a.records == b.records);
    CHECK(a.cursors == b.cursors);
}

TEST_CASE("a scan leaves files byte-, mtime- and atime-identical", "[ingest][scanner][readonly]") {
    Tree t;
    const fs::path file = t.projects / "p" / "s.jsonl";
    write_file(file, usage("u-1", 3) + kUserLine);
    // atime older than mtime: under relatime any plain read would update it.
    struct timespec times[2] = {{1000000000, 0}, {1700000000, 0}};
    REQUIRE(utimensat(AT_FDCWD, file.c_str(), times, 0) == 0);
    REQUIRE(utimensat(AT_FDCWD, file.parent_path().c_str(), times, 0) == 0);
    struct stat before {};
    REQUIRE(stat(file.c_str(), &before) == 0);
    const std::string bytes = read_all(file);  // a plain read: restore atime below
    REQUIRE(utimensat(AT_FDCWD, file.c_str(), times, 0) == 0);

    t.rescan();
    append_file(file, usage("u-2", 4));
    REQUIRE(utimensat(AT_FDCWD, file.c_str(), times, 0) == 0);
    struct stat mid {};
    REQUIRE(stat(file.c_str(), &mid) == 0);
    const auto result = t.rescan();
    CHECK(result.records.size() == 1);

    struct stat after {};
    REQUIRE(stat(file.c_str(), &after) == 0);
    CHECK(after.st_atim.tv_sec == 1000000000);
    CHECK(after.st_mtim.tv_sec == 1700000000);
    CHECK(after.st_size == mid.st_size);
    CHECK(after.st_ino == before.st_ino);
    struct stat dir_after {};
    REQUIRE(stat(file.parent_path().c_str(), &dir_after) == 0);
    CHECK(dir_after.st_atim.tv_sec == 1000000000);
    CHECK(read_all(file).substr(0, bytes.size()) == bytes);
}

TEST_CASE("a scan reports every further line uuid of a streamed response across files", "[ingest][scanner]") {
    Tree t;
    // Three streamed lines of one response in the session file, and a copy in a resumed session.
    write_file(t.projects / "p" / "session-1.jsonl",
               usage("l1", 5, "msg_a") + usage("l2", 50, "msg_a") + usage("l3", 500, "msg_a") + usage("other", 7));
    auto resumed = assistant_line("copy", "msg_a", "req_msg_a", 500);
    resumed["sessionId"] = "session-2";
    write_file(t.projects / "p" / "session-2.jsonl", resumed.dump() + "\n");
    const ScanResult result = t.rescan();
    REQUIRE(result.records.size() == 2);
    REQUIRE(result.lines.size() == 2);
    CHECK(result.records[0].message_uuid == "l1");
    CHECK(result.lines[0] == ccu::LineUuids{{"session-1", "l2"}, {"session-1", "l3"}, {"session-2", "copy"}});
    CHECK(result.lines[1].empty());
}
