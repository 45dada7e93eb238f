#include "git/delta.hpp"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <unordered_map>

namespace ccu::git {
namespace {

constexpr std::size_t kBlock = 16;
constexpr std::size_t kMaxCopy = 0x10000;  // git's diff-delta limit, for every reader's sake
constexpr std::size_t kMaxInsert = 0x7f;

void put_size(std::string& out, std::size_t size) {
    do {
        unsigned char byte = size & 0x7fU;
        size >>= 7;
        if (size != 0) byte |= 0x80U;
        out.push_back(static_cast<char>(byte));
    } while (size != 0);
}

void put_insert(std::string& out, std::string_view literal) {
    while (!literal.empty()) {
        const std::size_t n = std::min(literal.size(), kMaxInsert);
        out.push_back(static_cast<char>(n));
        out.append(literal.substr(0, n));
        literal.remove_prefix(n);
    }
}

void put_copy(std::string& out, std::size_t offset, std::size_t size) {
    while (size > 0) {
        const std::size_t n = std::min(size, kMaxCopy);
        std::string op(1, '\0');
        unsigned char flags = 0x80U;
        for (int i = 0; i < 4; ++i) {
            const auto byte = static_cast<unsigned char>((offset >> (8 * i)) & 0xffU);
            if (byte != 0) {
                flags |= static_cast<unsigned char>(1U << i);
                op.push_back(static_cast<char>(byte));
            }
        }
        const std::size_t encoded = n == kMaxCopy ? 0 : n;  // size 0 means 0x10000
        for (int i = 0; i < 3; ++i) {
            const auto byte = static_cast<unsigned char>((encoded >> (8 * i)) & 0xffU);
            if (byte != 0) {
                flags |= static_cast<unsigned char>(0x10U << i);
                op.push_back(static_cast<char>(byte));
            }
        }
        op[0] = static_cast<char>(flags);
        out += op;
        offset += n;
        size -= n;
    }
}

std::size_t read_size(std::string_view delta, std::size_t& at) {
    std::size_t size = 0;
    int shift = 0;
    for (;;) {
        if (at >= delta.size() || shift > 56) throw std::invalid_argument("truncated delta header");
        const auto byte = static_cast<unsigned char>(delta[at++]);
        size |= static_cast<std::size_t>(byte & 0x7fU) << shift;
        shift += 7;
        if ((byte & 0x80U) == 0) return size;
    }
}

}  // namespace

std::string make_delta(std::string_view base, std::string_view target) {
    std::string out;
    put_size(out, base.size());
    put_size(out, target.size());
    // Blocks of the base at every kBlock-th offset; the first of equal blocks wins.
    std::unordered_map<std::string_view, std::size_t> blocks;
    blocks.reserve(base.size() / kBlock + 1);
    for (std::size_t at = 0; at + kBlock <= base.size(); at += kBlock) blocks.emplace(base.substr(at, kBlock), at);
    std::size_t pending = 0;  // start of the literal run not yet written
    std::size_t at = 0;
    while (at + kBlock <= target.size()) {
        const auto hit = blocks.find(target.substr(at, kBlock));
        if (hit == blocks.end()) {
            ++at;
            continue;
        }
        std::size_t from = hit->second;
        std::size_t begin = at;
        while (begin > pending && from > 0 && target[begin - 1] == base[from - 1]) --begin, --from;
        std::size_t end = at + kBlock;
        std::size_t base_end = hit->second + kBlock;
        while (end < target.size() && base_end < base.size() && target[end] == base[base_end]) ++end, ++base_end;
        put_insert(out, target.substr(pending, begin - pending));
        put_copy(out, from, end - begin);
        pending = at = end;
    }
    put_insert(out, target.substr(pending));
    return out;
}

std::string apply_delta(std::string_view base, std::string_view delta) {
    std::size_t at = 0;
    if (read_size(delta, at) != base.size()) throw std::invalid_argument("delta made from another base");
    const std::size_t size = read_size(delta, at);
    std::string out;
    out.reserve(size);
    while (at < delta.size()) {
        const auto op = static_cast<unsigned char>(delta[at++]);
        if ((op & 0x80U) == 0) {
            if (op == 0 || at + op > delta.size()) throw std::invalid_argument("bad delta insert");
            out.append(delta.substr(at, op));
            at += op;
            continue;
        }
        std::size_t offset = 0;
        std::size_t length = 0;
        for (int i = 0; i < 7; ++i) {
            if ((op & (1U << i)) == 0) continue;
            if (at >= delta.size()) throw std::invalid_argument("truncated delta copy");
            const auto byte = static_cast<std::size_t>(static_cast<unsigned char>(delta[at++]));
            if (i < 4) offset |= byte << (8 * i);
            else length |= byte << (8 * (i - 4));
        }
        if (length == 0) length = kMaxCopy;
        if (offset + length > base.size()) throw std::invalid_argument("delta copy outside its base");
        out.append(base.substr(offset, length));
    }
    if (out.size() != size) throw std::invalid_argument("delta result has the wrong size");
    return out;
}

}  // namespace ccu::git
