// Keeping the mirror bounded: every fetch adds a pack and every commit loose objects; once either
// piles up, everything reachable from the refs is written into one new pack and the rest deleted.
// That drops what is unreachable (commits of lost races). History stays: libgit2 1.5 has no
// shallow fetch, and its fetch negotiation and push ancestry check walk it.
#include <cctype>
#include <system_error>

#include "git/mirror_impl.hpp"

namespace ccu::git {
namespace fs = std::filesystem;
namespace {

struct ObjectCounts {
    int loose = 0;
    int packs = 0;
};

bool is_loose_dir(const fs::path& p) {
    const std::string name = p.filename().string();
    return name.size() == 2 && std::isxdigit(static_cast<unsigned char>(name[0])) &&
           std::isxdigit(static_cast<unsigned char>(name[1]));
}

ObjectCounts count_objects(const fs::path& objects) {
    ObjectCounts counts;
    std::error_code ec;
    for (const auto& dir : fs::directory_iterator(objects, ec)) {
        if (dir.is_directory() && is_loose_dir(dir.path())) {
            for (const auto& f : fs::directory_iterator(dir.path(), ec)) counts.loose += f.is_regular_file() ? 1 : 0;
        }
    }
    for (const auto& f : fs::directory_iterator(objects / "pack", ec)) counts.packs += f.path().extension() == ".pack";
    return counts;
}

}  // namespace

void Mirror::Impl::maintain() {
    const fs::path objects = options.dir / "objects";
    const ObjectCounts counts = count_objects(objects);
    if (counts.loose <= options.max_loose_objects && counts.packs <= options.max_packs) return;

    git_revwalk* w = nullptr;
    lg::check(git_revwalk_new(&w, repo.get()), "repacking the mirror");
    const lg::RevWalk walk(w);
    lg::check(git_revwalk_push_glob(w, "refs/*"), "repacking the mirror");
    git_packbuilder* p = nullptr;
    lg::check(git_packbuilder_new(&p, repo.get()), "repacking the mirror");
    const lg::PackBuilder pack(p);
    lg::check(git_packbuilder_insert_walk(p, w), "repacking the mirror");
    lg::check(git_packbuilder_write(p, (objects / "pack").c_str(), 0, nullptr, nullptr), "repacking the mirror");
    const std::string keep = std::string("pack-") + git_packbuilder_name(p);

    repo.reset();  // libgit2 keeps packs open and mapped: delete only with the repository closed
    std::error_code ec;
    for (const auto& f : fs::directory_iterator(objects / "pack", ec)) {
        if (f.path().stem().string() != keep) fs::remove(f.path(), ec);
    }
    for (const auto& dir : fs::directory_iterator(objects, ec)) {
        if (dir.is_directory() && is_loose_dir(dir.path())) fs::remove_all(dir.path(), ec);
    }
    open();
}

std::uint64_t Mirror::disk_bytes() const {
    std::uint64_t total = 0;
    std::error_code ec;
    for (const auto& f : fs::recursive_directory_iterator(impl_->options.dir, ec)) {
        if (f.is_regular_file(ec)) total += f.file_size(ec);
    }
    return total;
}

}  // namespace ccu::git
