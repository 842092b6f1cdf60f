// Registration checks: bad references and impossible times are refused with a reason;
// overlapping visits are refused citing seed 000 §2.
#include "backend/engine/engine.hpp"

#include <gtest/gtest.h>

#include "backend/accepted_registrations.hpp"
#include "builders.hpp"

namespace kvittens {
namespace {

using namespace kvittens::fixtures;

WorldBuilder base() {
  WorldBuilder b;
  b.customer("c1", {"04:00:00:00:00:00:01"}).order("c1", "Dusch", 30);
  b.customer("c2", {"04:00:00:00:00:00:02"}).order("c2", "Dusch", 30);
  return b;
}

TEST(Check_2, OverlappingVisitsOfOneStaffMemberAreRefused) {
  Session run(base().w);
  ASSERT_TRUE(
      run.add(visit("v1", "c1", "2026-03-02T08:00", "2026-03-02T08:30", {"Dusch"})).accepted);
  const auto r = run.add(visit("v2", "c2", "2026-03-02T08:20", "2026-03-02T08:50", {"Dusch"}));
  EXPECT_FALSE(r.accepted);
  EXPECT_EQ(r.clause, "2");
  EXPECT_NE(r.reason.find("overlaps visit v1"), std::string::npos) << r.reason;
}

TEST(Check_2, BackToBackVisitsDoNotOverlap) {
  Session run(base().w);
  ASSERT_TRUE(
      run.add(visit("v1", "c1", "2026-03-02T08:00", "2026-03-02T08:30", {"Dusch"})).accepted);
  EXPECT_TRUE(
      run.add(visit("v2", "c2", "2026-03-02T08:30", "2026-03-02T08:50", {"Dusch"})).accepted);
}

TEST(Check, UnknownInsatsCustomerOrStaffAndEndBeforeStartAreRefused) {
  Session run(base().w);
  auto r = run.add(visit("v1", "c1", "2026-03-02T08:00", "2026-03-02T08:30", {"Dush"}));
  EXPECT_FALSE(r.accepted);
  EXPECT_NE(r.reason.find("unknown insats 'Dush'"), std::string::npos);
  r = run.add(visit("v1", "c9", "2026-03-02T08:00", "2026-03-02T08:30", {"Dusch"}));
  EXPECT_NE(r.reason.find("unknown customer 'c9'"), std::string::npos);
  auto v = visit("v1", "c1", "2026-03-02T08:00", "2026-03-02T08:30", {"Dusch"});
  v.staff = "eve";
  EXPECT_NE(run.add(v).reason.find("unknown staff 'eve'"), std::string::npos);
  r = run.add(visit("v1", "c1", "2026-03-02T08:30", "2026-03-02T08:00", {"Dusch"}));
  EXPECT_FALSE(r.accepted);
  EXPECT_NE(r.reason.find("before it starts"), std::string::npos);
}

TEST(Check, StaffOfAnotherProviderCannotRegisterForThisCustomer) {
  auto b = base();
  b.w.providers.push_back({"p2", "Annan AB"});
  b.w.staff.push_back({"eve", "p2", "Eve", std::nullopt, std::nullopt});
  Session run(b.w);
  auto v = visit("v1", "c1", "2026-03-02T08:00", "2026-03-02T08:30", {"Dusch"});
  v.staff = "eve";
  const auto r = run.add(v);
  EXPECT_FALSE(r.accepted);
  EXPECT_NE(r.reason.find("another provider"), std::string::npos);
}

TEST(Check, RetryWithTheSameIdIsANoOpAndOtherContentIsRefused) {
  Session run(base().w);
  const auto v = visit("v1", "c1", "2026-03-02T08:00", "2026-03-02T08:30", {"Dusch"});
  auto r = run.add(v);
  EXPECT_TRUE(r.accepted);
  EXPECT_TRUE(r.is_new);
  r = run.add(v);
  EXPECT_TRUE(r.accepted);
  EXPECT_FALSE(r.is_new);
  auto changed = v;
  changed.end = at("2026-03-02T08:40");
  r = run.add(changed);
  EXPECT_FALSE(r.accepted);
  EXPECT_EQ(run.backend->registrations().visits.size(), 1u);
}

TEST(Check_2, AnotherStaffMembersVisitAtTheSameTimeIsNoOverlap) {
  Session run(base().w);
  ASSERT_TRUE(
      run.add(visit("v1", "c1", "2026-03-02T08:00", "2026-03-02T08:30", {"Dusch"})).accepted);
  auto v2 =
      visit("v2", "c2", "2026-03-02T08:00", "2026-03-02T08:30", {"Dusch"}, "04:00:00:00:00:00:02");
  v2.staff = "bo";
  EXPECT_TRUE(run.add(v2).accepted);
  auto v3 = visit("v3", "c1", "2026-03-02T08:10", "2026-03-02T08:20", {"Dusch"});
  v3.staff = "bo";
  const auto r = run.add(v3);
  EXPECT_FALSE(r.accepted);
  EXPECT_NE(r.reason.find("overlaps visit v2"), std::string::npos) << r.reason;
}

TEST(Check_2, OverlapIsStillFoundAfterNotesArePurged) {
  Session run(base().w);
  ASSERT_TRUE(
      run.add(visit("v1", "c1", "2026-03-02T08:00", "2026-03-02T08:30", {"Dusch"})).accepted);
  run.backend->purge_notes(at("2027-06-01T00:00"));
  const auto r = run.add(visit("v2", "c2", "2026-03-02T08:20", "2026-03-02T08:50", {"Dusch"}));
  EXPECT_FALSE(r.accepted);
  EXPECT_NE(r.reason.find("overlaps visit v1"), std::string::npos) << r.reason;
}

TEST(AcceptedRegistrations, KeepsEachStaffMembersVisitsInAcceptanceOrder) {
  backend::AcceptedRegistrations acc;
  auto a1 = visit("a1", "c1", "2026-03-02T08:00", "2026-03-02T08:30", {"Dusch"});
  auto b1 = a1;
  b1.id = "b1";
  b1.staff = "bo";
  auto a2 = a1;
  a2.id = "a2";
  acc.append(a1);
  acc.append(ShiftApproval{"anna/2026-03-02", at("2026-03-03T09:00")});
  acc.append(b1);
  acc.append(a2);
  EXPECT_EQ(acc.visits_of("anna"), (std::vector<std::size_t>{0, 2}));
  EXPECT_EQ(acc.visits_of("bo"), (std::vector<std::size_t>{1}));
  EXPECT_TRUE(acc.visits_of("eve").empty());
  EXPECT_EQ(acc.all().approvals.size(), 1u);
  auto regs = acc.all();
  std::swap(regs.visits[0], regs.visits[1]);  // replace() rebuilds from what it is given
  acc.replace(regs);
  EXPECT_EQ(acc.visits_of("anna"), (std::vector<std::size_t>{1, 2}));
  EXPECT_EQ(acc.visits_of("bo"), (std::vector<std::size_t>{0}));
}

// I-15: stated insats minutes are time within the visit.
TEST(Check_2, StatedMinutesBeyondTheVisitOrNegativeAreRefused) {
  Session run(base().w);
  auto v = visit("v1", "c1", "2026-03-02T08:00", "2026-03-02T08:30", {"Dusch", "Tvätt"});
  v.insatser[0].minutes = 600;
  auto r = run.add(v);
  EXPECT_FALSE(r.accepted);
  EXPECT_EQ(r.clause, "2");
  EXPECT_NE(r.reason.find("more than the visit's 30 min"), std::string::npos) << r.reason;
  v.insatser[0].minutes = 2147483647;
  v.insatser[1].minutes = 2147483647;  // the sum overflows an int
  EXPECT_FALSE(run.add(v).accepted);
  v.insatser[0].minutes = -30;
  v.insatser[1].minutes = 60;
  r = run.add(v);
  EXPECT_FALSE(r.accepted);
  EXPECT_NE(r.reason.find("cannot be negative"), std::string::npos) << r.reason;
  v.insatser[0].minutes = 20;
  v.insatser[1].minutes = 10;
  EXPECT_TRUE(run.add(v).accepted);
}

TEST(Check_2, AVisitOfMoreThanADayIsRefused) {
  Session run(base().w);
  auto r = run.add(visit("v1", "c1", "2026-03-02T08:00", "2026-03-03T08:01", {"Dusch"}));
  EXPECT_FALSE(r.accepted);
  EXPECT_EQ(r.clause, "2");
  EXPECT_TRUE(
      run.add(visit("v1", "c1", "2026-03-02T08:00", "2026-03-03T08:00", {"Dusch"})).accepted);
}

}  // namespace
}  // namespace kvittens
