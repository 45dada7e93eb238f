#include "sync/fold_plan.hpp"

#include <algorithm>

#include "ccu/common/error.hpp"
#include "ccu/sync/file_names.hpp"
#include "ccu/sync/retention.hpp"
#include "ccu/sync/sharding.hpp"

namespace ccu::sync {
namespace {

class Room {
public:
    Room(RemoteSnapshot& head, std::set<std::string>& listing, const RoomRequest& req, const RecordCostFn& cost)
        : head_(head), listing_(listing), req_(req), cost_(cost) {
        const std::vector<std::string> names(listing.begin(), listing.end());
        expired_ = expired_backups(names, req.machine, req.today, req.retention_days).size();
    }

    // Files still to free: the listing, a new part and today's backup, less the expired backups
    // that plan_retention deletes anyway, against the soft limit.
    std::size_t excess() const {
        const std::size_t projected = listing_.size() + 2 - std::min(expired_, listing_.size());
        return projected >= req_.soft_file_limit ? projected - req_.soft_file_limit + 1 : 0;
    }

    void fold(std::size_t min_parts) {
        if (excess() == 0) return;
        for (const auto& run : plan_part_merges(unfolded_parts(), req_.merge_limit, excess(), min_parts)) fold_run(run);
    }

    void trim_backups() {
        const std::vector<std::string> names(listing_.begin(), listing_.end());
        for (const auto& name :
             backups_beyond_newest(names, req_.machine, req_.today, req_.retention_days, req_.kept_backups)) {
            if (excess() == 0) return;
            remove(name);
            plan_.backups_deleted.push_back(name);
        }
    }

    RoomPlan take() { return std::move(plan_); }

private:
    // This machine's parts not written by this plan (a part folded here has a new size).
    std::vector<PartInfo> unfolded_parts() const {
        std::vector<PartInfo> parts;
        for (const auto& name : listing_) {
            const FileNameInfo info = classify_for_machine(name, req_.machine);
            if (info.role != FileRole::Part || plan_.changes.count(name)) continue;
            parts.push_back(PartInfo{info.part, name, static_cast<std::size_t>(head_.size(name))});
        }
        return parts;
    }

    void fold_run(const std::vector<PartInfo>& run) {
        DataFile merged;
        for (const auto& p : run) {
            ParsedDataFile parsed = parse_data_file(head_.content(p.file_name), p.file_name);
            if (!parsed.file) throw Error(ErrorKind::InvalidRemote, p.file_name + " is invalid: " + parsed.fatal_error);
            if (merged.machine_name.empty()) merged = *parsed.file, merged.records.clear();
            for (auto& r : parsed.file->records) merged.records.push_back(std::move(r));
        }
        merged.part = run.front().number;
        merged.export_date = req_.now;
        std::string content = serialize_data_file(merged, cost_);
        if (content.size() > req_.merge_limit) return;  // the sizes listed were not the sizes read: leave it
        plan_.files.push_back(PlannedFile{run.front().file_name, PlannedFile::Action::Write, content.size(),
                                          merged.records.size()});
        plan_.changes[run.front().file_name] = std::move(content);
        for (std::size_t i = 1; i < run.size(); ++i) remove(run[i].file_name);
    }

    void remove(const std::string& name) {
        plan_.changes[name] = std::nullopt;
        plan_.files.push_back(PlannedFile{name, PlannedFile::Action::Delete, 0, 0});
        listing_.erase(name);
    }

    RemoteSnapshot& head_;
    std::set<std::string>& listing_;
    const RoomRequest& req_;
    const RecordCostFn& cost_;
    std::size_t expired_ = 0;
    RoomPlan plan_;
};

}  // namespace

RoomPlan make_room(RemoteSnapshot& head, std::set<std::string>& listing, const RoomRequest& request,
                   const RecordCostFn& cost) {
    Room room(head, listing, request, cost);
    if (room.excess() == 0) return room.take();
    const std::size_t full_run = std::max<std::size_t>(2, request.merge_limit / std::max<std::size_t>(request.seal_bytes, 1));
    room.trim_backups();
    room.fold(full_run);
    room.fold(2);
    return room.take();
}

}  // namespace ccu::sync
