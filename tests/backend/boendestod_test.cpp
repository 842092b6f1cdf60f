// Boendestöd clauses (seed 003, B1..B7): a passing and a violating case each.
#include "backend/engine/engine.hpp"

#include <gtest/gtest.h>

#include "builders.hpp"

namespace kvittens {
namespace {

using namespace kvittens::fixtures;
constexpr const char* kRules = "nacka-boendestod@1.0";
constexpr const char* kTag = "04:00:00:00:00:00:09";

WorldBuilder world(double weekly_hours = 3.5) {
  WorldBuilder b;
  b.customer("b1", {kTag}, ServiceType::Boendestod);
  b.last().granted_weekly_hours = weekly_hours;
  return b;
}

Visit bvisit(std::string id, const char* s, const char* e) {
  return visit(std::move(id), "b1", s, e, {"Boendestöd"}, kTag);
}

VisitDecision decide(const World& w, const Registration& r, const std::string& id) {
  Session run(w, kRules);
  const auto res = run.add(r);
  EXPECT_TRUE(res.accepted) << res.reason;
  return run.of(id);
}

TEST(Boendestod_B1, MonthlyCapFromWeeklyHours) {
  // 3.5 h/week in March (31 days): 3.5 x 60 x 31 / 7 = 930 min.
  Session run(world().w, kRules);
  ASSERT_TRUE(run.add(bvisit("v1", "2026-03-02T10:00", "2026-03-02T18:00")).accepted);  // 480
  ASSERT_TRUE(
      run.add(bvisit("v2", "2026-03-10T10:00", "2026-03-10T17:00")).accepted);  // 420 -> 900
  ASSERT_TRUE(
      run.add(bvisit("v3", "2026-03-20T10:00", "2026-03-20T11:00")).accepted);  // 60 -> cap 930
  ASSERT_TRUE(run.add(bvisit("v4", "2026-03-25T10:00", "2026-03-25T11:00")).accepted);  // over
  EXPECT_EQ(run.of("v1").paid_minutes, 480);
  EXPECT_EQ(run.of("v2").paid_minutes, 420);
  EXPECT_EQ(run.of("v3").paid_minutes, 30);
  EXPECT_EQ(run.of("v3").state, DecisionState::Reduced);
  EXPECT_TRUE(cites(run.of("v3"), "B1"));
  EXPECT_EQ(run.of("v4").paid_minutes, 0);
  // April starts afresh.
  ASSERT_TRUE(run.add(bvisit("v5", "2026-04-01T10:00", "2026-04-01T11:00")).accepted);
  EXPECT_EQ(run.of("v5").paid_minutes, 60);
}

TEST(Boendestod_B2, HomeVisitWithReceiptIsPaidRegisteredTime) {
  const auto d = decide(world().w, bvisit("v1", "2026-03-02T10:00", "2026-03-02T11:30"), "v1");
  EXPECT_EQ(d.paid_minutes, 90);
  EXPECT_FALSE(d.customer_fee);
}

TEST(Boendestod_B2, WithoutReceiptNeedsOutsideTheHomeAndAComment) {
  auto v = bvisit("v1", "2026-03-02T10:00", "2026-03-02T11:00");
  v.start_receipt = v.end_receipt = {};
  auto d = decide(world().w, v, "v1");
  EXPECT_EQ(d.state, DecisionState::Rejected);
  EXPECT_TRUE(cites(d, "B2"));
  v.start_place = v.end_place = Place::Outside;
  d = decide(world().w, v, "v1");  // outside but no comment
  EXPECT_EQ(d.state, DecisionState::Rejected);
  v.note = "Följde med till vårdcentralen, utanför hemmet";
  d = decide(world().w, v, "v1");
  EXPECT_EQ(d.paid_minutes, 60);
}

TEST(Boendestod_B3, WorkWithoutNfcOnlyWithTheLssOfficersApproval) {
  auto v = bvisit("v1", "2026-03-02T10:00", "2026-03-02T11:00");
  v.start_receipt = v.end_receipt = {};
  auto b = world();
  EXPECT_EQ(decide(b.w, v, "v1").state, DecisionState::Rejected);
  b.w.customers[0].nfc_exemption = true;
  const auto d = decide(b.w, v, "v1");
  EXPECT_EQ(d.paid_minutes, 60);
  EXPECT_TRUE(cites(d, "B3"));
}

DeclinedVisit declined(const char* declined_at, std::string note = "Brukaren avböjde") {
  return DeclinedVisit{"x1",
                       "anna",
                       "b1",
                       at("2026-03-10T10:00"),
                       at("2026-03-10T12:00"),
                       at(declined_at),
                       std::move(note),
                       "",
                       ""};
}

TEST(Boendestod_B4, DeclinedWithin48HoursPaysHalfThePlannedTime) {
  auto d = decide(world().w, declined("2026-03-08T10:00"), "x1");  // exactly 48 h
  EXPECT_EQ(d.paid_minutes, 60);
  EXPECT_TRUE(cites(d, "B4"));
  d = decide(world().w, declined("2026-03-10T10:00"), "x1");  // at the door / not home
  EXPECT_EQ(d.paid_minutes, 60);
}

TEST(Boendestod_B4, DeclineWithoutReasonNoteIsNotPaid) {
  const auto d = decide(world().w, declined("2026-03-10T10:00", ""), "x1");
  EXPECT_EQ(d.paid_minutes, 0);
  EXPECT_TRUE(cites(d, "B4"));
}

TEST(Boendestod_B7, DeclinedMoreThan48HoursBeforeIsNotPaid) {
  const auto d = decide(world().w, declined("2026-03-08T09:59"), "x1");
  EXPECT_EQ(d.paid_minutes, 0);
  EXPECT_TRUE(cites(d, "B7"));
}

TEST(Boendestod_B5, DeclinedDuringAStartedVisitPaysOnlyThePerformedTime) {
  auto v = bvisit("v1", "2026-03-02T10:00", "2026-03-02T11:30");  // planned two hours
  v.declined_after_start = true;
  const auto d = decide(world().w, v, "v1");
  EXPECT_EQ(d.paid_minutes, 90);
  EXPECT_TRUE(cites(d, "B5"));
}

TEST(Boendestod_B6, UnplannedAbsencePaysHalfTheDailyAverageForAtMostSevenDays) {
  // 7 h/week -> daily average 60 min -> 30 min a day.
  const auto w = world(7).w;
  auto d = decide(w,
                  Absence{"a1", "b1", at("2026-03-10T08:00"), at("2026-03-10T12:00"),
                          at("2026-03-13T12:00"), "hospital"},
                  "a1");
  EXPECT_EQ(d.paid_minutes, 3 * 30);
  EXPECT_TRUE(cites(d, "B6"));
  d = decide(
      w,
      Absence{"a1", "b1", at("2026-03-10T08:00"), at("2026-03-10T12:00"), std::nullopt, "hospital"},
      "a1");
  EXPECT_EQ(d.paid_minutes, 7 * 30);
  d = decide(w,
             Absence{"a1", "b1", at("2026-03-10T08:00"), at("2026-03-10T12:00"),
                     at("2026-03-25T12:00"), "hospital"},
             "a1");
  EXPECT_EQ(d.paid_minutes, 7 * 30);  // 15 days, paid 7
}

TEST(Boendestod_B7, PlannedAbsenceNotifiedMoreThan48HoursAheadIsNotPaid) {
  const auto d = decide(world(7).w,
                        Absence{"a1", "b1", at("2026-03-01T08:00"), at("2026-03-10T12:00"),
                                at("2026-03-13T12:00"), "away"},
                        "a1");
  EXPECT_EQ(d.paid_minutes, 0);
  EXPECT_TRUE(cites(d, "B7"));
}

}  // namespace
}  // namespace kvittens
