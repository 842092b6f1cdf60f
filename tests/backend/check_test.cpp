// Registration checks: bad references and impossible times are refused with a reason;
// overlapping visits are refused citing seed 000 §2.
#include "backend/engine/engine.hpp"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace kvittens
