// The exporter's streamed merge (src/sync/exporter.cpp): the store's records, read one at a time in
// file order, joined with the gist's current file by identity, sealed as plan_shards would.
#include <catch2/catch.hpp>

#include <algorithm>

#include "ccu/store/store.hpp"
#include "ccu/sync/data_file.hpp"
#include "ccu/sync/exporter.hpp"
#include "sync_fixture.hpp"

using namespace ccu;
using namespace ccu::test;

namespace {

double cost(const UsageRecord& r) { return static_cast<double>(r.total_tokens()) * 3e-6; }

sync::ExportInput input_over(std::vector<UsageRecord> local) {
    std::sort(local.begin(), local.end(), sync::record_file_order);
    sync::ExportInput in;
    in.machine_name = "laptop";
    in.now_rfc3339 = "2026-01-10T00:00:00.000Z";
    in.max_file_bytes = 1 << 20;
    in.unpushed = [local](const std::function<void(UsageRecord&&)>& visit) {
        for (UsageRecord r : local) visit(std::move(r));
    };
    return in;
}

std::vector<std::string> uuids(const sync::DataFile& f) {
    std::vector<std::string> out;
    for (const auto& r : f.records) out.push_back(r.message_uuid);
    return out;
}

}  // namespace

TEST_CASE("export: the current file's records and the store's are merged by identity in file order",
          "[sync][export]") {
    // Store: 1, 3 (larger than the gist's copy), 5 (smaller than the gist's copy).
    std::vector<UsageRecord> local = {make_record("laptop", 3, 500), make_record("laptop", 1),
                                      make_record("laptop", 5, 10)};
    sync::ExportInput in = input_over(local);
    // Gist: 0, 2, 3 (smaller), 4, 5 (larger), and 2 listed twice (the head's copy and ours).
    in.remote_current = {make_record("laptop", 4), make_record("laptop", 2), make_record("laptop", 3, 20),
                         make_record("laptop", 5, 900), make_record("laptop", 0), make_record("laptop", 2, 70)};
    std::vector<sync::ShardedFile> parts;
    const sync::ShardedFile current =
        sync::export_files(in, cost, [&](sync::ShardedFile&& p) { parts.push_back(std::move(p)); });
    CHECK(parts.empty());
    CHECK(uuids(current.file) == std::vector<std::string>{"uuid-laptop-0", "uuid-laptop-1", "uuid-laptop-2",
                                                          "uuid-laptop-3", "uuid-laptop-4", "uuid-laptop-5"});
    CHECK(current.file.records[2].input_tokens == 70);   // the later copy of a record listed twice
    CHECK(current.file.records[3].input_tokens == 500);  // the store's copy is larger
    CHECK(current.file.records[5].input_tokens == 900);  // the gist's copy is larger
    CHECK(current.content == sync::serialize_data_file(current.file, cost));
}

TEST_CASE("export: the same records give the same files as plan_shards", "[sync][export]") {
    std::vector<UsageRecord> local;
    for (int i = 0; i < 200; ++i) local.push_back(make_record("laptop", i, 100 + i));
    sync::ExportInput in = input_over(local);
    in.max_file_bytes = 6000;
    in.next_part = 3;
    std::vector<sync::ShardedFile> parts;
    const sync::ShardedFile current =
        sync::export_files(in, cost, [&](sync::ShardedFile&& p) { parts.push_back(std::move(p)); });
    sync::ShardRequest request;
    request.current.machine_name = "laptop";
    request.current.export_date = in.now_rfc3339;
    request.current.tool = current.file.tool;
    request.new_records = local;
    request.max_file_bytes = 6000;
    request.next_part = 3;
    const sync::ShardPlan plan = sync::plan_shards(request, cost);
    REQUIRE(parts.size() == plan.sealed_parts.size());
    for (std::size_t i = 0; i < parts.size(); ++i) CHECK(parts[i].content == plan.sealed_parts[i].content);
    CHECK(current.content == plan.current.content);
}

TEST_CASE("store: the records changed after a sequence come one at a time in file order", "[sync][export]") {
    Sandbox sandbox;
    std::filesystem::create_directories(sandbox.data_dir());
    store::Store store(sandbox.data_dir() / "ccu.db", store::OpenMode::ReadWrite, embedded_costs());
    store.upsert({make_record("laptop", 7), make_record("laptop", 2), make_record("desktop", 1)});
    const std::int64_t pushed = store.max_sequence();
    store.upsert({make_record("laptop", 5), make_record("laptop", 1), make_record("laptop", 9)});
    CHECK(store.count_changed_since("laptop", pushed) == 3);
    CHECK(store.count_changed_since("laptop", 0) == 5);
    std::vector<std::string> seen;
    store.for_each_changed_since("laptop", pushed, [&](UsageRecord&& r) { seen.push_back(r.message_uuid); });
    CHECK(seen == std::vector<std::string>{"uuid-laptop-1", "uuid-laptop-5", "uuid-laptop-9"});
}

TEST_CASE("the seal size is sync.seal_bytes, else the transport's default, within max_file_bytes, 1 MiB and 1024",
          "[sync][export]") {
    Config c;
    CHECK(sync::effective_seal_bytes(c, sync::Transport::Git) == 512 * 1024);
    CHECK(sync::effective_seal_bytes(c, sync::Transport::Rest) == 128 * 1024);
    c.max_file_bytes = 300000;
    CHECK(sync::effective_seal_bytes(c, sync::Transport::Git) == 300000);
    c.seal_bytes = 4096;
    CHECK(sync::effective_seal_bytes(c, sync::Transport::Git) == 4096);
    CHECK(sync::effective_seal_bytes(c, sync::Transport::Rest) == 4096);
    c.seal_bytes = 10;
    CHECK(sync::effective_seal_bytes(c, sync::Transport::Rest) == 1024);
    c.seal_bytes = 8 << 20;
    c.max_file_bytes = 16 << 20;
    CHECK(sync::effective_seal_bytes(c, sync::Transport::Git) == sync::kMaxDataFileBytes);
}
