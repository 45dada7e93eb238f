// SHA-1 (src/common/sha1.cpp) against FIPS 180 test vectors, fed whole and in pieces.
#include <catch2/catch.hpp>

#include <random>

#include "ccu/common/sha1.hpp"

using namespace ccu;

namespace {

std::string sha1_hex(std::string_view data) {
    Sha1 sha;
    sha.update(data);
    return sha.hex();
}

}  // namespace

TEST_CASE("sha1: the FIPS 180 vectors, including inputs across block boundaries", "[common][sha1]") {
    CHECK(sha1_hex("") == "da39a3ee5e6b4b0d3255bfef95601890afd80709");
    CHECK(sha1_hex("abc") == "a9993e364706816aba3e25717850c26c9cd0d89d");
    CHECK(sha1_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq") ==
          "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
    CHECK(sha1_hex(std::string(1000000, 'a')) == "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
}

TEST_CASE("sha1: any split of the input into updates gives the digest of the whole", "[common][sha1]") {
    std::mt19937 rng(5);
    std::string data(3000, '\0');
    for (auto& c : data) c = static_cast<char>(rng());
    const std::string whole = sha1_hex(data);
    for (int round = 0; round < 200; ++round) {
        Sha1 sha;
        for (std::size_t at = 0; at < data.size();) {
            const std::size_t n = std::min<std::size_t>(data.size() - at, rng() % 150);
            sha.update(std::string_view(data).substr(at, n));
            at += n;
        }
        CHECK(sha.hex() == whole);
    }
}
