// Trace: entries packed in one buffer read back as they were added, in order.
#include "kvittens/trace.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "kvittens/model.hpp"

namespace kvittens {
namespace {

std::vector<TraceEntry> entries(const Trace& t) {
  std::vector<TraceEntry> out;
  for (const auto& l : t) out.push_back({std::string(l.clause), std::string(l.reason)});
  return out;
}

TEST(Trace, ReadsBackEntriesInOrder) {
  Trace t;
  EXPECT_TRUE(t.empty());
  EXPECT_EQ(t.begin(), t.end());
  t.add("2", "visit time 07:00–07:30");
  t.add("4.10", {"start: ", "NFC tag ", "04:A1", " is the customer's"});
  t.add("4.13", "");
  t.push_back({"", "reason without a clause"});
  ASSERT_EQ(t.size(), 4u);
  const std::vector<TraceEntry> want = {{"2", "visit time 07:00–07:30"},
                                        {"4.10", "start: NFC tag 04:A1 is the customer's"},
                                        {"4.13", ""},
                                        {"", "reason without a clause"}};
  EXPECT_EQ(entries(t), want);
  EXPECT_EQ(t.front().clause, "2");
  EXPECT_EQ(t.back().reason, "reason without a clause");
  EXPECT_EQ(t[1].reason, "start: NFC tag 04:A1 is the customer's");
  EXPECT_EQ(t[2].clause, "4.13");
}

TEST(Trace, EqualityIsByContent) {
  const Trace a{{"2", "x"}, {"4.10", "y"}};
  Trace b;
  b.reserve(1000);
  b.add("2", "x");
  b.add("4.10", "y");
  EXPECT_EQ(a, b);
  EXPECT_NE(a, (Trace{{"2", "x"}, {"4.1", "0y"}}));  // same bytes joined, other split
  EXPECT_NE(a, (Trace{{"2", "x"}}));
  b.clear();
  EXPECT_TRUE(b.empty());
  EXPECT_EQ(b, Trace{});
}

TEST(Trace, CopiesAnEntryOfItself) {
  // A reason viewed in the trace dies when the buffer grows; add() copies it first.
  Trace t{{"4.10", "start: no receipt"}};
  for (int i = 0; i < 50; ++i) t.add(t.back().clause, t.back().reason);
  t.add("4.3", {t.front().reason, "; counts as no receipt"});
  EXPECT_EQ(t.size(), 52u);
  for (std::size_t i = 0; i + 1 < t.size(); ++i) EXPECT_EQ(t[i].reason, "start: no receipt");
  EXPECT_EQ(t.back().reason, "start: no receipt; counts as no receipt");
}

TEST(Trace, RefusesAClauseIdLongerThan255Bytes) {
  Trace t;
  EXPECT_NO_THROW(t.add(std::string(255, 'x'), "ok"));
  EXPECT_THROW(t.add(std::string(256, 'x'), "too long"), std::length_error);
  EXPECT_EQ(t.size(), 1u);  // the refused entry left nothing behind
}

TEST(Trace, AMovedFromTraceIsEmpty) {
  Trace a{{"2", "x"}};
  Trace b = std::move(a);
  EXPECT_TRUE(a.empty());  // NOLINT(bugprone-use-after-move): the contract under test
  EXPECT_EQ(a.begin(), a.end());
  EXPECT_EQ(b, (Trace{{"2", "x"}}));
  a = std::move(b);
  EXPECT_TRUE(b.empty());  // NOLINT(bugprone-use-after-move)
  EXPECT_EQ(a.size(), 1u);
}

TEST(TraceArena, FrozenTracesReadTheSameAndOutliveTheArena) {
  std::vector<Trace> kept;
  {
    TraceArena arena;
    for (int i = 0; i < 2000; ++i) {  // enough to fill several blocks
      Trace t;
      arena.begin(t);
      t.add("2", {"visit ", std::to_string(i)});
      t.add("4.10", std::string(static_cast<std::size_t>(i % 300), 'r'));
      const Trace owned = t;
      arena.freeze(t);
      EXPECT_TRUE(t.frozen());
      EXPECT_FALSE(owned.frozen());
      EXPECT_EQ(t, owned);
      kept.push_back(std::move(t));
    }
  }  // the arena is gone; its blocks live on in the traces
  for (int i = 0; i < 2000; ++i) {
    const auto& t = kept[static_cast<std::size_t>(i)];
    ASSERT_EQ(t.size(), 2u);
    EXPECT_EQ(t.front().reason, "visit " + std::to_string(i));
    EXPECT_EQ(t.back().reason, std::string(static_cast<std::size_t>(i % 300), 'r'));
  }
}

TEST(TraceArena, ChangingAFrozenTraceCopiesItOutAndLeavesItsCopiesAlone) {
  TraceArena arena;
  Trace t;
  arena.begin(t);
  t.add("B2", "registered time");
  arena.freeze(t);
  const Trace copy = t;  // shares the block
  EXPECT_TRUE(copy.frozen());
  t.add("B1", {"capped; ", t.front().reason});  // the reason views the frozen block
  EXPECT_FALSE(t.frozen());
  EXPECT_EQ(t, (Trace{{"B2", "registered time"}, {"B1", "capped; registered time"}}));
  EXPECT_EQ(copy, (Trace{{"B2", "registered time"}}));
  Trace cleared = copy;
  cleared.clear();
  EXPECT_TRUE(cleared.empty());
  EXPECT_EQ(copy.size(), 1u);
}

TEST(TraceArena, LendsTheBufferOfAFrozenTraceToTheNextOne) {
  TraceArena arena;
  Trace a;
  arena.begin(a);
  a.add("2", std::string(200, 'a'));
  const char* buffer = a.begin() == a.end() ? nullptr : a.front().clause.data();
  arena.freeze(a);
  Trace b;
  arena.begin(b);
  b.add("2", "b");
  EXPECT_EQ(b.front().clause.data(), buffer);  // the same allocation, reused
  EXPECT_EQ(a.front().reason, std::string(200, 'a'));
  arena.freeze(b);
  Trace empty;
  arena.freeze(empty);  // nothing to keep
  EXPECT_TRUE(empty.empty());
  EXPECT_FALSE(empty.frozen());
}

TEST(SharedStamp, ComparesByContentAndDefaultsToEmpty) {
  const SharedStamp none;
  EXPECT_EQ(none->hash, "");
  const SharedStamp a = Stamp{"p", "1", "2026-01-01", "ab"};
  const SharedStamp b = Stamp{"p", "1", "2026-01-01", "ab"};
  const SharedStamp c = Stamp{"p", "2", "2026-01-01", "ab"};
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
  EXPECT_NE(a, none);
  EXPECT_EQ(none, SharedStamp(Stamp{}));
  const SharedStamp copy = a;
  EXPECT_EQ(&*copy, &*a);  // shared, not copied
}

}  // namespace
}  // namespace kvittens
