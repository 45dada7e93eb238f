#include "git/pack_join.hpp"

#include <algorithm>
#include <array>
#include <cstring>
#include <fstream>
#include <numeric>
#include <sstream>

#include "ccu/common/sha1.hpp"
#include "git/libgit.hpp"

namespace ccu::git {
namespace fs = std::filesystem;
namespace {

constexpr int kOfsDelta = 6;
constexpr int kRefDelta = 7;

[[noreturn]] void malformed(const std::string& what) { throw lg::Failure(-1, GIT_ERROR_ODB, "joining packs: " + what); }

std::uint32_t be32(std::string_view s, std::size_t at) {
    if (at + 4 > s.size()) malformed("a pack index is cut short");
    const auto* p = reinterpret_cast<const unsigned char*>(s.data() + at);
    return std::uint32_t{p[0]} << 24 | std::uint32_t{p[1]} << 16 | std::uint32_t{p[2]} << 8 | p[3];
}

void put_be32(std::string& out, std::uint32_t v) {
    for (int shift = 24; shift >= 0; shift -= 8) out += static_cast<char>((v >> shift) & 0xFF);
}

std::string read_file(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) malformed("cannot read " + path.filename().string());
    std::ostringstream s;
    s << in.rdbuf();
    return std::move(s).str();
}

}  // namespace

std::size_t ObjectIdHash::operator()(const ObjectId& id) const noexcept {
    std::size_t h = 0;
    std::memcpy(&h, id.data(), sizeof h);  // a SHA-1 is uniform already
    return h;
}

std::vector<PackIndexEntry> parse_pack_index(std::string_view idx) {
    if (idx.size() < 8 + 256 * 4 || idx.substr(0, 4) != std::string_view("\377tOc", 4) || be32(idx, 4) != 2) {
        malformed("not a version 2 pack index");
    }
    const std::size_t n = be32(idx, 8 + 255 * 4);
    const std::size_t ids = 8 + 256 * 4, offsets = ids + n * 20 + n * 4, large = offsets + n * 4;
    if (large + 40 > idx.size()) malformed("a pack index is cut short");
    std::vector<PackIndexEntry> out(n);
    for (std::size_t i = 0; i < n; ++i) {
        std::memcpy(out[i].id.data(), idx.data() + ids + 20 * i, 20);
        const std::uint32_t small = be32(idx, offsets + 4 * i);
        if (small & 0x80000000U) {
            const std::size_t at = large + 8 * (small & 0x7FFFFFFFU);
            out[i].offset = std::uint64_t{be32(idx, at)} << 32 | be32(idx, at + 4);
        } else {
            out[i].offset = small;
        }
    }
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.offset < b.offset; });
    return out;
}

std::uint32_t crc32(std::string_view bytes, std::uint32_t crc) {
    static const std::array<std::uint32_t, 256> table = [] {
        std::array<std::uint32_t, 256> t{};
        for (std::uint32_t i = 0; i < 256; ++i) {
            std::uint32_t c = i;
            for (int k = 0; k < 8; ++k) c = (c & 1U) ? 0xEDB88320U ^ (c >> 1) : c >> 1;
            t[i] = c;
        }
        return t;
    }();
    crc = ~crc;
    for (const char ch : bytes) crc = table[(crc ^ static_cast<unsigned char>(ch)) & 0xFFU] ^ (crc >> 8);
    return ~crc;
}

std::string write_pack_index(std::vector<PlacedEntry> entries, const ObjectId& pack_checksum) {
    std::sort(entries.begin(), entries.end(), [](const PlacedEntry& a, const PlacedEntry& b) { return a.id < b.id; });
    std::string idx("\377tOc", 4);
    put_be32(idx, 2);
    std::size_t at = 0;
    for (int byte = 0; byte < 256; ++byte) {
        while (at < entries.size() && entries[at].id[0] == byte) ++at;
        put_be32(idx, static_cast<std::uint32_t>(at));
    }
    for (const auto& e : entries) idx.append(reinterpret_cast<const char*>(e.id.data()), e.id.size());
    for (const auto& e : entries) put_be32(idx, e.crc);
    std::string large;
    std::uint32_t large_count = 0;
    for (const auto& e : entries) {
        if (e.offset < 0x80000000ULL) {
            put_be32(idx, static_cast<std::uint32_t>(e.offset));
            continue;
        }
        put_be32(idx, 0x80000000U | large_count++);
        put_be32(large, static_cast<std::uint32_t>(e.offset >> 32));
        put_be32(large, static_cast<std::uint32_t>(e.offset & 0xFFFFFFFFULL));
    }
    idx += large;
    idx.append(reinterpret_cast<const char*>(pack_checksum.data()), pack_checksum.size());
    Sha1 sha;
    sha.update(idx);
    const auto own = sha.digest();
    idx.append(reinterpret_cast<const char*>(own.data()), own.size());
    return idx;
}

std::uint32_t append_pack_entries(std::string_view pack, const std::vector<PackIndexEntry>& index, ObjectIdSet& seen,
                                  std::string& out, std::vector<PlacedEntry>* placed) {
    if (pack.size() < 32 || pack.substr(0, 4) != "PACK") malformed("not a pack");
    const std::uint64_t end_of_entries = pack.size() - 20;
    std::uint32_t written = 0;
    for (std::size_t i = 0; i < index.size(); ++i) {
        const std::uint64_t start = index[i].offset;
        const std::uint64_t end = i + 1 < index.size() ? index[i + 1].offset : end_of_entries;
        if (start < 12 || end > end_of_entries || start >= end) malformed("an entry lies outside its pack");
        if (!seen.insert(index[i].id).second) continue;  // the same object from an earlier pack
        std::size_t at = start;
        auto byte = [&]() -> unsigned char {
            if (at >= end) malformed("an entry header is cut short");
            return static_cast<unsigned char>(pack[at++]);
        };
        unsigned char c = byte();
        const int type = (c >> 4) & 7;
        while (c & 0x80) c = byte();  // the rest of the size
        const std::size_t header_end = at;
        const std::size_t placed_at = out.size();
        auto place = [&] {
            ++written;
            if (placed) {
                const std::string_view bytes(out.data() + placed_at, out.size() - placed_at);
                placed->push_back(PlacedEntry{index[i].id, placed_at, crc32(bytes)});
            }
        };
        if (type != kOfsDelta) {
            out.append(pack.substr(start, end - start));
            place();
            continue;
        }
        c = byte();
        std::uint64_t distance = c & 0x7F;
        while (c & 0x80) {
            c = byte();
            distance = ((distance + 1) << 7) | (c & 0x7F);
        }
        if (distance == 0 || distance > start) malformed("an offset delta points outside its pack");
        const std::uint64_t base_offset = start - distance;
        const auto base = std::lower_bound(index.begin(), index.end(), base_offset,
                                           [](const PackIndexEntry& e, std::uint64_t off) { return e.offset < off; });
        if (base == index.end() || base->offset != base_offset) malformed("an offset delta has no base entry");
        std::string header(pack.substr(start, header_end - start));
        header[0] = static_cast<char>((static_cast<unsigned char>(header[0]) & 0x8F) | (kRefDelta << 4));
        out += header;
        out.append(reinterpret_cast<const char*>(base->id.data()), 20);
        out.append(pack.substr(at, end - at));
        place();
    }
    return written;
}

std::vector<std::size_t> geometric_join(const std::vector<std::uint64_t>& sizes, std::size_t keep_below) {
    if (sizes.size() <= keep_below || sizes.size() < 2) return {};
    std::vector<std::size_t> order(sizes.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return sizes[a] < sizes[b]; });
    // The largest position where the progression breaks: everything up to it is joined.
    std::size_t split = 0;
    std::uint64_t below = sizes[order[0]];
    for (std::size_t i = 1; i < order.size(); ++i) {
        if (sizes[order[i]] < 2 * below) split = i;
        below += sizes[order[i]];
    }
    std::uint64_t joined = 0;
    for (std::size_t i = 0; i <= split; ++i) joined += sizes[order[i]];
    // The joined pack may itself break the progression with the next ones: take them in too.
    std::size_t n = split + 1;
    while (n < order.size() && sizes[order[n]] < 2 * joined) joined += sizes[order[n++]];
    if (n < 2) return {};
    return {order.begin(), order.begin() + static_cast<std::ptrdiff_t>(n)};
}

namespace {

using Indexer = std::unique_ptr<git_indexer, lg::Deleter<git_indexer, git_indexer_free>>;

Indexer new_indexer(git_odb* odb, const fs::path& pack_dir) {
    git_indexer_options opts = GIT_INDEXER_OPTIONS_INIT;
    git_indexer* raw = nullptr;
    lg::check(git_indexer_new(&raw, pack_dir.c_str(), 0, odb, &opts), "indexing a pack");
    return Indexer(raw);
}

std::string finish(git_indexer* idx, git_indexer_progress& progress) {
    lg::check(git_indexer_commit(idx, &progress), "indexing a pack");
    return std::string("pack-") + git_indexer_name(idx);
}

}  // namespace

std::string index_pack(git_odb* odb, const fs::path& pack_dir, std::string_view pack) {
    const Indexer idx = new_indexer(odb, pack_dir);
    git_indexer_progress progress{};
    lg::check(git_indexer_append(idx.get(), pack.data(), pack.size(), &progress), "indexing a pack");
    return finish(idx.get(), progress);
}

// Streamed one input pack at a time to a temporary file (a year's mirror is tens of MB): the
// header's count comes from the indexes first. The pack is renamed to its name before its index
// is, so a reader never finds an index without its pack.
std::string join_packs(const fs::path& pack_dir, const std::vector<std::string>& stems) {
    lg::ensure_initialized();  // called outside a Mirror too (tests/unit/git/pack_join_test.cpp)
    std::vector<std::vector<PackIndexEntry>> indexes;
    ObjectIdSet ids;
    for (const auto& stem : stems) {
        indexes.push_back(parse_pack_index(read_file(pack_dir / (stem + ".idx"))));
        for (const auto& e : indexes.back()) ids.insert(e.id);
    }
    const fs::path tmp_pack = pack_dir / "ccu-join.pack.tmp";
    std::ofstream file(tmp_pack, std::ios::binary | std::ios::trunc);
    if (!file) malformed("cannot write " + tmp_pack.filename().string());
    Sha1 sha;
    std::uint64_t size = 0;
    auto emit = [&](std::string_view bytes) {
        sha.update(bytes);
        file.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
        size += bytes.size();
    };
    std::string header("PACK", 4);
    put_be32(header, 2);
    put_be32(header, static_cast<std::uint32_t>(ids.size()));
    emit(header);
    ObjectIdSet seen;
    std::vector<PlacedEntry> placed;
    placed.reserve(ids.size());
    for (std::size_t i = 0; i < stems.size(); ++i) {
        std::string entries;
        const std::size_t first = placed.size();
        append_pack_entries(read_file(pack_dir / (stems[i] + ".pack")), indexes[i], seen, entries, &placed);
        for (std::size_t k = first; k < placed.size(); ++k) placed[k].offset += size;
        emit(entries);
    }
    if (placed.size() != ids.size()) malformed("the packs' indexes and contents disagree");
    const ObjectId trailer = sha.digest();
    file.write(reinterpret_cast<const char*>(trailer.data()), trailer.size());
    file.close();
    if (!file) malformed("cannot write " + tmp_pack.filename().string());
    git_oid name{};
    std::memcpy(name.id, trailer.data(), trailer.size());
    const std::string stem = "pack-" + lg::to_hex(name);
    const std::string idx = write_pack_index(std::move(placed), trailer);
    const fs::path tmp_idx = pack_dir / "ccu-join.idx.tmp";
    {
        std::ofstream out(tmp_idx, std::ios::binary | std::ios::trunc);
        out.write(idx.data(), static_cast<std::streamsize>(idx.size()));
        if (!out) malformed("cannot write " + tmp_idx.filename().string());
    }
    std::error_code ec;
    fs::rename(tmp_pack, pack_dir / (stem + ".pack"), ec);
    if (!ec) fs::rename(tmp_idx, pack_dir / (stem + ".idx"), ec);
    if (ec) malformed("cannot name the joined pack " + stem + ": " + ec.message());
    return stem;
}

}  // namespace ccu::git
