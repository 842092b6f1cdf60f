// TextHash reads short ids as two words: it must see every byte of them (no two ids of up
// to 16 bytes that differ anywhere may collide by construction) and spread sequential ids
// over the buckets of a table.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <unordered_set>
#include <vector>

#include "backend/engine/context.hpp"

namespace kvittens::backend::detail {
namespace {

// Every string of length n over "ab", so each byte position is the only difference
// between some pair.
std::vector<std::string> all_of_length(std::size_t n) {
  std::vector<std::string> out;
  for (unsigned bits = 0; bits < (1u << n); ++bits) {
    std::string s(n, 'a');
    for (std::size_t i = 0; i < n; ++i)
      if (bits >> i & 1) s[i] = 'b';
    out.push_back(s);
  }
  return out;
}

TEST(TextHash, SeesEveryByteOfIdsUpTo16Bytes) {
  const TextHash hash;
  for (std::size_t n = 0; n <= 16; ++n) {
    std::unordered_set<std::size_t> seen;
    const auto strings = all_of_length(n);
    for (const auto& s : strings) seen.insert(hash(s));
    EXPECT_EQ(seen.size(), strings.size()) << "length " << n;
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
  for (const std::size_t buckets : {std::size_t{1021}, std::size_t{1024}}) {
    std::vector<std::size_t> load(buckets);
    for (std::size_t i = 0; i < kIds; ++i) ++load[hash("c" + std::to_string(i)) % buckets];
    const double mean = static_cast<double>(kIds) / static_cast<double>(buckets);
    // A uniform hash puts about mean +- 4 * sqrt(mean) in the fullest bucket.
    EXPECT_LT(*std::max_element(load.begin(), load.end()), mean * 1.5) << buckets;
    EXPECT_GT(*std::min_element(load.begin(), load.end()), mean * 0.5) << buckets;
  }
}

}  // namespace
}  // namespace kvittens::backend::detail
