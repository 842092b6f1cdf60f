// The clauses a decision cites: read from the visit's trace and its insatser's, each clause
// once, in the order first cited or sorted.
#include "kvittens/clauses.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace kvittens {
namespace {

using Clauses = std::vector<std::string>;

VisitDecision decision() {
  VisitDecision d;
  d.trace.add("4.10", "no receipt at the start");
  d.trace.add("2", "paid time");
  d.trace.add("4.10", "no receipt at the end");
  InsatsDecision dusch;
  dusch.insats = "Dusch";
  dusch.trace.add("4.15", "not combined with Städning");
  dusch.trace.add("2", "paid time");
  d.insatser.push_back(dusch);
  return d;
}

TEST(Clauses, ATraceCitesEachOfItsClausesOnceInTheOrderFirstCited) {
  EXPECT_EQ(clauses_cited(decision().trace), (Clauses{"4.10", "2"}));
  EXPECT_EQ(clause_set(decision().trace), (Clauses{"2", "4.10"}));
}

TEST(Clauses, AVisitCitesItsOwnClausesThenThoseOfItsInsatser) {
  EXPECT_EQ(clauses_cited(decision()), (Clauses{"4.10", "2", "4.15"}));
  EXPECT_EQ(clause_set(decision()), (Clauses{"2", "4.10", "4.15"}));
}

TEST(Clauses, CitesLooksInTheVisitAndEveryInsatsButMatchesWholeIds) {
  const VisitDecision d = decision();
  EXPECT_TRUE(cites(d, "4.15"));
  EXPECT_FALSE(cites(d.trace, "4.15"));
  EXPECT_TRUE(cites(d.trace, "4.10"));
  EXPECT_FALSE(cites(d, "4.1"));
  EXPECT_FALSE(cites(Trace{}, "2"));
}

}  // namespace
}  // namespace kvittens
