#include "ccu/sync/exporter.hpp"

#include <algorithm>
#include <map>

#include "ccu/common/version.hpp"
#include "ccu/store/store.hpp"
#include "ccu/sync/file_names.hpp"

namespace ccu::sync {

Unpushed unpushed_records(const store::Store& store, const std::string& machine, std::int64_t pushed_sequence) {
    Unpushed out;
    // Read the high-water mark first: a record stamped while we read is pushed again next
    // time (harmless, identity-merged) instead of being skipped forever.
    out.through_sequence = store.max_sequence();
    out.records = store.changed_since(machine, pushed_sequence);
    return out;
}

ShardPlan build_export(const ExportInput& input, const RecordCostFn& cost) {
    ShardRequest request;
    request.current.machine_name = input.machine_name;
    request.current.machine_id = input.machine_id;
    request.current.export_date = input.now_rfc3339;
    request.current.tool = "ccu " + std::string(ccu::version());
    request.current.generation = input.generation;
    // The store is the authority for this machine's records: a remote record that the store
    // also has is replaced by the store's version unless the remote one is larger.
    std::map<std::pair<std::string, std::string>, const UsageRecord*> remote;
    for (const auto& r : input.remote_current) remote[{r.session_id, r.message_uuid}] = &r;
    request.current.records = input.remote_current;
    request.new_records.reserve(input.unpushed.size());
    for (const auto& r : input.unpushed) {
        const auto it = remote.find({r.session_id, r.message_uuid});
        if (it != remote.end() && it->second->total_tokens() > r.total_tokens()) continue;
        request.new_records.push_back(r);
        request.new_records.back().machine_name = input.machine_name;
    }
    request.max_file_bytes = input.max_file_bytes;
    request.next_part = input.next_part;
    return plan_shards(request, cost);
}

std::size_t effective_seal_bytes(const Config& config) {
    const std::int64_t limit = std::min<std::int64_t>(
        {config.seal_bytes, config.max_file_bytes, static_cast<std::int64_t>(kMaxDataFileBytes)});
    return static_cast<std::size_t>(std::max<std::int64_t>(limit, 1024));
}

std::size_t merge_limit_bytes(const Config& config) {
    const std::int64_t limit = std::min<std::int64_t>(config.max_file_bytes, static_cast<std::int64_t>(kMaxDataFileBytes));
    return static_cast<std::size_t>(std::max<std::int64_t>(limit, 1024));
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
