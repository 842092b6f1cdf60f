// TextHash reads short ids as two words: every byte of an id of up to 16 bytes, and every bit
// of each byte, must reach the hash, and sequential ids must spread over the buckets of a
// table of either kind libstdc++ or another library may use (a prime or a power of two).
#include "backend/engine/context.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

namespace kvittens::backend::detail {
namespace {

// Every string of length n over {x, y}, so each byte position is the only difference
// between some pair.
std::vector<std::string> all_of_length(std::size_t n, char x, char y) {
  std::vector<std::string> out;
  for (unsigned bits = 0; bits < (1u << n); ++bits) {
    std::string s(n, x);
    for (std::size_t i = 0; i < n; ++i)
      if (bits >> i & 1) s[i] = y;
    out.push_back(s);
  }
  return out;
}

TEST(TextHash, SeesEveryByteOfIdsUpTo16Bytes) {
  const TextHash hash;
  // 'a'/'b' differ in the low bits; 0x00/0xFF in all eight, and 'a'/0xE9 in the sign bit too
  // (a byte read as a signed char would spill into its neighbours).
  for (const auto& [x, y] : {std::pair<char, char>{'a', 'b'}, std::pair<char, char>{'\x00', '\xFF'},
                             std::pair<char, char>{'a', '\xE9'}})
    for (std::size_t n = 0; n <= 16; ++n) {
      std::unordered_set<std::size_t> seen;
      const auto strings = all_of_length(n, x, y);
      for (const auto& s : strings) seen.insert(hash(s));
      EXPECT_EQ(seen.size(), strings.size())
          << "length " << n << ", bytes " << int(x) << "/" << int(y);
    }
}

TEST(TextHash, HashesTheBytesNotTheAddress) {
  const TextHash hash;
  const std::string a = "shift-s12/2026-03-01", b = a;
  EXPECT_EQ(hash(a), hash(b));
  EXPECT_EQ(hash(std::string_view(a).substr(0, 9)), hash(std::string("shift-s12")));
  // Longer text is std::hash's.
  EXPECT_EQ(hash(a), std::hash<std::string_view>{}(a));
  EXPECT_NE(hash("c1"), hash("c10"));
  EXPECT_NE(hash(std::string_view("\0", 1)), hash(""));
}

TEST(TextHash, SpreadsSequentialIdsOverPrimeAndPowerOfTwoBucketCounts) {
  const TextHash hash;
  constexpr std::size_t kIds = 100'000;
  // Ids of 2 to 6 bytes ("c0"), and of 8 to 12 whose last bytes differ ("shift-s0").
  for (const std::string prefix : {"c", "shift-s"})
    for (const std::size_t buckets : {std::size_t{1021}, std::size_t{1024}}) {
      std::vector<std::size_t> load(buckets);
      for (std::size_t i = 0; i < kIds; ++i) ++load[hash(prefix + std::to_string(i)) % buckets];
      const double mean = static_cast<double>(kIds) / static_cast<double>(buckets);
      // A uniform hash puts about mean +- 4 * sqrt(mean) in the fullest and emptiest bucket.
      EXPECT_LT(*std::max_element(load.begin(), load.end()), mean * 1.5)
          << prefix << " into " << buckets;
      EXPECT_GT(*std::min_element(load.begin(), load.end()), mean * 0.5)
          << prefix << " into " << buckets;
    }
}

}  // namespace
}  // namespace kvittens::backend::detail
