#pragma once
// Sorting the bulk load's rows into key order without comparing whole strings each time.
#include <cstddef>
#include <functional>
#include <string_view>
#include <utility>
#include <vector>

namespace ccu::store::detail {

using StringPair = std::pair<std::string_view, std::string_view>;

// The permutation that puts the keys key_at(0..count-1) in the order of std::pair<std::string_view,
// std::string_view>'s operator< (the order of SQLite's BINARY collation on both columns).
// Sorting 125k (session, uuid) pairs directly spent most of its time in memcmp of the equal
// 36-byte session ids (bench/README.md, cold figures): here each first string is replaced by
// its rank among the distinct ones and the second by its first 8 bytes as an integer, and
// whole strings are compared only when both of those tie. Equal keys keep no particular order.
std::vector<std::size_t> key_order(std::size_t count, const std::function<StringPair(std::size_t)>& key_at);

}  // namespace ccu::store::detail
