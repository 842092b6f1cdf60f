// decision_memory(): blocks below the threshold from operator new, larger ones mapped (and
// the last one given back lent again); a vector keeps its contents across the switch in both
// directions.
#include "model/decision_memory.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <memory_resource>
#include <numeric>
#include <vector>

#include "kvittens/model.hpp"

namespace kvittens {
namespace {

using Bulk = std::pmr::vector<std::uint64_t>;
template <class T>
std::pmr::polymorphic_allocator<T> bulk_allocator() {
  return std::pmr::polymorphic_allocator<T>(decision_memory());
}

TEST(DecisionMemory, VectorKeepsItsContentsWhenGrowingPastTheThresholdAndBack) {
  const std::size_t large = 2 * bulk::kThreshold / sizeof(std::uint64_t);
  Bulk v(decision_memory());
  for (std::size_t i = 0; i < large; ++i) v.push_back(i * 7);
  ASSERT_GE(v.capacity() * sizeof(std::uint64_t), bulk::kThreshold);
  for (std::size_t i = 0; i < large; i += 4099) ASSERT_EQ(v[i], i * 7) << i;
  EXPECT_EQ(v.back(), (large - 1) * 7);
  v.resize(10);
  v.shrink_to_fit();  // back to operator new
  ASSERT_LT(v.capacity() * sizeof(std::uint64_t), bulk::kThreshold);
  for (std::size_t i = 0; i < v.size(); ++i) EXPECT_EQ(v[i], i * 7);
}

TEST(DecisionMemory, MappedBlocksAreWritableToTheEnd) {
  auto a = bulk_allocator<unsigned char>();
  const std::size_t n = bulk::kThreshold + 12345;
  unsigned char* p = a.allocate(n);
  ASSERT_NE(p, nullptr);
  p[0] = 1;
  p[n - 1] = 2;
  EXPECT_EQ(p[0] + p[n - 1], 3);
  a.deallocate(p, n);
}

#if defined(__linux__)
TEST(DecisionMemory, TheBlockGivenBackLastIsLentAgainWhenItFitsAndReturnedWhole) {
  auto a = bulk_allocator<unsigned char>();
  const std::size_t big = 3 * bulk::kThreshold;
  unsigned char* first = a.allocate(big);
  first[big - 1] = 7;
  a.deallocate(first, big);
  ASSERT_EQ(bulk::kept_bytes(), big);
  // At least half its size: the same pages again, still as large as they were.
  const std::size_t smaller = 2 * bulk::kThreshold;
  unsigned char* again = a.allocate(smaller);
  EXPECT_EQ(again, first);
  EXPECT_EQ(bulk::kept_bytes(), 0u);
  again[smaller - 1] = 1;
  a.deallocate(again, smaller);
  EXPECT_EQ(bulk::kept_bytes(), big);  // given back whole, not as the 2/3 asked for
  // Less than half: a fresh mapping; the kept block stays kept until another comes back.
  unsigned char* small = a.allocate(bulk::kThreshold);
  EXPECT_NE(small, first);
  EXPECT_EQ(bulk::kept_bytes(), big);
  small[0] = 1;
  a.deallocate(small, bulk::kThreshold);
  EXPECT_EQ(bulk::kept_bytes(), bulk::kThreshold);  // the last one back is kept, big unmapped
  // A vector over the lent block works as over a fresh one.
  Bulk v(bulk::kThreshold / sizeof(std::uint64_t), decision_memory());
  EXPECT_EQ(bulk::kept_bytes(), 0u);
  std::iota(v.begin(), v.end(), 0);
  EXPECT_EQ(v.back(), v.size() - 1);
  EXPECT_EQ(v.front(), 0u);  // constructed, not left as the last user had it
}
#endif

TEST(DecisionMemory, RefusesSizesThatOverflow) {
  auto a = bulk_allocator<std::uint64_t>();
  EXPECT_THROW((void)a.allocate(static_cast<std::size_t>(-1) / 4), std::bad_array_new_length);
}

TEST(DecisionMemory, DecisionsCopyAndCompareAcrossAllocators) {
  Decisions d;
  EXPECT_EQ(d.visits.get_allocator().resource(), decision_memory());
  const std::size_t n = bulk::kThreshold / sizeof(VisitDecision) + 10;
  d.visits.resize(n);
  d.visits[n - 1].id = "last";
  d.visits[n - 1].trace.add("4.10", "end: NFC tag 04:AA is the customer's");
  const Decisions copy = d;
  ASSERT_EQ(copy.visits.size(), n);
  EXPECT_EQ(copy.visits[n - 1], d.visits[n - 1]);
  EXPECT_EQ(copy.visits[n - 1].trace.back().clause, "4.10");
  const std::vector<VisitDecision> plain(copy.visits.begin(), copy.visits.end());
  EXPECT_EQ(plain.back().id, "last");
}

TEST(DecisionMemory, ADecisionsMovedIntoAnotherTakesItsArrayAlong) {
  Decisions from;
  from.visits.resize(3);
  from.visits[2].id = "v3";
  const VisitDecision* array = from.visits.data();
  Decisions to;
  to = std::move(from);
  EXPECT_EQ(to.visits.data(), array);  // moved as a whole: every Decisions shares the resource
  EXPECT_EQ(to.visits[2].id, "v3");
}

}  // namespace
}  // namespace kvittens
