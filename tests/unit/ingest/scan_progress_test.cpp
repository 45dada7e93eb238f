// What a scan tells its ProgressSink: files with new data and their bytes, in order, then finish.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "ccu/ingest/scanner.hpp"
#include "support/recording_progress.hpp"
#include "support/sandbox.hpp"
#include "unit/ingest/lines.hpp"

namespace {

std::string line(const std::string& uuid) {
    return ccu::ingest::testing::assistant_line(uuid, "msg_" + uuid, "req_" + uuid, 10).dump() + "\n";
}

}  // namespace

TEST_CASE("a scan reports each file with new data and its bytes to the progress sink, then finishes once",
          "[scanner][progress]") {
    ccu::test::Sandbox sb;
    const auto dir = sb.projects_dir() / "-p";
    for (int i = 0; i < 3; ++i) {
        ccu::ingest::testing::write_file(dir / ("s" + std::to_string(i) + ".jsonl"), line("u" + std::to_string(i)));
    }
    ccu::test::RecordingProgress progress;
    ccu::ingest::ScanOptions options{"laptop", 2, {}, &progress};
    const auto first = ccu::ingest::scan({sb.projects_dir()}, {}, options);
    const std::uint64_t bytes = first.stats.bytes_read;
    REQUIRE(progress.updates.size() == 3);
    for (std::size_t i = 0; i < 3; ++i) {
        CHECK(progress.updates[i].what == "Scanning");
        CHECK(progress.updates[i].files_done == i + 1);
        CHECK(progress.updates[i].files_total == 3);
        CHECK(progress.updates[i].bytes_total == bytes);
    }
    CHECK(progress.updates.back().bytes_done == bytes);
    CHECK(progress.finished == 1);

    // Again with one file grown: only that file and only its new bytes count.
    const std::string more = line("u9");
    ccu::ingest::testing::append_file(dir / "s1.jsonl", more);
    ccu::test::RecordingProgress again;
    options.progress = &again;
    ccu::ingest::scan({sb.projects_dir()}, first.cursors, options);
    REQUIRE(again.updates.size() == 1);
    CHECK(again.updates[0].files_total == 1);
    CHECK(again.updates[0].bytes_total == more.size());
    CHECK(again.updates[0].bytes_done == more.size());
    CHECK(again.finished == 1);
}
