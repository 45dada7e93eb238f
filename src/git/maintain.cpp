// Keeping the mirror bounded: every fetch and every commit adds a pack; once they pile up, what is
// reachable from the refs and newer than the kept generations is written into one new pack and
// the rest deleted. That drops what is unreachable (commits of lost races). History stays: libgit2
// 1.5 has no shallow fetch, and its fetch negotiation and push ancestry check walk it.
#include <cctype>
#include <fstream>
#include <optional>
#include <set>
#include <sstream>
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

// The packs of earlier repacks, oldest first, one line each in <mirror>/ccu-packs: "<pack stem>
// <commit>...", the commits being the refs when that pack was made. A pack holds what is reachable
// from its commits and not from the commits of the packs before it. A repack writes what is newer
// than some generation into one pack and drops the generations above it; it merges generations
// while the next older one has at most twice the objects of what is being packed (geometric, as
// `git repack --geometric=2`) and the pack it writes stays within kMaxPackedObjects. libgit2's
// packbuilder reuses no delta, so what a repack costs is the delta search of every object it
// writes: one growing "newer than the base" pack made each push slower than the one before
// (bench/sync_month.cpp, 1 s to 7 s in six simulated days), and generations merged up to 2048
// objects made one push in a few pay a second of CPU (10 machines, a mirror taking in ten
// machines' objects). With the bound, no repack writes more than kMaxPackedObjects objects, or
// than what came in since the last repack when that alone is more.
struct Generation {
    std::string stem;
    std::vector<std::string> commits;
};

constexpr const char* kGenerationsFile = "ccu-packs";
constexpr std::int64_t kDeltaWindowBytes = std::int64_t{256} << 10;
// The most objects a repack writes when it merges older generations (what came in since the last
// repack is written whatever its size): a generation grows no larger by merging, so after a year
// of 48 pushes a day the mirror holds a few hundred packs (bench/mirror_year.cpp).
constexpr std::uint64_t kMaxPackedObjects = 512;

std::vector<Generation> read_generations(const fs::path& dir) {
    std::vector<Generation> gens;
    std::ifstream in(dir / kGenerationsFile);
    for (std::string line; std::getline(in, line);) {
        std::istringstream words(line);
        Generation g;
        if (!(words >> g.stem)) continue;
        for (std::string c; words >> c;) g.commits.push_back(c);
        gens.push_back(std::move(g));
    }
    return gens;
}

// Written before any pack is deleted; a failed write leaves the old list, whose missing packs
// then make the next repack a full one.
void write_generations(const fs::path& dir, const std::vector<Generation>& gens) {
    const fs::path tmp = dir / (std::string(kGenerationsFile) + ".tmp");
    {
        std::ofstream out(tmp, std::ios::trunc);
        for (const auto& g : gens) {
            out << g.stem;
            for (const auto& c : g.commits) out << ' ' << c;
            out << '\n';
        }
    }
    std::error_code ec;
    fs::rename(tmp, dir / kGenerationsFile, ec);
}

// Objects in a pack, from its .idx (version 2: magic, version, 256-entry fan-out; the last entry is
// the count). 0 when unreadable: such a pack is then simply merged.
std::uint64_t pack_objects(const fs::path& idx) {
    std::ifstream in(idx, std::ios::binary);
    unsigned char header[8 + 256 * 4];
    if (!in.read(reinterpret_cast<char*>(header), sizeof header)) return 0;
    const unsigned char* last = header + 8 + 255 * 4;
    return (std::uint64_t{last[0]} << 24) | (std::uint64_t{last[1]} << 16) | (std::uint64_t{last[2]} << 8) | last[3];
}

// libgit2 tries each object against the 10 before it (sorted by name and size), each try costing
// the object's size: with 128 KiB current files that search was most of a push's CPU (still 60%
// of it, in libgit2's delta code, for ten machines with a 1 MiB cap). The best base of a current
// file is its previous version, next to it in that order, and the window always keeps the one
// object before, so capping the candidates at 256 KiB (pack.windowMemory, read by
// git_packbuilder) tries a 128 KiB file against about that one. It costs compression: at day 90
// of bench_mirror_year the mirror is 0.41 of the gist's data, 0.26 with 1 MiB (bench/README.md).
void limit_delta_window(git_repository* repo) {
    git_config* cfg = nullptr;
    lg::check(git_repository_config(&cfg, repo), "repacking the mirror");
    std::int64_t current = 0;
    if (git_config_get_int64(&current, cfg, "pack.windowMemory") != 0 || current != kDeltaWindowBytes) {
        git_config_set_int64(cfg, "pack.windowMemory", kDeltaWindowBytes);
    }
    git_config_free(cfg);
}

std::vector<std::string> ref_tips(git_repository* repo) {
    std::vector<std::string> tips;
    for (const char* ref : {"refs/remotes/origin/", "refs/heads/"}) {
        git_reference_iterator* it = nullptr;
        if (git_reference_iterator_glob_new(&it, repo, (std::string(ref) + "*").c_str()) != 0) continue;
        for (git_reference* r = nullptr; git_reference_next(&r, it) == 0; git_reference_free(r)) {
            if (const git_oid* id = git_reference_target(r)) tips.push_back(lg::to_hex(*id));
        }
        git_reference_iterator_free(it);
    }
    return tips;
}

}  // namespace

void Mirror::Impl::maintain() {
    const fs::path objects = options.dir / "objects";
    const fs::path pack_dir = objects / "pack";
    // The generations still on disk; one missing means its objects may be gone: start afresh.
    std::vector<Generation> gens = read_generations(options.dir);
    std::set<std::string> kept;
    for (const auto& g : gens) {
        if (!fs::exists(pack_dir / (g.stem + ".idx"))) {
            gens.clear();
            kept.clear();
            break;
        }
        kept.insert(g.stem);
    }
    // The trigger counts the packs added since (a fetch or a commit adds one), not the generations.
    const ObjectCounts counts = count_objects(objects);
    const int added_packs = counts.packs - static_cast<int>(kept.size());
    if (counts.loose <= options.max_loose_objects && added_packs <= options.max_packs) return;
    std::uint64_t pending = static_cast<std::uint64_t>(counts.loose);
    std::error_code ec;
    for (const auto& f : fs::directory_iterator(pack_dir, ec)) {
        if (f.path().extension() == ".idx" && !kept.count(f.path().stem().string())) pending += pack_objects(f.path());
    }
    for (std::uint64_t top = 0; !gens.empty(); gens.pop_back(), pending += top) {
        top = pack_objects(pack_dir / (gens.back().stem + ".idx"));
        if (top > 2 * pending || pending + top > kMaxPackedObjects) break;
    }

    git_revwalk* w = nullptr;
    lg::check(git_revwalk_new(&w, repo.get()), "repacking the mirror");
    const lg::RevWalk walk(w);
    lg::check(git_revwalk_push_glob(w, "refs/*"), "repacking the mirror");
    for (const auto& g : gens) {
        for (const auto& c : g.commits) {
            const git_oid oid = lg::from_hex(c);
            lg::check(git_revwalk_hide(w, &oid), "repacking the mirror");  // its objects are in that pack
        }
    }
    limit_delta_window(repo.get());
    git_packbuilder* p = nullptr;
    lg::check(git_packbuilder_new(&p, repo.get()), "repacking the mirror");
    const lg::PackBuilder pack(p);
    lg::check(git_packbuilder_insert_walk(p, w), "repacking the mirror");
    lg::check(git_packbuilder_write(p, pack_dir.c_str(), 0, nullptr, nullptr), "repacking the mirror");
    gens.push_back({std::string("pack-") + git_packbuilder_name(p), ref_tips(repo.get())});
    write_generations(options.dir, gens);
    fs::remove(options.dir / "ccu-base-pack", ec);  // the single base pack of earlier versions

    repo.reset();  // libgit2 keeps packs open and mapped: delete only with the repository closed
    std::set<std::string> keep;
    for (const auto& g : gens) keep.insert(g.stem);
    for (const auto& f : fs::directory_iterator(pack_dir, ec)) {
        if (!keep.count(f.path().stem().string())) fs::remove(f.path(), ec);
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
