// The comparison of a run's outcome with the expectations: each value that does not hold is one
// mismatch naming the field, the expected and the actual value; clause expectations read every
// trace of the visit, and a refusal nobody expected is a mismatch of its own.
#include "runner/compare.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace kvittens::harness {
namespace {

VisitDecision visit(const std::string& id, int paid) {
  VisitDecision d;
  d.id = id;
  d.paid_minutes = paid;
  d.registered_minutes = paid;
  d.trace.add("2", "paid time");
  InsatsDecision i;
  i.insats = "Dusch";
  i.trace.add("4.10", "receipt at the door");
  d.insatser.push_back(i);
  return d;
}

Expectations expect_visit(const std::string& id, std::optional<int> paid,
                          std::vector<std::string> clauses = {}) {
  Expectations e;
  VisitExpect v;
  v.id = id;
  v.where = Where{"s.yaml", 7, 3};
  v.paid_minutes = paid;
  v.clauses = std::move(clauses);
  e.visits[id] = v;
  return e;
}

TEST(Compare, ValuesThatHoldGiveNoMismatch) {
  Decisions d;
  d.visits.push_back(visit("v1", 30));
  EXPECT_TRUE(compare(expect_visit("v1", 30, {"2", "4.10"}), d, {}).empty());
}

TEST(Compare, AWrongValueNamesItsFieldAndBothValuesAtTheExpectation) {
  Decisions d;
  d.visits.push_back(visit("v1", 30));
  const auto m = compare(expect_visit("v1", 45), d, {});
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0].field, "paid_minutes");
  EXPECT_EQ(m[0].subject, "decision v1");
  EXPECT_EQ(m[0].expected, 45);
  EXPECT_EQ(m[0].actual, 30);
  EXPECT_EQ(m[0].where.line, 7);
}

TEST(Compare, AMissingClauseListsWhatTheTracesCiteSorted) {
  Decisions d;
  d.visits.push_back(visit("v1", 30));
  const auto m = compare(expect_visit("v1", std::nullopt, {"4.9"}), d, {});
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0].field, "clauses");
  EXPECT_EQ(m[0].expected, nlohmann::ordered_json({{"in_trace", {"4.9"}}}));
  EXPECT_EQ(m[0].actual, nlohmann::ordered_json({"2", "4.10"}));
}

TEST(Compare, ARefusalNobodyExpectedIsAMismatch) {
  sim::Submission s;
  s.id = "v2";
  s.delivered = true;
  s.result.accepted = false;
  s.result.reason = "overlaps v1";
  s.result.clause = "2";
  const auto m = compare(Expectations{}, Decisions{}, {s});
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0].subject, "registration v2");
  EXPECT_EQ(m[0].actual, "refused: overlaps v1 (2)");
}

}  // namespace
}  // namespace kvittens::harness
