#include "ccu/sync/exporter.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <utility>

#include "ccu/common/version.hpp"
#include "ccu/store/store.hpp"
#include "ccu/sync/file_names.hpp"
#include "data_file_detail.hpp"

namespace ccu::sync {

Unpushed unpushed_records(const store::Store& store, const std::string& machine, std::int64_t pushed_sequence) {
    Unpushed out;
    // Read the high-water mark first: a record stamped while we read is pushed again next
    // time (harmless, identity-merged) instead of being skipped forever.
    out.through_sequence = store.max_sequence();
    out.after_sequence = pushed_sequence;
    out.count = store.count_changed_since(machine, pushed_sequence);
    return out;
}

std::size_t sealed_part_bytes(std::size_t seal_bytes, std::size_t max_part_bytes, std::size_t body_bytes,
                              std::size_t part_room) {
    if (part_room == SIZE_MAX || body_bytes <= seal_bytes * part_room) return seal_bytes;
    // Sealed at seal_bytes, these records would take the gist past its soft file limit, and
    // folding them later (§6) would rewrite them all in the next pushes: parts of the size that
    // fits them into the room left are sealed at once. No room at all: as few parts as can be.
    const std::size_t room = std::max<std::size_t>(part_room, 1);
    const std::size_t even = (body_bytes + room - 1) / room;
    // Each part also holds its header and leaves unused the bytes a whole next record would need.
    const std::size_t with_slack = even + even / 32 + (std::size_t{16} << 10);
    return std::max(seal_bytes, std::min(with_slack, max_part_bytes));
}

namespace {

using Identity = std::pair<std::string, std::string>;

// The remote current file's records in file order, and which of them the store's copies replace.
struct RemoteMerge {
    std::vector<ccu::UsageRecord> records;
    std::vector<bool> replaced;
    std::map<Identity, std::size_t> index;
    std::set<Identity> kept_over_store;  // remote copies with a larger total: the store's is skipped

    explicit RemoteMerge(const std::vector<ccu::UsageRecord>& remote) {
        // The head's copy and the local copy of our last push may both be listed: the later wins.
        std::map<Identity, const ccu::UsageRecord*> last;
        for (const auto& r : remote) last.insert_or_assign(Identity{r.session_id, r.message_uuid}, &r);
        records.reserve(last.size());
        for (const auto& [identity, r] : last) records.push_back(*r);
        std::sort(records.begin(), records.end(), record_file_order);
        replaced.assign(records.size(), false);
        for (std::size_t i = 0; i < records.size(); ++i) index[{records[i].session_id, records[i].message_uuid}] = i;
    }
    // The store is the authority for this machine's records: a remote record that the store also
    // has is replaced by the store's version unless the remote one is larger.
    void decide(const ccu::UsageRecord& local) {
        const auto it = index.find({local.session_id, local.message_uuid});
        if (it == index.end()) return;
        if (records[it->second].total_tokens() > local.total_tokens()) {
            kept_over_store.insert(it->first);
        } else {
            replaced[it->second] = true;
        }
    }
    bool skips(const ccu::UsageRecord& local) const {
        return !kept_over_store.empty() && kept_over_store.count({local.session_id, local.message_uuid}) > 0;
    }
};

}  // namespace

ShardedFile export_files(const ExportInput& input, const RecordCostFn& cost, const PartSealer::PartFn& on_part) {
    DataFile meta;
    meta.machine_name = input.machine_name;
    meta.machine_id = input.machine_id;
    meta.export_date = input.now_rfc3339;
    meta.tool = "ccu " + std::string(ccu::version());
    meta.generation = input.generation;
    RemoteMerge remote(input.remote_current);
    // First pass: which copies win, and how many bytes of records there are (the size of the parts).
    std::size_t body_bytes = 0;
    auto size_of = [&](const ccu::UsageRecord& r) { return detail::render_line(r, cost(r)).size() + 6; };
    input.unpushed([&](ccu::UsageRecord&& r) {
        remote.decide(r);
        body_bytes += size_of(r);
    });
    for (std::size_t i = 0; i < remote.records.size(); ++i) {
        if (!remote.replaced[i]) body_bytes += size_of(remote.records[i]);
    }
    const std::size_t part_bytes =
        sealed_part_bytes(input.max_file_bytes, input.max_part_bytes, body_bytes, input.part_room);
    PartSealer sealer(meta, {input.max_file_bytes, part_bytes}, input.next_part, cost, on_part);
    // Second pass: both sorted streams merged in file order.
    std::size_t next_remote = 0;
    auto remote_before = [&](const ccu::UsageRecord* local) {
        for (; next_remote < remote.records.size(); ++next_remote) {
            ccu::UsageRecord& r = remote.records[next_remote];
            if (local != nullptr && !record_file_order(r, *local)) return;
            if (!remote.replaced[next_remote]) sealer.add(std::move(r));
        }
    };
    input.unpushed([&](ccu::UsageRecord&& r) {
        if (remote.skips(r)) return;
        remote_before(&r);
        r.machine_name = input.machine_name;
        sealer.add(std::move(r));
    });
    remote_before(nullptr);
    return sealer.finish();
}

std::size_t effective_seal_bytes(const Config& config, Transport transport) {
    const std::int64_t by_transport =
        static_cast<std::int64_t>(transport == Transport::Git ? kGitSealBytes : kRestSealBytes);
    const std::int64_t limit = std::min<std::int64_t>(
        {config.seal_bytes.value_or(by_transport), config.max_file_bytes, static_cast<std::int64_t>(kMaxDataFileBytes)});
    return static_cast<std::size_t>(std::max<std::int64_t>(limit, 1024));
}

std::size_t merge_limit_bytes(const Config& config) {
    const std::int64_t limit = std::min<std::int64_t>(config.max_file_bytes, static_cast<std::int64_t>(kMaxDataFileBytes));
    return static_cast<std::size_t>(std::max<std::int64_t>(limit, 1024));
}

std::size_t max_part_bytes(const Config& config) {
    return static_cast<std::size_t>(std::max<std::int64_t>(config.max_file_bytes, 1024));
}

int next_part_number(const std::set<std::string>& gist_files, const std::string& machine) {
    int highest = 0;
    for (const auto& name : gist_files) {
        const FileNameInfo info = classify_for_machine(name, machine);
        if (info.role == FileRole::Part) highest = std::max(highest, info.part);
    }
    return highest + 1;
}

}  // namespace ccu::sync
