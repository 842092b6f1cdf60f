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
  b.w.staff.push_back({"eve", "p2", "Eve", std::nullopt, std::nullopt, ""});
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

// ---- 5.3: "En stulen eller borttappad telefon ska omgående inaktiveras i Phoniro Care."
WorldBuilder with_phones() {
  auto b = base();
  b.w.providers.push_back({"p2", "Annan AB"});
  b.w.phones.push_back({"ph1", "p1", std::nullopt});
  b.w.phones.push_back({"ph2", "p1", at("2026-03-02T08:30")});  // lost that morning
  b.w.phones.push_back({"ph9", "p2", std::nullopt});
  return b;
}

Visit on_phone(Visit v, std::string phone) {
  v.phone = std::move(phone);
  return v;
}

TEST(Check_5_3, ARegistrationFromADeactivatedPhoneIsRefused) {
  Session run(with_phones().w);
  for (const char* start : {"2026-03-02T08:30", "2026-03-02T09:00"}) {
    auto v = on_phone(visit("v1", "c1", start, "2026-03-02T09:20", {"Dusch"}), "ph2");
    const auto r = run.add(v);
    EXPECT_FALSE(r.accepted) << start;
    EXPECT_EQ(r.clause, "5.3");
    EXPECT_NE(r.reason.find("deactivated in Phoniro Care at 2026-03-02T08:30"), std::string::npos)
        << r.reason;
  }
  // The app's other registrations are checked the same way.
  const std::vector<Registration> others = {
      DoubleStaffing{"d1", "bo", "c1", at("2026-03-02T09:00"), at("2026-03-02T09:10"), "", "",
                     "ph2"},
      SharedInsats{"s1",
                   "anna",
                   "Inköp",
                   at("2026-03-02T09:00"),
                   at("2026-03-02T09:30"),
                   {"c1", "c2"},
                   "ph2"},
      DeclinedVisit{"x1", "anna", "c1", at("2026-03-02T10:00"), at("2026-03-02T10:30"),
                    at("2026-03-02T09:00"), "", "", "ph2"}};
  for (const auto& o : others) {
    const auto r = run.add(o);
    EXPECT_FALSE(r.accepted) << registration_id(o);
    EXPECT_EQ(r.clause, "5.3") << registration_id(o);
  }
}

TEST(Check_5_3, ARegistrationMadeBeforeThePhoneWasDeactivatedIsAccepted) {
  Session run(with_phones().w);
  const auto r = run.add(
      on_phone(visit("v1", "c1", "2026-03-02T08:00", "2026-03-02T08:29", {"Dusch"}), "ph2"));
  EXPECT_TRUE(r.accepted) << r.reason;
}

TEST(Check_5_3, APhoneOfAnotherProviderIsRefused) {
  Session run(with_phones().w);
  const auto r = run.add(
      on_phone(visit("v1", "c1", "2026-03-02T08:00", "2026-03-02T08:20", {"Dusch"}), "ph9"));
  EXPECT_FALSE(r.accepted);
  EXPECT_EQ(r.clause, "5.3");
  EXPECT_NE(r.reason.find("another provider"), std::string::npos) << r.reason;
}

TEST(Check_5_3, APhoneUnknownToPhoniroCareIsRefused) {
  Session run(with_phones().w);
  const auto r = run.add(
      on_phone(visit("v1", "c1", "2026-03-02T08:00", "2026-03-02T08:20", {"Dusch"}), "ph7"));
  EXPECT_FALSE(r.accepted);
  EXPECT_EQ(r.clause, "5.3");
  EXPECT_NE(r.reason.find("does not know"), std::string::npos) << r.reason;
}

// I-15: 5.3 lets staff borrow the phone during the working day, so any staff member of the
// phone's provider may register from it; a registration naming no phone is not checked.
TEST(Check_5_3, StaffOfTheProviderShareAPhoneAndNoPhoneIsNotChecked) {
  Session run(with_phones().w);
  EXPECT_TRUE(
      run.add(on_phone(visit("v1", "c1", "2026-03-02T08:00", "2026-03-02T08:20", {"Dusch"}), "ph1"))
          .accepted);
  auto v2 = on_phone(
      visit("v2", "c2", "2026-03-02T09:00", "2026-03-02T09:20", {"Dusch"}, "04:00:00:00:00:00:02"),
      "ph1");
  v2.staff = "bo";
  EXPECT_TRUE(run.add(v2).accepted);
  EXPECT_TRUE(
      run.add(visit("v3", "c1", "2026-03-02T10:00", "2026-03-02T10:20", {"Dusch"})).accepted);
}

TEST(Check_5_3, AnEditFromADeactivatedPhoneIsRefusedAtTheTimeItWasMade) {
  Session run(with_phones().w);
  ASSERT_TRUE(
      run.add(on_phone(visit("v1", "c1", "2026-03-02T08:00", "2026-03-02T08:20", {"Dusch"}), "ph2"))
          .accepted);
  VisitEdit e{"v1/edit", "v1",
              TimeEdit{at("2026-03-02T08:00"), at("2026-03-02T08:25"), "glömde", std::nullopt},
              "ph2"};
  EXPECT_TRUE(run.add(e).accepted);  // no made_at: made at the visit's end, 08:20
  e.id = "v1/edit2";
  e.edit.made_at = at("2026-03-02T08:40");
  const auto r = run.add(e);
  EXPECT_FALSE(r.accepted);
  EXPECT_EQ(r.clause, "5.3");
}

// ---- 4.12: an edit is a registration of its own that names an accepted visit.
TEST(Check_4_12, AnEditOfAVisitTheBackendDoesNotHaveIsRefused) {
  Session run(base().w);
  const VisitEdit e{
      "v1/edit", "v1",
      TimeEdit{at("2026-03-02T08:00"), at("2026-03-02T08:30"), "glömde", at("2026-03-02T09:00")},
      ""};
  const auto r = run.add(e);
  EXPECT_FALSE(r.accepted);
  EXPECT_NE(r.reason.find("names visit 'v1', which the backend has not accepted"),
            std::string::npos)
      << r.reason;
  ASSERT_TRUE(
      run.add(visit("v1", "c1", "2026-03-02T08:10", "2026-03-02T08:30", {"Dusch"})).accepted);
  auto backwards = e;
  backwards.edit.end = at("2026-03-02T07:00");
  EXPECT_FALSE(run.add(backwards).accepted);
  EXPECT_TRUE(run.add(e).accepted);
  EXPECT_EQ(run.backend->registrations().visits.at(0).edit, e.edit);
}

TEST(AcceptedRegistrations, AnEditBecomesItsVisitsEditAndALaterOneReplacesIt) {
  backend::AcceptedRegistrations acc;
  acc.append(visit("a1", "c1", "2026-03-02T08:00", "2026-03-02T08:30", {"Dusch"}));
  const TimeEdit first{at("2026-03-02T08:00"), at("2026-03-02T08:40"), "", at("2026-03-02T09:00")};
  const TimeEdit second{at("2026-03-02T07:50"), at("2026-03-02T08:30"), "x", std::nullopt};
  acc.append(VisitEdit{"a1/edit", "a1", first, ""});
  EXPECT_EQ(acc.all().visits.at(0).edit, first);
  acc.append(VisitEdit{"a1/edit2", "a1", second, ""});
  EXPECT_EQ(acc.all().visits.at(0).edit, second);
  EXPECT_EQ(acc.visit("a1"), &acc.all().visits.at(0));
  EXPECT_EQ(acc.visit("zz"), nullptr);
  EXPECT_THROW(acc.append(VisitEdit{"b1/edit", "b1", first, ""}), std::invalid_argument);
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

// I-17: stated insats minutes are time within the visit.
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
