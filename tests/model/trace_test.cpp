// Trace: entries packed in one buffer read back as they were added, in order.
#include "kvittens/trace.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "kvittens/model.hpp"
#include "model/trace_arena.hpp"

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

TEST(Trace, RefusesAnEntryThatWouldTakeItPast4GiB) {
  // Views of one MiB, repeated: gigabytes of reason without gigabytes of memory.
  const std::string mib(std::size_t{1} << 20, 'x');
  Trace t{{"2", std::string(100, 'r')}};
  std::vector<std::string_view> parts(4096, mib);  // exactly 4 GiB of reason
  EXPECT_THROW(t.add("4.10", parts), std::length_error);
  // Under 4 GiB itself, but not with its header and clause (a bound computed the other way
  // round wrapped here and let it through).
  parts.resize(4095);
  parts.push_back(std::string_view(mib).substr(0, mib.size() - 3));
  EXPECT_THROW(t.add("4.10", parts), std::length_error);
  EXPECT_EQ(t.size(), 1u);
  EXPECT_EQ(t.back().reason, std::string(100, 'r'));
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

TEST(Trace, ACopySharesTheBytesAndNeitherSeesTheOthersChanges) {
  Trace a{{"2", "x"}};
  const Trace copy = a;
  EXPECT_EQ(copy.front().reason.data(), a.front().reason.data());  // shared, not copied
  EXPECT_TRUE(copy.frozen());
  EXPECT_FALSE(a.frozen());  // the writer appends in place, past what the copy sees
  a.add("4.10", "y");
  Trace b = copy;
  b.add("4.1", "z");  // a copy never writes in place: it copies out first
  EXPECT_EQ(copy, (Trace{{"2", "x"}}));
  EXPECT_EQ(a, (Trace{{"2", "x"}, {"4.10", "y"}}));
  EXPECT_EQ(b, (Trace{{"2", "x"}, {"4.1", "z"}}));
  a = copy;  // assigning drops a's own bytes, the copy's stay
  a.add("4.3", "w");
  EXPECT_EQ(copy, (Trace{{"2", "x"}}));
  EXPECT_EQ(a, (Trace{{"2", "x"}, {"4.3", "w"}}));
}

TEST(TraceArena, FrozenTracesReadTheSameAndOutliveTheArena) {
  std::vector<Trace> kept;
  {
    TraceArena arena;
    for (int i = 0; i < 2000; ++i) {  // enough to fill several blocks
      Trace t;
      arena.begin(t);
      t.add("2", {"visit ", std::to_string(i)});
      const Trace early = t;  // views the first entry while t goes on writing
      t.add("4.10", std::string(static_cast<std::size_t>(i % 300), 'r'));
      arena.freeze(t);
      EXPECT_TRUE(t.frozen());
      EXPECT_EQ(early.size(), 1u);
      EXPECT_EQ(early.front(), t.front());
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

TEST(TraceArena, WritesTracesBackToBackInOneBlock) {
  TraceArena arena;
  Trace a;
  arena.begin(a);
  a.add("2", std::string(200, 'a'));
  arena.freeze(a);
  Trace b;
  arena.begin(b);
  b.add("2", "b");
  const auto end_of_a = a.back().reason.data() + a.back().reason.size();
  EXPECT_EQ(b.front().clause.data(), end_of_a + 5);  // right after a: header, then clause
  EXPECT_EQ(a.front().reason, std::string(200, 'a'));
  arena.freeze(b);
  Trace empty;
  arena.freeze(empty);  // nothing to keep
  EXPECT_TRUE(empty.empty());
  EXPECT_FALSE(empty.frozen());
}

TEST(TraceArena, BeginningATraceClosesTheOneOpenBeforeIt) {
  TraceArena arena;
  Trace visit, insats;
  arena.begin(visit);
  visit.add("2", "visit time");
  arena.begin(insats);  // visit is closed where it ends: insats writes after it
  insats.add("4.2", "within the ordered 30 min");
  visit.add("4.13", {"shift approved; ", insats.front().reason});  // copies visit out
  EXPECT_EQ(visit,
            (Trace{{"2", "visit time"}, {"4.13", "shift approved; within the ordered 30 min"}}));
  EXPECT_EQ(insats, (Trace{{"4.2", "within the ordered 30 min"}}));
  arena.freeze(insats);
  arena.freeze(visit);  // its bytes of its own go into the arena
  EXPECT_TRUE(visit.frozen());
  EXPECT_EQ(visit[1].reason, "shift approved; within the ordered 30 min");
}

TEST(TraceArena, AnOpenTraceMovedOrDestroyedKeepsItsBytesAndTheArenaConsistent) {
  std::vector<Trace> kept;
  TraceArena arena;
  {
    Trace t;
    arena.begin(t);
    t.add("2", "first");
    const Trace copy = t;
    Trace moved = std::move(t);                   // the open trace is now `moved`
    moved.add("4.10", std::string(10'000, 'x'));  // outgrows the block: moves to a new one
    kept.push_back(copy);
    kept.push_back(std::move(moved));
  }
  kept.back().add("4.13", "after");  // still open, wherever the vector moved it
  Trace dropped;
  arena.begin(dropped);
  dropped.add("2", "dropped");
  Trace seen = dropped;
  { const Trace gone = std::move(dropped); }  // destroyed while open: its bytes stay
  Trace next;
  arena.begin(next);
  next.add("2", "next");
  EXPECT_EQ(seen, (Trace{{"2", "dropped"}}));
  EXPECT_EQ(kept[0], (Trace{{"2", "first"}}));
  EXPECT_EQ(kept[1],
            (Trace{{"2", "first"}, {"4.10", std::string(10'000, 'x')}, {"4.13", "after"}}));
  EXPECT_EQ(next, (Trace{{"2", "next"}}));
}

TEST(TraceArena, AnOpenTraceOutlivesItsArena) {
  Trace t;
  {
    TraceArena arena;
    arena.begin(t);
    t.add("2", "x");
  }                    // closes t
  t.add("4.10", "y");  // writes to bytes of its own, not to the gone arena
  EXPECT_EQ(t, (Trace{{"2", "x"}, {"4.10", "y"}}));
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
