#include "store/key_order.hpp"

#include <algorithm>
#include <cstdint>
#include <unordered_map>

namespace ccu::store::detail {
namespace {

// The first 8 bytes, big-endian, zero-padded: integer order is the bytes' unsigned order
// (std::char_traits<char> compares as unsigned char) wherever the prefixes differ.
std::uint64_t prefix_of(std::string_view s) {
    std::uint64_t value = 0;
    for (std::size_t i = 0; i < 8; ++i) {
        value = (value << 8) | (i < s.size() ? static_cast<unsigned char>(s[i]) : 0U);
    }
    return value;
}

}  // namespace

std::vector<std::size_t> key_order(std::size_t count, const std::function<StringPair(std::size_t)>& key_at) {
    std::unordered_map<std::string_view, std::uint32_t> rank;
    for (std::size_t i = 0; i < count; ++i) rank.try_emplace(key_at(i).first, 0);
    std::vector<std::string_view> firsts;
    firsts.reserve(rank.size());
    for (const auto& [first, unused] : rank) firsts.push_back(first);
    std::sort(firsts.begin(), firsts.end());
    for (std::size_t i = 0; i < firsts.size(); ++i) rank[firsts[i]] = static_cast<std::uint32_t>(i);

    struct Item {
        std::uint64_t rank;
        std::uint64_t prefix;
        std::size_t index;
    };
    std::vector<Item> items(count);
    for (std::size_t i = 0; i < count; ++i) {
        const StringPair key = key_at(i);
        items[i] = {rank[key.first], prefix_of(key.second), i};
    }
    std::sort(items.begin(), items.end(), [&key_at](const Item& a, const Item& b) {
        if (a.rank != b.rank) return a.rank < b.rank;
        if (a.prefix != b.prefix) return a.prefix < b.prefix;
        return key_at(a.index).second < key_at(b.index).second;
    });
    std::vector<std::size_t> order(items.size());
    for (std::size_t i = 0; i < items.size(); ++i) order[i] = items[i].index;
    return order;
}

}  // namespace ccu::store::detail
