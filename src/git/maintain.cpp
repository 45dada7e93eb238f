// Keeping the mirror bounded: every fetch adds a pack and every commit loose objects; once either
// piles up, everything reachable from the refs is written into one new pack and the rest deleted.
// That drops what is unreachable (commits of lost races). History stays: libgit2 1.5 has no
// shallow fetch, and its fetch negotiation and push ancestry check walk it.
#include <cctype>
#include <fstream>
#include <optional>
#include <string>
#include <vector>
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

namespace {

// The pack of the last full repack and the commits it was made from ("<pack stem> <commit>..."
// in <mirror>/ccu-base-pack). Later repacks leave it alone and pack only what is newer, until the
// newer packs outgrow it: each object is re-packed O(log n) times, not at every repack.
struct BasePack {
    std::string stem;
    std::vector<std::string> commits;
};

std::optional<BasePack> read_base(const fs::path& dir) {
    std::ifstream in(dir / "ccu-base-pack");
    BasePack base;
    if (!(in >> base.stem)) return std::nullopt;
    for (std::string c; in >> c;) base.commits.push_back(c);
    return base;
}

std::uint64_t pack_bytes(const fs::path& pack_dir, const std::string& stem, bool want_stem) {
    std::uint64_t total = 0;
    std::error_code ec;
    for (const auto& f : fs::directory_iterator(pack_dir, ec)) {
        if (f.path().extension() == ".pack" && (f.path().stem().string() == stem) == want_stem) total += f.file_size(ec);
    }
    return total;
}

}  // namespace

void Mirror::Impl::maintain() {
    const fs::path objects = options.dir / "objects";
    const fs::path pack_dir = objects / "pack";
    const ObjectCounts counts = count_objects(objects);
    if (counts.loose <= options.max_loose_objects && counts.packs <= options.max_packs) return;

    std::optional<BasePack> base = read_base(options.dir);
    if (base && (!fs::exists(pack_dir / (base->stem + ".pack")) ||
                 pack_bytes(pack_dir, base->stem, false) > pack_bytes(pack_dir, base->stem, true))) {
        base.reset();  // gone, or outgrown: a full repack
    }
    git_revwalk* w = nullptr;
    lg::check(git_revwalk_new(&w, repo.get()), "repacking the mirror");
    const lg::RevWalk walk(w);
    lg::check(git_revwalk_push_glob(w, "refs/*"), "repacking the mirror");
    if (base) {
        for (const auto& c : base->commits) {
            const git_oid oid = lg::from_hex(c);
            lg::check(git_revwalk_hide(w, &oid), "repacking the mirror");  // its objects are in the base pack
        }
    }
    git_packbuilder* p = nullptr;
    lg::check(git_packbuilder_new(&p, repo.get()), "repacking the mirror");
    const lg::PackBuilder pack(p);
    lg::check(git_packbuilder_insert_walk(p, w), "repacking the mirror");
    lg::check(git_packbuilder_write(p, pack_dir.c_str(), 0, nullptr, nullptr), "repacking the mirror");
    const std::string written = std::string("pack-") + git_packbuilder_name(p);
    if (!base) {
        std::string heads = written;
        for (const char* ref : {"refs/remotes/origin/", "refs/heads/"}) {
            git_reference_iterator* it = nullptr;
            if (git_reference_iterator_glob_new(&it, repo.get(), (std::string(ref) + "*").c_str()) != 0) continue;
            for (git_reference* r = nullptr; git_reference_next(&r, it) == 0; git_reference_free(r)) {
                if (const git_oid* id = git_reference_target(r)) heads += " " + lg::to_hex(*id);
            }
            git_reference_iterator_free(it);
        }
        std::ofstream(options.dir / "ccu-base-pack", std::ios::trunc) << heads << "\n";
    }

    repo.reset();  // libgit2 keeps packs open and mapped: delete only with the repository closed
    std::error_code ec;
    for (const auto& f : fs::directory_iterator(pack_dir, ec)) {
        const std::string stem = f.path().stem().string();
        if (stem != written && !(base && stem == base->stem)) fs::remove(f.path(), ec);
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
