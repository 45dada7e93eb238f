// Keeping the mirror bounded: every fetch and every commit adds a pack; they are repacked and joined
// in two levels (below). History stays: libgit2 1.5 has no shallow fetch, and its fetch
// negotiation and push ancestry check walk it.
#include <algorithm>
#include <cctype>
#include <cstring>
#include <fstream>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>
#include <system_error>

#include "git/mirror_impl.hpp"
#include "git/pack_join.hpp"

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

// Two levels keep the mirror small and every push's repack cheap (docs/architecture.md, "Git
// transport"):
// 1. The packs this mirror wrote for its own commits (store_new_objects: each holds one commit's
//    new objects, zlib'd but with no delta against the previous version of a file) are, once more
//    than max_packs pile up, written again into one pack with libgit2's delta search, limited to
//    the objects still reachable from the refs (a lost race's commit is dropped here). Only these
//    objects are searched: libgit2's packbuilder reuses no delta, so searching what fetches brought
//    (other machines' files, folded parts of up to 1 MiB, already delta-compressed by the server)
//    made every mirror re-do the work of every writer (10 machines: pushes of up to 5 s).
// 2. Every other pack (fetched, level-1 output, earlier joins) is kept as it came and joined with
//    others without recompression (pack_join.hpp) whenever their sizes leave the geometric
//    progression of factor 2: so there are about log2(mirror / smallest pack) packs, and each
//    byte is copied O(log n) times. Before, generations were only merged by the packbuilder while
//    they stayed within 512 objects, and a year of 48 pushes a day left 162 packs
//    (bench/mirror_year.cpp; now 3-12).
// <mirror>/ccu-mirror-packs holds "tips <commit>..." (the refs at the last level-1 repack: what
// they reach is in the kept packs) and one "own <stem>" line per own pack not yet repacked.
constexpr const char* kStateFile = "ccu-mirror-packs";
constexpr const char* kOldGenerationsFile = "ccu-packs";  // ccu before the pack joins: "<stem> <commit>..."
constexpr std::int64_t kDeltaWindowBytes = std::int64_t{256} << 10;
// Joins start above this many kept packs, so a fetch's small pack is not joined at once.
constexpr std::size_t kKeepPacks = 6;

struct PackState {
    std::vector<std::string> tips;
    std::vector<std::string> own;
};

PackState read_state(const fs::path& dir) {
    PackState state;
    std::ifstream in(dir / kStateFile);
    if (in) {
        for (std::string line; std::getline(in, line);) {
            std::istringstream words(line);
            std::string kind, word;
            words >> kind;
            while (words >> word) (kind == "tips" ? state.tips : state.own).push_back(word);
            if (kind != "tips" && kind != "own") state.own.clear();  // not ours: trust nothing of it
        }
        return state;
    }
    std::ifstream old(dir / kOldGenerationsFile);  // its generations' commits reach what its packs hold
    for (std::string line; std::getline(old, line);) {
        std::istringstream words(line);
        std::string stem;
        words >> stem;
        for (std::string c; words >> c;) state.tips.push_back(c);
    }
    return state;
}

// Written before any pack is deleted; a failed write leaves the old state, whose own packs that
// are gone are then skipped.
void write_state(const fs::path& dir, const PackState& state) {
    const fs::path tmp = dir / (std::string(kStateFile) + ".tmp");
    {
        std::ofstream out(tmp, std::ios::trunc);
        out << "tips";
        for (const auto& c : state.tips) out << ' ' << c;
        out << '\n';
        for (const auto& stem : state.own) out << "own " << stem << '\n';
    }
    std::error_code ec;
    fs::rename(tmp, dir / kStateFile, ec);
    fs::remove(dir / kOldGenerationsFile, ec);
}

std::string read_bytes(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return std::move(s).str();
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

// And no object above 512 KiB is searched at all (DeltaSearchLimit in repack_own): those are
// parts folded by the file budget (up to 1 MiB) and parts of a large push, written once, with no
// earlier version to delta against (a fold's best base, one of its parts, holds a fraction of it).
// Searching them grew with the folds of a 10-machine month: repack_own took 3.7x the CPU at days
// 21-23 of what it took at days 3-5 (bench/README.md, "The repack's size limit"). The current
// file, up to sync.seal_bytes (512 KiB over git by default, docs/format.md §5), is searched: its
// versions are deltas of each other, or the mirror would keep each one whole.
constexpr std::int64_t kRepackDeltaMaxBytes = std::int64_t{512} << 10;

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
    std::sort(tips.begin(), tips.end());
    tips.erase(std::unique(tips.begin(), tips.end()), tips.end());
    return tips;
}

ObjectId id_of(const git_oid& oid) {
    ObjectId id{};
    std::memcpy(id.data(), oid.id, id.size());
    return id;
}

// The objects of the own packs and the loose objects (ccu writes none; an older mirror may).
ObjectIdSet own_objects(const fs::path& objects, const std::vector<std::string>& own) {
    ObjectIdSet ids;
    for (const auto& stem : own) {
        for (const auto& e : parse_pack_index(read_bytes(objects / "pack" / (stem + ".idx")))) ids.insert(e.id);
    }
    std::error_code ec;
    for (const auto& dir : fs::directory_iterator(objects, ec)) {
        if (!dir.is_directory() || !is_loose_dir(dir.path())) continue;
        for (const auto& f : fs::directory_iterator(dir.path(), ec)) {
            git_oid oid{};
            if (git_oid_fromstr(&oid, (dir.path().filename().string() + f.path().filename().string()).c_str()) == 0) {
                ids.insert(id_of(oid));
            }
        }
    }
    return ids;
}

void insert_tree(git_packbuilder* p, git_repository* repo, const git_oid& tree_id, const ObjectIdSet& own) {
    if (!own.count(id_of(tree_id))) return;  // older: it and what it names are in kept packs
    lg::check(git_packbuilder_insert(p, &tree_id, nullptr), "repacking the mirror");
    git_tree* t = nullptr;
    lg::check(git_tree_lookup(&t, repo, &tree_id), "repacking the mirror");
    const lg::Tree tree(t);
    for (size_t i = 0, n = git_tree_entrycount(t); i < n; ++i) {
        const git_tree_entry* e = git_tree_entry_byindex(t, i);
        const git_oid* id = git_tree_entry_id(e);
        if (git_tree_entry_type(e) == GIT_OBJECT_TREE) {
            insert_tree(p, repo, *id, own);
        } else if (own.count(id_of(*id))) {
            lg::check(git_packbuilder_insert(p, id, nullptr), "repacking the mirror");
        }
    }
}

// Level 1: the own objects reachable from the refs, delta-searched into one pack (none when no
// own object is reachable).
void repack_own(git_repository* repo, const fs::path& pack_dir, const std::vector<std::string>& tips,
                       const ObjectIdSet& own) {
    git_revwalk* w = nullptr;
    lg::check(git_revwalk_new(&w, repo), "repacking the mirror");
    const lg::RevWalk walk(w);
    lg::check(git_revwalk_push_glob(w, "refs/*"), "repacking the mirror");
    for (const auto& c : tips) {
        const git_oid oid = lg::from_hex(c);
        git_revwalk_hide(w, &oid);  // a tip no longer held hides nothing: the walk just goes deeper
    }
    limit_delta_window(repo);
    const DeltaSearchLimit limit(repo, kRepackDeltaMaxBytes);
    git_packbuilder* p = nullptr;
    lg::check(git_packbuilder_new(&p, repo), "repacking the mirror");
    const lg::PackBuilder pack(p);
    for (git_oid c{}; git_revwalk_next(&c, w) == 0;) {
        if (own.count(id_of(c))) lg::check(git_packbuilder_insert(p, &c, nullptr), "repacking the mirror");
        git_commit* commit = nullptr;
        lg::check(git_commit_lookup(&commit, repo, &c), "repacking the mirror");
        const lg::Commit holder(commit);
        insert_tree(p, repo, *git_commit_tree_id(commit), own);
    }
    if (git_packbuilder_object_count(p) == 0) return;
    lg::check(git_packbuilder_write(p, pack_dir.c_str(), 0, nullptr, nullptr), "repacking the mirror");
}

std::vector<std::string> pack_stems(const fs::path& pack_dir) {
    std::vector<std::string> stems;
    std::error_code ec;
    for (const auto& f : fs::directory_iterator(pack_dir, ec)) {
        if (f.path().extension() == ".idx" && fs::exists(fs::path(f.path()).replace_extension(".pack"))) {
            stems.push_back(f.path().stem().string());
        }
    }
    std::sort(stems.begin(), stems.end());
    return stems;
}

}  // namespace

void Mirror::Impl::note_own_pack(const std::string& stem) {
    std::error_code ec;
    if (!fs::exists(options.dir / kStateFile, ec)) {
        // A new state: the packs already there (fetched, or of an older ccu) count as kept, and
        // the commits of an older ccu's generations reach what they hold.
        write_state(options.dir, read_state(options.dir));
    }
    std::ofstream out(options.dir / kStateFile, std::ios::app);
    out << "own " << stem << '\n';
}

void Mirror::Impl::maintain() {
    const fs::path objects = options.dir / "objects";
    const fs::path pack_dir = objects / "pack";
    PackState state = read_state(options.dir);
    const std::vector<std::string> stems = pack_stems(pack_dir);
    const std::set<std::string> present(stems.begin(), stems.end());
    std::erase_if(state.own, [&](const std::string& s) { return !present.count(s); });
    const ObjectCounts counts = count_objects(objects);
    std::vector<std::string> remove;
    bool repacked = false;
    if (static_cast<int>(state.own.size()) > options.max_packs || counts.loose > options.max_loose_objects) {
        repack_own(repo.get(), pack_dir, state.tips, own_objects(objects, state.own));
        remove = state.own;
        state = {ref_tips(repo.get()), {}};
        write_state(options.dir, state);
        repacked = true;
    }
    // Level 2: the kept packs, joined when their sizes leave the geometric progression.
    std::vector<std::string> kept;
    std::vector<std::uint64_t> sizes;
    const std::set<std::string> own(state.own.begin(), state.own.end());
    std::error_code ec;
    for (const auto& stem : pack_stems(pack_dir)) {
        if (own.count(stem) || std::find(remove.begin(), remove.end(), stem) != remove.end()) continue;
        kept.push_back(stem);
        sizes.push_back(fs::file_size(pack_dir / (stem + ".pack"), ec));
    }
    std::vector<std::string> joined;
    for (const std::size_t i : geometric_join(sizes, kKeepPacks)) joined.push_back(kept[i]);
    if (!joined.empty()) {
        const std::string into = join_packs(pack_dir, joined);
        std::erase(joined, into);  // inputs whose join is byte for byte one of them: that one stays
        remove.insert(remove.end(), joined.begin(), joined.end());
    }
    if (!repacked && joined.empty()) return;
    fs::remove(options.dir / "ccu-base-pack", ec);  // the single base pack of earlier versions

    repo.reset();  // libgit2 keeps packs open and mapped: delete only with the repository closed
    for (const auto& stem : remove) {
        for (const char* ext : {".pack", ".idx", ".rev", ".keep", ".bitmap"}) fs::remove(pack_dir / (stem + ext), ec);
    }
    if (repacked) {  // what of them is reachable is in the level-1 pack
        for (const auto& dir : fs::directory_iterator(objects, ec)) {
            if (dir.is_directory() && is_loose_dir(dir.path())) fs::remove_all(dir.path(), ec);
        }
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
