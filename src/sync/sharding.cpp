#include "ccu/sync/sharding.hpp"

#include <algorithm>
#include <map>
#include <tuple>

#include "ccu/common/error.hpp"
#include "ccu/sync/file_names.hpp"
#include "data_file_detail.hpp"

namespace ccu::sync {
namespace {

using detail::RenderedRecords;

std::vector<ccu::UsageRecord> merge_records(const ShardRequest& request) {
    using Key = std::tuple<std::string, std::string>;
    std::map<Key, ccu::UsageRecord> by_identity;
    for (const auto* list : {&request.current.records, &request.new_records}) {
        for (const auto& r : *list) by_identity.insert_or_assign(Key{r.session_id, r.message_uuid}, r);
    }
    std::vector<ccu::UsageRecord> out;
    out.reserve(by_identity.size());
    for (auto& [key, record] : by_identity) out.push_back(std::move(record));
    return out;
}

// Exact serialized size of a file with `meta` and the records [begin, end), without building it.
class Sizer {
public:
    explicit Sizer(const RenderedRecords& r) : r_(r), prefix_(r.lines.size() + 1, 0) {
        for (std::size_t i = 0; i < r.lines.size(); ++i) prefix_[i + 1] = prefix_[i] + r.lines[i].size();
    }
    std::size_t size(const DataFile& meta, std::size_t begin, std::size_t end) const {
        const std::size_t head = detail::render_head(meta, r_, begin, end).size();
        if (begin == end) return head + detail::kEmptyTail.size();
        const std::size_t count = end - begin;
        return head + detail::kListOpen.size() + prefix_[end] - prefix_[begin] +
               count * detail::kRecordIndent + (count - 1) * detail::kRecordSeparator +
               detail::kListClose.size();
    }

private:
    const RenderedRecords& r_;
    std::vector<std::size_t> prefix_;
};

[[noreturn]] void too_small(std::size_t max_bytes, std::size_t needed) {
    throw ccu::Error(ErrorKind::Usage,
                     "sync.max_file_bytes (" + std::to_string(max_bytes) +
                         ") is too small: a data file with one record needs " + std::to_string(needed) +
                         " bytes",
                     "Raise sync.max_file_bytes in the config (default 4194304).");
}

// The largest end in (begin, n] whose part file fits; the size is monotone in end except for
// the digits of total_cost, so the result is checked, not assumed.
std::size_t fill_part(const Sizer& sizer, const DataFile& meta, std::size_t begin, std::size_t n,
                      std::size_t max_bytes) {
    const std::size_t one = sizer.size(meta, begin, begin + 1);
    if (one > max_bytes) too_small(max_bytes, one);
    std::size_t lo = begin + 1;
    std::size_t hi = n;
    while (lo < hi) {
        const std::size_t mid = lo + (hi - lo + 1) / 2;
        if (sizer.size(meta, begin, mid) <= max_bytes) {
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    return lo;
}

ShardedFile make_file(const DataFile& meta, const RenderedRecords& r, std::size_t begin, std::size_t end) {
    ShardedFile out;
    out.file = meta;
    out.file.records.assign(r.records.begin() + static_cast<std::ptrdiff_t>(begin),
                            r.records.begin() + static_cast<std::ptrdiff_t>(end));
    out.file_name = meta.part == 0 ? current_file_name(meta.machine_name)
                                   : part_file_name(meta.machine_name, meta.part);
    out.content = detail::render_file(meta, r, begin, end);
    return out;
}

}  // namespace

ShardPlan plan_shards(const ShardRequest& request, const RecordCostFn& cost) {
    const RenderedRecords r = detail::render_records(merge_records(request), cost);
    const Sizer sizer(r);
    const std::size_t n = r.records.size();
    DataFile current_meta = request.current;
    current_meta.records.clear();
    current_meta.part = 0;
    if (const std::size_t empty = sizer.size(current_meta, n, n); empty > request.max_file_bytes) {
        too_small(request.max_file_bytes, empty);
    }
    ShardPlan plan;
    std::size_t begin = 0;
    int part = std::max(request.next_part, 1);
    while (sizer.size(current_meta, begin, n) > request.max_file_bytes) {
        DataFile part_meta = current_meta;
        part_meta.part = part++;
        const std::size_t end = fill_part(sizer, part_meta, begin, n, request.max_file_bytes);
        plan.sealed_parts.push_back(make_file(part_meta, r, begin, end));
        begin = end;
    }
    plan.current = make_file(current_meta, r, begin, n);
    return plan;
}

std::vector<std::vector<PartInfo>> plan_part_merges(std::vector<PartInfo> parts, std::size_t merge_limit,
                                                    std::size_t files_to_save, std::size_t min_parts) {
    min_parts = std::max<std::size_t>(min_parts, 2);
    std::sort(parts.begin(), parts.end(), [](const PartInfo& a, const PartInfo& b) { return a.number < b.number; });
    std::vector<std::vector<PartInfo>> runs;
    std::size_t saved = 0;
    std::vector<PartInfo> run;
    std::size_t run_bytes = 0;
    auto close = [&] {
        if (run.size() >= min_parts) {
            saved += run.size() - 1;
            runs.push_back(run);
        }
        run.clear();
        run_bytes = 0;
    };
    for (const PartInfo& p : parts) {
        if (saved >= files_to_save) break;
        if (!run.empty() && run_bytes + p.bytes > merge_limit) close();
        if (saved >= files_to_save) break;
        run.push_back(p);
        run_bytes += p.bytes;
    }
    if (saved < files_to_save) close();
    return runs;
}

}  // namespace ccu::sync
