#pragma once
#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace ccu {

// SHA-1 (FIPS 180-4) for git's identifiers only (blob ids, a pack's trailer): content
// addressing, not a security boundary.
class Sha1 {
public:
    void update(std::string_view data);
    std::array<std::uint8_t, 20> digest();  // finishes the hash: call once
    std::string hex();                      // digest() as 40 lowercase hex digits

private:
    void compress(const std::uint8_t* block);

    std::array<std::uint32_t, 5> h_{0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0};
    std::array<std::uint8_t, 64> block_{};
    std::size_t fill_ = 0;
    std::uint64_t length_ = 0;
};

}  // namespace ccu
