#include "git/thin_pack.hpp"

#include <algorithm>

#include "ccu/common/sha1.hpp"
#include "git/delta.hpp"
#include "git/zlib.hpp"

namespace ccu::git {
namespace {

constexpr int kRefDelta = 7;

void put_be32(std::string& out, std::uint32_t v) {
    for (int shift = 24; shift >= 0; shift -= 8) out += static_cast<char>((v >> shift) & 0xFF);
}

// An entry's header: type and inflated size, 4 bits then 7 bits a byte (gitformat-pack(5)).
void put_entry_header(std::string& out, int type, std::size_t size) {
    auto byte = static_cast<unsigned char>((type << 4) | static_cast<int>(size & 0x0fU));
    size >>= 4;
    while (size != 0) {
        out.push_back(static_cast<char>(byte | 0x80U));
        byte = static_cast<unsigned char>(size & 0x7fU);
        size >>= 7;
    }
    out.push_back(static_cast<char>(byte));
}

}  // namespace

std::optional<std::size_t> delta_base_for(std::string_view name, const std::vector<BaseCandidate>& base_files) {
    std::optional<std::size_t> best;
    std::size_t best_stem = 0;
    for (std::size_t i = 0; i < base_files.size(); ++i) {
        const std::string_view candidate = base_files[i].name;
        if (candidate == name) return i;
        if (!base_files[i].released) continue;
        const std::string_view stem = candidate.substr(0, candidate.rfind('.'));
        if (!stem.empty() && name.starts_with(stem) && stem.size() > best_stem) {
            best = i;
            best_stem = stem.size();
        }
    }
    return best;
}

bool PackObject::has_base() const {
    return std::any_of(base_id.begin(), base_id.end(), [](std::uint8_t b) { return b != 0; });
}

std::string write_thin_pack(const std::vector<PackObject>& objects) {
    std::string pack("PACK", 4);
    put_be32(pack, 2);
    put_be32(pack, static_cast<std::uint32_t>(objects.size()));
    for (const PackObject& object : objects) {
        std::string whole;
        if (object.has_base()) {
            const std::string instructions = make_delta(object.base_content, object.content);
            // A check, not a formality: a wrong delta would be stored by the server as this object.
            if (apply_delta(object.base_content, instructions) == object.content) {
                const std::string delta = zlib_compress(instructions);
                // A delta's instructions are its inserted bytes plus a few bytes a copy, and they
                // compress as the file does (record JSON about 4.6x, docs/format.md §5): a delta at
                // most half the file's size beats it whole without compressing the file to see
                // (the grown current file); above, both are compressed (a fold, a re-sealed file).
                if (instructions.size() > object.content.size() / 2) whole = zlib_compress(object.content);
                if (whole.empty() || delta.size() + object.base_id.size() < whole.size()) {
                    put_entry_header(pack, kRefDelta, instructions.size());
                    pack.append(reinterpret_cast<const char*>(object.base_id.data()), object.base_id.size());
                    pack += delta;
                    continue;
                }
            }
        }
        if (whole.empty()) whole = zlib_compress(object.content);
        put_entry_header(pack, static_cast<int>(object.type), object.content.size());
        pack += whole;
    }
    Sha1 sha;
    sha.update(pack);
    const auto trailer = sha.digest();
    pack.append(reinterpret_cast<const char*>(trailer.data()), trailer.size());
    return pack;
}

}  // namespace ccu::git
