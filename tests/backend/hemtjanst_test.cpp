// Hemtjänst clauses (seed 000): for every clause a case that passes and one that violates.
#include "backend/engine/engine.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>

#include "builders.hpp"

namespace kvittens {
namespace {

using namespace kvittens::fixtures;
constexpr const char* kTag = "04:00:00:00:00:00:01";
constexpr const char* kSpouseTag = "04:00:00:00:00:00:02";

WorldBuilder base() {
  WorldBuilder b;
  b.customer("c1", {kTag})
      .order("c1", "Dusch", 30)
      .order("c1", "Morgon", 30)
      .order("c1", "Lunch", 30);
  b.w.cutoff_dates["2026-03"] = parse_date("2026-04-05");
  return b;
}

VisitDecision decide_one(const World& w, Visit v,
                         const std::string& rules = "nacka-hemtjanst@3.0") {
  Session run(w, rules);
  const auto r = run.add(v);
  EXPECT_TRUE(r.accepted) << r.reason;
  run.approve_all();
  return run.of(v.id);
}

// ---- 2: paid time runs receipt to receipt
TEST(Hemtjanst_2, PaidTimeRunsFromStartReceiptToEndReceipt) {
  const auto d =
      decide_one(base().w, visit("v1", "c1", "2026-03-02T08:00", "2026-03-02T08:25", {"Dusch"}));
  EXPECT_EQ(d.paid_minutes, 25);
  EXPECT_EQ(d.state, DecisionState::Approved);
  EXPECT_TRUE(d.customer_fee);
  EXPECT_TRUE(cites(d, "2"));
}

TEST(Hemtjanst_2, NightVisitAcrossTheSpringChangeIsPaidItsRealLength) {
  auto b = base();
  b.order("c1", "Natt", 600);
  const auto d =
      decide_one(b.w, visit("n1", "c1", "2026-03-28T22:00", "2026-03-29T06:00", {"Natt"}));
  EXPECT_EQ(d.registered_minutes, 7 * 60);
  EXPECT_EQ(d.paid_minutes, 7 * 60);
}

TEST(Hemtjanst_2_Manual, ShareAtTenPercentIsWithinAndAboveIsFlagged) {
  auto b = base();
  for (int n : {10, 9}) {
    Session run(b.w);
    for (int i = 0; i < n; ++i) {
      char s[32], e[32];
      std::snprintf(s, sizeof s, "2026-03-%02dT08:00", i + 2);
      std::snprintf(e, sizeof e, "2026-03-%02dT08:20", i + 2);
      auto v = visit("v" + std::to_string(i), "c1", s, e, {"Dusch"});
      if (i == 0) v.manual = true;
      ASSERT_TRUE(run.add(v).accepted);
    }
    run.approve_all();
    const auto months = run.decide().months;
    ASSERT_EQ(months.size(), 1u);
    EXPECT_EQ(months[0].manual_visits, 1);
    EXPECT_EQ(months[0].manual_share_exceeded, n == 9) << n << " visits";
    EXPECT_TRUE(cites(months[0].trace, "2/manual"));
  }
}

// ---- 2/repayment (2026-03-25 only)
TEST(Hemtjanst_2_Repayment, LoweredReEvaluationYieldsRepaymentFromTheRevision) {
  auto b = base();
  for (const char* rules : {"nacka-hemtjanst@3.0", "nacka-hemtjanst@2026-03-25"}) {
    Session run(b.w, rules);
    auto v = visit("v1", "c1", "2026-03-02T08:00", "2026-03-02T08:45", {"Dusch"});
    ASSERT_TRUE(run.add(v).accepted);
    run.approve_all();
    ASSERT_TRUE(run.add(Payment{"v1", 45}).accepted);  // paid earlier in full; 30 is due
    const auto months = run.decide().months;
    ASSERT_EQ(months.size(), 1u);
    if (std::string(rules).ends_with("3.0")) {
      EXPECT_TRUE(months[0].repayments.empty());
    } else {
      ASSERT_EQ(months[0].repayments.size(), 1u);
      EXPECT_EQ(months[0].repayments[0].paid_before, 45);
      EXPECT_EQ(months[0].repayments[0].due_now, 30);
      EXPECT_EQ(months[0].repayments[0].reason.clause, "2/repayment");
    }
  }
}

TEST(Hemtjanst_2_Repayment, NoRepaymentWhenNothingWasOverpaid) {
  Session run(base().w, "nacka-hemtjanst@2026-03-25");
  ASSERT_TRUE(
      run.add(visit("v1", "c1", "2026-03-02T08:00", "2026-03-02T08:30", {"Dusch"})).accepted);
  run.approve_all();
  ASSERT_TRUE(run.add(Payment{"v1", 30}).accepted);
  EXPECT_TRUE(run.decide().months.at(0).repayments.empty());
}

// ---- 2.1: notes purged after 180 days, decisions keep their outcome
TEST(Hemtjanst_2_1, NotesOlderThan180DaysArePurgedAndTheDecisionStands) {
  Session run(base().w);
  auto v = visit("v1", "c1", "2026-03-02T08:00", "2026-03-02T09:00", {"Dusch"});
  v.note = "Kunden behövde extra tid";
  ASSERT_TRUE(run.add(v).accepted);
  run.approve_all();
  EXPECT_EQ(run.of("v1").paid_minutes, 60);                        // 4.3 with note
  EXPECT_EQ(run.backend->purge_notes(at("2026-08-28T12:00")), 0);  // 179 days: kept
  EXPECT_FALSE(run.backend->registrations().visits[0].note.empty());
  EXPECT_EQ(run.backend->purge_notes(at("2026-08-30T12:00")), 1);  // 181 days: purged
  EXPECT_TRUE(run.backend->registrations().visits[0].note.empty());
  EXPECT_EQ(run.of("v1").paid_minutes, 60);
}

// ---- 3.2 / 4.13
TEST(Hemtjanst_4_13, ShiftApprovedOnTheSparrdatumIsPaid) {
  Session run(base().w);
  ASSERT_TRUE(
      run.add(visit("v1", "c1", "2026-03-02T08:00", "2026-03-02T08:30", {"Dusch"})).accepted);
  run.approve_all("2026-04-05T23:30");
  const auto d = run.of("v1");
  EXPECT_EQ(d.paid_minutes, 30);
  EXPECT_TRUE(cites(d, "4.13"));
}

TEST(Hemtjanst_4_13, ShiftApprovedAfterTheSparrdatumIsNotPaid) {
  Session run(base().w);
  ASSERT_TRUE(
      run.add(visit("v1", "c1", "2026-03-02T08:00", "2026-03-02T08:30", {"Dusch"})).accepted);
  run.approve_all("2026-04-06T00:10");
  const auto d = run.of("v1");
  EXPECT_EQ(d.paid_minutes, 0);
  EXPECT_EQ(d.state, DecisionState::Rejected);
  EXPECT_TRUE(cites(d, "4.13"));
}

TEST(Hemtjanst_3_2, UnapprovedShiftIsNotPaid) {
  Session run(base().w);
  ASSERT_TRUE(
      run.add(visit("v1", "c1", "2026-03-02T08:00", "2026-03-02T08:30", {"Dusch"})).accepted);
  const auto d = run.of("v1");
  EXPECT_EQ(d.state, DecisionState::Rejected);
  EXPECT_TRUE(cites(d, "3.2"));
}

// ---- 4.1
TEST(Hemtjanst_4_1, VisitWithoutInsatsIsRejected) {
  const auto d =
      decide_one(base().w, visit("v1", "c1", "2026-03-02T08:00", "2026-03-02T08:30", {}));
  EXPECT_EQ(d.state, DecisionState::Rejected);
  EXPECT_TRUE(cites(d, "4.1"));
}

TEST(Hemtjanst_4_1, ExtraInsatsNeedsANote) {
  auto v = visit("v1", "c1", "2026-03-02T08:00", "2026-03-02T08:20", {"Tillsyn"});
  v.insatser[0].status = InsatsStatus::Extra;
  auto d = decide_one(base().w, v);
  EXPECT_EQ(d.paid_minutes, 0);
  EXPECT_TRUE(cites(d, "4.1"));
  v.note = "Kunden hade fallit, tillsyn extra";
  d = decide_one(base().w, v);
  EXPECT_EQ(d.paid_minutes, 20);
  EXPECT_TRUE(cites(d, "4.1"));
}

// ---- 4.2 provider-initiated insatser
TEST(Hemtjanst_4_2, GenomforandesamtalIsCappedAtAnHourPerCustomerWithoutFee) {
  Session run(base().w);
  ASSERT_TRUE(
      run.add(visit("g1", "c1", "2026-03-02T10:00", "2026-03-02T11:30", {"Genomförandesamtal"}))
          .accepted);
  ASSERT_TRUE(
      run.add(visit("g2", "c1", "2026-03-09T10:00", "2026-03-09T10:30", {"Genomförandesamtal"}))
          .accepted);
  run.approve_all();
  const auto g1 = run.of("g1"), g2 = run.of("g2");
  EXPECT_EQ(g1.paid_minutes, 60);
  EXPECT_EQ(g1.state, DecisionState::Reduced);
  EXPECT_FALSE(g1.customer_fee);
  EXPECT_EQ(g2.paid_minutes, 0);
  EXPECT_TRUE(cites(g2, "4.2"));
}

TEST(Hemtjanst_4_2, UppstartSmartaLasOnlyWhereALockIsInstalled) {
  auto b = base();
  auto d = decide_one(
      b.w, visit("u1", "c1", "2026-03-02T10:00", "2026-03-02T11:00", {"Uppstart smarta lås"}));
  EXPECT_EQ(d.paid_minutes, 0);
  EXPECT_TRUE(cites(d, "4.2"));
  b.lock("AA:BB:CC:DD:EE:01", {"c1"});
  // Receipted by the lock: where one is mounted the tag is no receipt (7).
  auto v = visit("u1", "c1", "2026-03-02T10:00", "2026-03-02T11:00", {"Uppstart smarta lås"});
  v.start_receipt = {ReceiptKind::Lock, "", signed_event("AA:BB:CC:DD:EE:01", 1, v.start)};
  v.end_receipt = {ReceiptKind::Lock, "", signed_event("AA:BB:CC:DD:EE:01", 2, v.end)};
  d = decide_one(b.w, v);
  EXPECT_EQ(d.paid_minutes, 60);
  EXPECT_FALSE(d.customer_fee);
}

TEST(Hemtjanst_4_2, FonsterputsAnHourPerYearOnlyWithStadning) {
  auto b = base();
  auto d =
      decide_one(b.w, visit("f1", "c1", "2026-03-02T10:00", "2026-03-02T10:45", {"Fönsterputs"}));
  EXPECT_EQ(d.paid_minutes, 0);
  b.order("c1", "Städning", 60);
  Session run(b.w);
  ASSERT_TRUE(
      run.add(visit("f1", "c1", "2026-03-02T10:00", "2026-03-02T10:45", {"Fönsterputs"})).accepted);
  ASSERT_TRUE(
      run.add(visit("f2", "c1", "2026-06-02T10:00", "2026-06-02T10:30", {"Fönsterputs"})).accepted);
  ASSERT_TRUE(
      run.add(visit("f3", "c1", "2027-03-02T10:00", "2027-03-02T10:30", {"Fönsterputs"})).accepted);
  run.approve_all();
  EXPECT_EQ(run.of("f1").paid_minutes, 45);
  EXPECT_EQ(run.of("f2").paid_minutes, 15);  // 60 per year
  EXPECT_EQ(run.of("f3").paid_minutes, 30);  // a new year
}

TEST(Hemtjanst_4_2, SipIsPaidForTheActualTime) {
  const auto d =
      decide_one(base().w, visit("s1", "c1", "2026-03-02T13:00", "2026-03-02T15:30", {"SIP"}));
  EXPECT_EQ(d.paid_minutes, 150);
  EXPECT_FALSE(d.customer_fee);
}

// Registers `visits` in the order given, each accepted, and approves their shifts.
Session registered(std::initializer_list<Visit> visits) {
  Session run(base().w);
  for (const auto& v : visits) EXPECT_TRUE(run.add(v).accepted) << v.id;
  run.approve_all();
  return run;
}

const Visit kBrandFirst =
    visit("b1", "c1", "2026-03-02T10:00", "2026-03-02T11:20", {"Brandförebyggande"});
const Visit kBrandLater =
    visit("b2", "c1", "2026-03-12T10:00", "2026-03-12T10:10", {"Brandförebyggande"});

TEST(Hemtjanst_4_2, BrandforebyggandeOnceAndAtMostAnHour) {
  auto run = registered({kBrandFirst, kBrandLater});
  EXPECT_EQ(run.of("b1").paid_minutes, 60);
  EXPECT_EQ(run.of("b2").paid_minutes, 0);
}

// The same two visits registered the other way round: caps run forward in time, whatever
// the order of registration, and decisions come back in registration order.
TEST(Hemtjanst_4_2, BrandforebyggandeCapRunsInTimeOrderWhenRegisteredOutOfOrder) {
  auto run = registered({kBrandLater, kBrandFirst});
  const auto d = run.decide();
  ASSERT_GE(d.visits.size(), 2u);
  EXPECT_EQ(d.visits[0].id, "b2");
  EXPECT_EQ(d.visits[1].id, "b1");
  EXPECT_EQ(d.visits[0].paid_minutes, 0);
  EXPECT_EQ(d.visits[1].paid_minutes, 60);
}

// Two visits starting at the same minute, each claiming the once-per-customer Brandförebyggande:
// the one paid was whichever was registered first. It is now the first by id (I-19), in either
// order of registration.
TEST(Hemtjanst_4_2, VisitsStartingTogetherMeetACapInTheOrderOfTheirIds) {
  auto by_anna = visit("x2", "c1", "2026-03-02T10:00", "2026-03-02T10:30", {"Brandförebyggande"});
  auto by_bo = visit("x1", "c1", "2026-03-02T10:00", "2026-03-02T10:30", {"Brandförebyggande"});
  by_bo.staff = "bo";
  for (const bool anna_first : {true, false}) {
    auto r = anna_first ? registered({by_anna, by_bo}) : registered({by_bo, by_anna});
    EXPECT_EQ(r.of("x1").paid_minutes, 30);
    EXPECT_EQ(r.of("x2").paid_minutes, 0);
    EXPECT_TRUE(cites(r.of("x2"), "4.2"));
  }
}

Visit omstallning(const char* day_start, const char* day_end, const char* notice,
                  const char* registered, std::string cause = "hospital") {
  auto v = visit("o1", "c1", day_start, day_end, {"Omställningstid"});
  v.start_receipt = v.end_receipt = {};
  v.note = "Kunden inlagd på sjukhus";
  v.notice_at = at(notice);
  v.registered_at = at(registered);
  v.cause = std::move(cause);
  return v;
}

TEST(Hemtjanst_4_2, OmstallningstidWithinFourDaysRegisteredWithinFourteen) {
  auto d = decide_one(base().w, omstallning("2026-03-05T08:00", "2026-03-05T09:00",
                                            "2026-03-02T10:00", "2026-03-10T10:00"));
  EXPECT_EQ(d.paid_minutes, 60);
  EXPECT_FALSE(d.customer_fee);
}

TEST(Hemtjanst_4_2, OmstallningstidAfterFourDaysLateOrWrongCauseIsNotPaid) {
  // day 5 after the notice
  auto d = decide_one(base().w, omstallning("2026-03-06T10:30", "2026-03-06T11:30",
                                            "2026-03-02T10:00", "2026-03-10T10:00"));
  EXPECT_EQ(d.paid_minutes, 0);
  EXPECT_TRUE(cites(d, "4.2"));
  // registered 15 days after the notice
  d = decide_one(base().w, omstallning("2026-03-03T08:00", "2026-03-03T09:00", "2026-03-02T10:00",
                                       "2026-03-17T10:01"));
  EXPECT_EQ(d.paid_minutes, 0);
  // not one of the three causes
  d = decide_one(base().w, omstallning("2026-03-03T08:00", "2026-03-03T09:00", "2026-03-02T10:00",
                                       "2026-03-04T10:00", "travel"));
  EXPECT_EQ(d.paid_minutes, 0);
}

// ---- 4.3
TEST(Hemtjanst_4_3, TimeOverTheOrderIsPaidOnlyWithANote) {
  auto v = visit("v1", "c1", "2026-03-02T08:00", "2026-03-02T08:45", {"Dusch"});
  auto d = decide_one(base().w, v);
  EXPECT_EQ(d.paid_minutes, 30);
  EXPECT_EQ(d.state, DecisionState::Reduced);
  EXPECT_TRUE(cites(d, "4.3"));
  v.note = "Kunden mådde dåligt";
  d = decide_one(base().w, v);
  EXPECT_EQ(d.paid_minutes, 45);
  EXPECT_EQ(d.state, DecisionState::Approved);
}

// ---- 4.4
TEST(Hemtjanst_4_4, InsatsWithoutOrderNeedsANote) {
  auto v = visit("v1", "c1", "2026-03-02T08:00", "2026-03-02T08:20", {"Tillsyn"});
  auto d = decide_one(base().w, v);
  EXPECT_EQ(d.paid_minutes, 0);
  EXPECT_TRUE(cites(d, "4.4"));
  v.note = "Tillfälligt behov, handläggare kontaktad";
  d = decide_one(base().w, v);
  EXPECT_EQ(d.paid_minutes, 20);
}

// ---- 4.5
TEST(Hemtjanst_4_5, TheSpousesTagIsNotAReceiptForThisCustomer) {
  auto b = base();
  b.customer("c2", {kSpouseTag}).order("c2", "Dusch", 30);
  b.w.customers[0].cohabitant = "c2";
  b.w.customers[1].cohabitant = "c1";
  auto d = decide_one(
      b.w, visit("v1", "c1", "2026-03-02T08:00", "2026-03-02T08:30", {"Dusch"}, kSpouseTag));
  EXPECT_EQ(d.state, DecisionState::Rejected);
  EXPECT_TRUE(cites(d, "4.5"));
  d = decide_one(b.w, visit("v1", "c1", "2026-03-02T08:00", "2026-03-02T08:30", {"Dusch"}, kTag));
  EXPECT_EQ(d.paid_minutes, 30);
}

// The two visits interleave: unlock 1 starts c1, 2 starts c2, 3 ends c2, 4 ends c1.
TEST(Hemtjanst_4_5, CohabitantsWithASharedLockAreBothReceipted) {
  auto b = base();
  b.customer("c2", {}).order("c2", "Dusch", 30);
  b.w.customers[0].cohabitant = "c2";
  b.w.customers[1].cohabitant = "c1";
  b.lock("AA:BB:CC:DD:EE:01", {"c1", "c2"});
  Session run(b.w);
  const auto lock = [](std::uint32_t seq, const char* t, std::uint8_t ev) {
    return Receipt{ReceiptKind::Lock, "", signed_event("AA:BB:CC:DD:EE:01", seq, at(t), ev)};
  };
  auto v1 = visit("v1", "c1", "2026-03-02T08:00", "2026-03-02T08:30", {"Dusch"});
  v1.start_receipt = lock(1, "2026-03-02T08:00", 1);
  v1.end_receipt = lock(4, "2026-03-02T08:30", 2);
  auto v2 = visit("v2", "c2", "2026-03-02T08:01", "2026-03-02T08:29", {"Dusch"});
  v2.start_receipt = lock(2, "2026-03-02T08:01", 1);
  v2.end_receipt = lock(3, "2026-03-02T08:29", 2);
  ASSERT_TRUE(run.add(v1).accepted);
  const auto r = run.add(v2);  // overlap allowed: cohabitant (4.5)
  ASSERT_TRUE(r.accepted) << r.reason;
  run.approve_all();
  EXPECT_EQ(run.of("v1").paid_minutes, 30);
  EXPECT_EQ(run.of("v2").paid_minutes, 28);
}

// ---- 4.6
struct DoubleStaffingCase : ::testing::Test {
  WorldBuilder b = base();
  DoubleStaffing ds(const char* s, const char* e, std::string note = "") {
    return DoubleStaffing{"d1", "bo", "c1", at(s), at(e), std::move(note), "", ""};
  }
  VisitDecision run(bool ordered, const DoubleStaffing& d, bool with_primary = true) {
    if (ordered) b.order("c1", "Morgon", 30, true);
    Session r(b.w);
    if (with_primary) {
      EXPECT_TRUE(
          r.add(visit("v1", "c1", "2026-03-02T08:00", "2026-03-02T08:30", {"Morgon"})).accepted);
    }
    EXPECT_TRUE(r.add(d).accepted);
    r.approve_all();
    return r.of("d1");
  }
};

TEST_F(DoubleStaffingCase, OrderedWithinThePrimaryWindowIsPaid) {
  const auto d = run(true, ds("2026-03-02T08:05", "2026-03-02T08:25"));
  EXPECT_EQ(d.paid_minutes, 20);
  EXPECT_EQ(d.state, DecisionState::Approved);
}

TEST_F(DoubleStaffingCase, OutsideThePrimaryWindowOnlyTheOverlapIsPaid) {
  const auto d = run(true, ds("2026-03-02T08:10", "2026-03-02T08:50"));
  EXPECT_EQ(d.paid_minutes, 20);
  EXPECT_EQ(d.state, DecisionState::Reduced);
  EXPECT_TRUE(cites(d, "4.6"));
}

TEST_F(DoubleStaffingCase, WithoutAPrimaryInsatsItIsNotPaid) {
  const auto d = run(true, ds("2026-03-02T08:05", "2026-03-02T08:25"), false);
  EXPECT_EQ(d.state, DecisionState::Rejected);
  EXPECT_TRUE(cites(d, "4.6"));
}

TEST_F(DoubleStaffingCase, UnorderedNeedsANoteWithTheReason) {
  auto d = run(false, ds("2026-03-02T08:05", "2026-03-02T08:25"));
  EXPECT_EQ(d.state, DecisionState::Rejected);
  d = run(false, ds("2026-03-02T08:05", "2026-03-02T08:25", "Kunden kunde inte stå, två behövdes"));
  EXPECT_EQ(d.paid_minutes, 20);
}

// ---- 4.7
TEST(Hemtjanst_4_7, SharedShoppingForThreeIsSplitEqually) {
  auto b = base();
  b.customer("c2", {"04:00:00:00:00:00:02"}).order("c2", "Inköp", 40);
  b.customer("c3", {"04:00:00:00:00:00:03"}).order("c3", "Inköp", 40);
  b.order("c1", "Inköp", 40);
  Session run(b.w);
  ASSERT_TRUE(run.add(SharedInsats{"s1",
                                   "anna",
                                   "Inköp",
                                   at("2026-03-02T10:00"),
                                   at("2026-03-02T11:15"),
                                   {"c1", "c2", "c3"},
                                   ""})
                  .accepted);
  const char* tags[] = {kTag, "04:00:00:00:00:00:02", "04:00:00:00:00:00:03"};
  const char* ends[] = {"2026-03-02T10:25", "2026-03-02T10:30", "2026-03-02T10:25"};
  for (int i = 0; i < 3; ++i) {
    auto v = visit("v" + std::to_string(i + 1), "c" + std::to_string(i + 1), "2026-03-02T10:00",
                   ends[i], {"Inköp"}, tags[i]);
    v.shared_group = "s1";
    const auto r = run.add(v);
    ASSERT_TRUE(r.accepted) << r.reason;
  }
  run.approve_all();
  EXPECT_EQ(run.of("v1").paid_minutes, 25);
  EXPECT_EQ(run.of("v2").paid_minutes, 25);  // registered 30: more than its share
  EXPECT_EQ(run.of("v2").state, DecisionState::Reduced);
  EXPECT_TRUE(cites(run.of("v2"), "4.7"));
  EXPECT_EQ(run.of("v3").paid_minutes, 25);
}

// ---- 4.8 / 4.9
TEST(Hemtjanst_4_8, DeclinedAfterStartPaysTheTimeItLasted) {
  auto v = visit("v1", "c1", "2026-03-02T08:00", "2026-03-02T08:07", {"Dusch"});
  v.declined_after_start = true;
  const auto d = decide_one(base().w, v);
  EXPECT_EQ(d.paid_minutes, 7);
  EXPECT_TRUE(cites(d, "4.8"));
}

TEST(Hemtjanst_4_8, AvbojdInsatsPaysNothing) {
  auto v = visit("v1", "c1", "2026-03-02T08:00", "2026-03-02T08:07", {"Dusch"});
  v.insatser[0].status = InsatsStatus::Declined;
  const auto d = decide_one(base().w, v);
  EXPECT_EQ(d.paid_minutes, 0);
  EXPECT_TRUE(cites(d, "4.8"));
}

TEST(Hemtjanst_4_8, NotLetInIsNotPaid) {
  Session run(base().w);
  ASSERT_TRUE(
      run.add(DeclinedVisit{"x1", "anna", "c1", at("2026-03-02T08:00"), at("2026-03-02T08:30"),
                            at("2026-03-02T08:00"), "Släpptes inte in", "", ""})
          .accepted);
  const auto d = run.of("x1");
  EXPECT_EQ(d.paid_minutes, 0);
  EXPECT_TRUE(cites(d, "4.8"));
}

TEST(Hemtjanst_4_9, CustomerNotHomeIsNotPaid) {
  Session run(base().w);
  ASSERT_TRUE(run.add(Absence{"a1", "c1", at("2026-03-02T08:00"), at("2026-03-02T08:00"),
                              std::nullopt, "away"})
                  .accepted);
  const auto d = run.of("a1");
  EXPECT_EQ(d.paid_minutes, 0);
  EXPECT_TRUE(cites(d, "4.9"));
}

// ---- 4.10
TEST(Hemtjanst_4_10, MissingReceiptWithoutNoteIsRejected) {
  auto v = visit("v1", "c1", "2026-03-02T08:00", "2026-03-02T08:30", {"Dusch"});
  v.end_receipt = {};
  const auto d = decide_one(base().w, v);
  EXPECT_EQ(d.state, DecisionState::Rejected);
  EXPECT_TRUE(cites(d, "4.10"));
}

TEST(Hemtjanst_4_10, MissingReceiptWithNoteOutsideTheExceptionsIsManual) {
  auto v = visit("v1", "c1", "2026-03-02T08:00", "2026-03-02T08:30", {"Dusch"});
  v.end_receipt = {};
  v.note = "Telefonen dog";
  const auto d = decide_one(base().w, v);
  EXPECT_EQ(d.paid_minutes, 30);
  EXPECT_TRUE(d.manual);
}

TEST(Hemtjanst_4_10, ListedExceptionWithNoteIsNotManual) {
  auto b = base();
  b.order("c1", "Inköp", 45);
  auto v = visit("v1", "c1", "2026-03-02T10:00", "2026-03-02T10:40", {"Inköp"});
  v.start_receipt = {};
  v.start_place = Place::Outside;
  auto d = decide_one(b.w, v);
  EXPECT_EQ(d.state, DecisionState::Rejected);  // exception still needs a note
  v.note = "Började i affären";
  d = decide_one(b.w, v);
  EXPECT_EQ(d.paid_minutes, 40);
  EXPECT_FALSE(d.manual);
}

TEST(Hemtjanst_4_10, ForgedReplayedOrStaleLockReceiptsCountAsNone) {
  auto b = base();
  b.lock("AA:BB:CC:DD:EE:01", {"c1"});
  Session run(b.w);
  auto good = visit("v1", "c1", "2026-03-02T08:00", "2026-03-02T08:30", {"Dusch"});
  good.start_receipt = {ReceiptKind::Lock, "",
                        signed_event("AA:BB:CC:DD:EE:01", 10, at("2026-03-02T08:00"))};
  good.end_receipt = {ReceiptKind::Lock, "",
                      signed_event("AA:BB:CC:DD:EE:01", 11, at("2026-03-02T08:30"), 2)};
  auto replay = visit("v2", "c1", "2026-03-03T08:00", "2026-03-03T08:30", {"Dusch"});
  replay.start_receipt = good.start_receipt;  // seq 10 again
  replay.end_receipt = {ReceiptKind::Lock, "",
                        signed_event("AA:BB:CC:DD:EE:01", 12, at("2026-03-03T08:30"), 2)};
  auto forged = visit("v3", "c1", "2026-03-04T08:00", "2026-03-04T08:30", {"Dusch"});
  forged.start_receipt = {ReceiptKind::Lock, "",
                          signed_event("AA:BB:CC:DD:EE:01", 13, at("2026-03-04T08:00"))};
  forged.start_receipt.lock->mac_hex[0] = forged.start_receipt.lock->mac_hex[0] == 'a' ? 'b' : 'a';
  forged.end_receipt = {ReceiptKind::Lock, "",
                        signed_event("AA:BB:CC:DD:EE:01", 14, at("2026-03-04T08:30"), 2)};
  auto stale = visit("v4", "c1", "2026-03-05T08:00", "2026-03-05T08:30", {"Dusch"});
  stale.start_receipt = {ReceiptKind::Lock, "",
                         signed_event("AA:BB:CC:DD:EE:01", 15, at("2026-03-05T07:40"))};
  stale.end_receipt = {ReceiptKind::Lock, "",
                       signed_event("AA:BB:CC:DD:EE:01", 16, at("2026-03-05T08:30"), 2)};
  for (const auto& v : {good, replay, forged, stale}) ASSERT_TRUE(run.add(v).accepted);
  run.approve_all();
  EXPECT_EQ(run.of("v1").paid_minutes, 30);
  for (const char* id : {"v2", "v3", "v4"}) {
    const auto d = run.of(id);
    EXPECT_EQ(d.state, DecisionState::Rejected) << id;
    EXPECT_TRUE(cites(d, "4.10")) << id;
  }
}

TEST(Hemtjanst_4_10, OneLockEntryCannotReceiptBothEndsOfAVisit) {
  auto b = base();
  b.lock("AA:BB:CC:DD:EE:01", {"c1"});
  auto v = visit("v1", "c1", "2026-03-02T08:00", "2026-03-02T08:03", {"Dusch"});
  v.start_receipt = {ReceiptKind::Lock, "",
                     signed_event("AA:BB:CC:DD:EE:01", 5, at("2026-03-02T08:00"))};
  v.end_receipt = v.start_receipt;  // within the 5-minute tolerance, but the same entry
  const auto d = decide_one(b.w, v);
  EXPECT_EQ(d.state, DecisionState::Rejected);
  EXPECT_TRUE(cites(d, "4.10"));
  v.end_receipt = {ReceiptKind::Lock, "",
                   signed_event("AA:BB:CC:DD:EE:01", 6, at("2026-03-02T08:03"), 2)};
  EXPECT_EQ(decide_one(b.w, v).paid_minutes, 3);
}

// ---- 4.11
TEST(Hemtjanst_4_11, LunchPickupStartsWithoutReceiptWithinGrantedTime) {
  auto v = visit("v1", "c1", "2026-03-02T11:30", "2026-03-02T11:58", {"Lunch"});
  v.start_receipt = {};
  v.start_place = Place::Pickup;
  v.note = "Hämtade matlådan på restaurangen";
  const auto d = decide_one(base().w, v);
  EXPECT_EQ(d.paid_minutes, 28);
  EXPECT_FALSE(d.manual);
  EXPECT_TRUE(cites(d, "4.11"));
}

// §2 "Undantag ska alltid dokumenteras i anteckning", and 4.10's last paragraph covers its
// whole list, the pickup included (I-5): without a note the pickup start is no receipt.
TEST(Hemtjanst_4_11, LunchPickupWithoutNoteIsRejected) {
  auto v = visit("v1", "c1", "2026-03-02T11:30", "2026-03-02T11:58", {"Lunch"});
  v.start_receipt = {};
  v.start_place = Place::Pickup;
  const auto d = decide_one(base().w, v);
  EXPECT_EQ(d.paid_minutes, 0);
  EXPECT_EQ(d.state, DecisionState::Rejected);
  EXPECT_TRUE(cites(d.trace, "4.10"));
  EXPECT_TRUE(cites(d.insatser[0].trace, "4.10"));
  EXPECT_FALSE(cites(d, "4.11"));
}

// ---- 4.12
TEST(Hemtjanst_4_12, EditedTimesStandOnlyWithANote) {
  auto v = visit("v1", "c1", "2026-03-02T08:00", "2026-03-02T08:10", {"Dusch"});
  v.edit = TimeEdit{at("2026-03-02T08:00"), at("2026-03-02T08:30"), "", std::nullopt};
  auto d = decide_one(base().w, v);
  EXPECT_EQ(d.paid_minutes, 10);
  EXPECT_TRUE(cites(d, "4.12"));
  v.edit->note = "Glömde avsluta, telefonen slutade fungera";
  d = decide_one(base().w, v);
  EXPECT_EQ(d.paid_minutes, 30);
}

// 4.12: "Det kan göras efter att besöket är avslutat men innan arbetspasset har godkänts."
// The visit is sent as it ends (19:30-19:50); the edit to 19:30-20:00 follows as a
// registration of its own, made at `made_at`, and the shift is approved at 21:00.
VisitDecision edited_after_approval_at(const char* made_at) {
  Session run(base().w);
  EXPECT_TRUE(
      run.add(visit("v1", "c1", "2026-03-02T19:30", "2026-03-02T19:50", {"Dusch"})).accepted);
  EXPECT_TRUE(run.add(ShiftApproval{"anna/2026-03-02", at("2026-03-02T21:00")}).accepted);
  VisitEdit e;
  e.id = "v1/edit";
  e.visit = "v1";
  e.edit = TimeEdit{at("2026-03-02T19:30"), at("2026-03-02T20:00"),
                    "Glömde avsluta, telefonen slutade fungera", at(made_at)};
  const auto r = run.add(e);
  EXPECT_TRUE(r.accepted) << r.reason;
  return run.of("v1");
}

TEST(Hemtjanst_4_12, AnEditMadeAfterTheShiftWasApprovedLeavesTheOriginalTimes) {
  const auto d = edited_after_approval_at("2026-03-02T22:00");
  EXPECT_EQ(d.registered_minutes, 20);
  EXPECT_EQ(d.paid_minutes, 20);
  EXPECT_EQ(d.end, at("2026-03-02T19:50"));
  ASSERT_TRUE(cites(d, "4.12"));
  bool said = false;
  for (const auto& t : d.trace)
    if (t.clause == "4.12")
      said = t.reason.find("after the shift was approved at 2026-03-02T21:00") !=
             std::string_view::npos;
  EXPECT_TRUE(said) << "the 4.12 reason says the edit came after the approval";
}

TEST(Hemtjanst_4_12, AnEditMadeBeforeTheShiftWasApprovedStands) {
  const auto d = edited_after_approval_at("2026-03-02T20:30");
  EXPECT_EQ(d.registered_minutes, 30);
  EXPECT_EQ(d.paid_minutes, 30);
}

TEST(Hemtjanst_4_12, AnEditWithoutATimeCountsAsMadeAtTheVisitsEnd) {
  auto v = visit("v1", "c1", "2026-03-02T19:30", "2026-03-02T19:50", {"Dusch"});
  v.edit = TimeEdit{at("2026-03-02T19:30"), at("2026-03-02T20:00"), "Telefonen hängde sig",
                    std::nullopt};
  for (const auto& [approved, paid] : {std::pair{"2026-03-02T19:50", 20},  // at the end: late
                                       std::pair{"2026-03-02T19:51", 30}}) {
    Session run(base().w);
    ASSERT_TRUE(run.add(v).accepted);
    ASSERT_TRUE(run.add(ShiftApproval{"anna/2026-03-02", at(approved)}).accepted);
    EXPECT_EQ(run.of("v1").paid_minutes, paid) << "approved " << approved;
  }
}

// ---- 4.14
TEST(Hemtjanst_4_14, AfterTheFactRegistrationIsManual) {
  auto v = visit("v1", "c1", "2026-03-02T08:00", "2026-03-02T08:30", {"Dusch"});
  EXPECT_FALSE(decide_one(base().w, v).manual);
  v.manual = true;
  const auto d = decide_one(base().w, v);
  EXPECT_TRUE(d.manual);
  EXPECT_TRUE(cites(d, "4.14"));
}

// ---- 4.15 (matrix, I-1..I-3)
TEST(Hemtjanst_4_15, TwoCareVisitsOfTheSameKindDoNotCombine) {
  const auto d = decide_one(
      base().w, visit("v1", "c1", "2026-03-02T08:00", "2026-03-02T09:00", {"Morgon", "Lunch"}));
  EXPECT_EQ(d.insatser[0].paid_minutes, 30);
  EXPECT_EQ(d.insatser[1].paid_minutes, 0);
  EXPECT_TRUE(cites(d.insatser[1].trace, "4.15"));
}

TEST(Hemtjanst_4_15, ShowerCombinesWithTheMorningVisit) {
  const auto d = decide_one(
      base().w, visit("v1", "c1", "2026-03-02T08:00", "2026-03-02T09:00", {"Morgon", "Dusch"}));
  EXPECT_EQ(d.paid_minutes, 60);
}

TEST(Hemtjanst_4_15, CleaningWithLaundryChangedInTheRevision) {
  auto b = base();
  b.order("c1", "Städning", 60).order("c1", "Tvätt", 30);
  const auto v = visit("v1", "c1", "2026-04-02T09:00", "2026-04-02T10:30", {"Städning", "Tvätt"});
  const auto old = decide_one(b.w, v, "nacka-hemtjanst@3.0");
  EXPECT_EQ(old.insatser[1].paid_minutes, 0);  // individual assessment, no note
  EXPECT_TRUE(cites(old.insatser[1].trace, "4.15"));
  const auto now = decide_one(b.w, v, "nacka-hemtjanst@2026-03-25");
  EXPECT_EQ(now.insatser[1].paid_minutes, 30);
  EXPECT_EQ(now.stamp->version, "2026-03-25");
}

TEST(Hemtjanst_4_15, IndividualAssessmentWithANoteCombines) {
  auto b = base();
  b.order("c1", "Städning", 60).order("c1", "Tvätt", 30);
  auto v = visit("v1", "c1", "2026-04-02T09:00", "2026-04-02T10:30", {"Städning", "Tvätt"});
  v.insatser[0].minutes = 60;
  v.insatser[1].minutes = 30;
  v.note = "Bedömt tillsammans med handläggare";
  EXPECT_EQ(decide_one(b.w, v, "nacka-hemtjanst@3.0").insatser[1].paid_minutes, 30);
  v.note.clear();
  EXPECT_EQ(decide_one(b.w, v, "nacka-hemtjanst@3.0").insatser[1].paid_minutes, 0);
}

// ---- 5.2
TEST(Hemtjanst_5_2, DeactivatedAccountsRegistrationsAreNotAccepted) {
  auto b = base();
  b.w.staff[0].deactivated_on = parse_date("2026-03-01");
  const auto d =
      decide_one(b.w, visit("v1", "c1", "2026-03-02T08:00", "2026-03-02T08:30", {"Dusch"}));
  EXPECT_EQ(d.state, DecisionState::Rejected);
  EXPECT_TRUE(cites(d, "5.2"));
}

TEST(Hemtjanst_5_2, AccountIdleEighteenMonthsIsDeactivatedSeventeenIsNot) {
  auto b = base();
  b.w.staff[0].last_login = at("2024-09-03T08:00");  // 18 months before 2026-03-03
  auto d = decide_one(b.w, visit("v1", "c1", "2026-03-03T08:00", "2026-03-03T08:30", {"Dusch"}));
  EXPECT_EQ(d.state, DecisionState::Rejected);
  EXPECT_TRUE(cites(d, "5.2"));
  b.w.staff[0].last_login = at("2024-10-03T08:00");  // 17 months
  d = decide_one(b.w, visit("v1", "c1", "2026-03-03T08:00", "2026-03-03T08:30", {"Dusch"}));
  EXPECT_EQ(d.paid_minutes, 30);
}

// Verdicts on accounts are kept per staff member and day: the day the account goes idle
// turns them, for this staff member only, between visits on consecutive days.
TEST(Hemtjanst_5_2, TheDayAnAccountGoesIdleTurnsItsVisitsNotOthers) {
  auto b = base();
  b.w.staff[0].last_login = at("2024-09-03T08:00");  // anna: idle from 2026-03-03
  Session run(b.w);
  auto by_bo = visit("b1", "c1", "2026-03-03T10:00", "2026-03-03T10:30", {"Dusch"});
  by_bo.staff = "bo";
  for (const auto& v :
       {visit("a1", "c1", "2026-03-02T08:00", "2026-03-02T08:30", {"Dusch"}),
        visit("a2", "c1", "2026-03-02T12:00", "2026-03-02T12:30", {"Lunch"}),
        visit("a3", "c1", "2026-03-03T08:00", "2026-03-03T08:30", {"Dusch"}), by_bo})
    ASSERT_TRUE(run.add(v).accepted);
  run.approve_all();
  EXPECT_EQ(run.of("a1").paid_minutes, 30);
  EXPECT_EQ(run.of("a2").paid_minutes, 30);
  EXPECT_EQ(run.of("a3").state, DecisionState::Rejected);
  EXPECT_TRUE(cites(run.of("a3"), "5.2"));
  EXPECT_EQ(run.of("b1").paid_minutes, 30);
  EXPECT_FALSE(cites(run.of("b1"), "5.2"));
}

// Shift verdicts are kept per staff member and day too: another named shift the same day,
// or the next day's shift, is judged on its own.
TEST(Hemtjanst_4_13, EachShiftOfAStaffMembersDayIsJudgedOnItsOwn) {
  Session run(base().w);
  auto named = [](const char* id, const char* from, const char* to, const char* shift) {
    auto v = visit(id, "c1", from, to, {"Dusch"});
    v.shift = shift;
    return v;
  };
  ASSERT_TRUE(run.add(named("m1", "2026-03-02T07:00", "2026-03-02T07:30", "morning")).accepted);
  ASSERT_TRUE(run.add(named("e1", "2026-03-02T18:00", "2026-03-02T18:30", "evening")).accepted);
  ASSERT_TRUE(run.add(named("m2", "2026-03-02T09:00", "2026-03-02T09:30", "morning")).accepted);
  ASSERT_TRUE(
      run.add(visit("d1", "c1", "2026-03-03T08:00", "2026-03-03T08:30", {"Dusch"})).accepted);
  ASSERT_TRUE(
      run.add(visit("d2", "c1", "2026-03-04T08:00", "2026-03-04T08:30", {"Dusch"})).accepted);
  for (const char* approved : {"morning", "anna/2026-03-03"})
    ASSERT_TRUE(run.add(ShiftApproval{approved, at("2026-04-01T09:00")}).accepted);
  EXPECT_EQ(run.of("m1").paid_minutes, 30);
  EXPECT_EQ(run.of("m2").paid_minutes, 30);
  EXPECT_EQ(run.of("e1").state, DecisionState::Rejected);
  EXPECT_TRUE(cites(run.of("e1"), "3.2"));
  EXPECT_EQ(run.of("d1").paid_minutes, 30);
  EXPECT_EQ(run.of("d2").state, DecisionState::Rejected);
  EXPECT_TRUE(cites(run.of("d2"), "3.2"));
}

// ---- 10 (Källsortering withdrawn in 3.0)
TEST(Hemtjanst_10, KallsorteringIsNoLongerPaid) {
  auto b = base();
  b.order("c1", "Källsortering", 10);
  const auto d = decide_one(
      b.w, visit("v1", "c1", "2026-03-02T08:00", "2026-03-02T08:40", {"Dusch", "Källsortering"}));
  EXPECT_EQ(d.insatser[0].paid_minutes, 20);
  EXPECT_EQ(d.insatser[1].paid_minutes, 0);
  EXPECT_TRUE(cites(d.insatser[1].trace, "10"));
}

// ---- stamps
TEST(Hemtjanst_Stamp, EveryDecisionCarriesPackVersionDateAndHash) {
  const auto d =
      decide_one(base().w, visit("v1", "c1", "2026-03-02T08:00", "2026-03-02T08:30", {"Dusch"}));
  EXPECT_EQ(d.stamp->pack, "nacka-hemtjanst");
  EXPECT_EQ(d.stamp->version, "3.0");
  EXPECT_EQ(d.stamp->effective, "2025-10-15");
  EXPECT_EQ(d.stamp->hash.size(), 64u);
}

// ---- Verdicts that hold: each rejection cites every clause that caused it, and only
// outcomes the decision has.

// The clauses cited by the trace, in order.
std::vector<std::string> clauses(const Trace& t) {
  std::vector<std::string> out;
  for (const auto& e : t) out.emplace_back(e.clause);
  return out;
}

TEST(Hemtjanst_4_10, DeclinedAfterStartWithoutReceiptOrNoteCitesTheMissingReceipt) {
  auto v = visit("v1", "c1", "2026-03-02T08:00", "2026-03-02T08:07", {"Dusch"});
  v.start_receipt = {};
  v.declined_after_start = true;
  const auto d = decide_one(base().w, v);
  EXPECT_EQ(d.paid_minutes, 0);
  EXPECT_EQ(clauses(d.insatser[0].trace), std::vector<std::string>{"4.10"});
  // No line says the visit was paid for the time it lasted: it was not.
  EXPECT_FALSE(cites(d, "4.8"));
}

TEST(Hemtjanst_4_1, ExtraInsatsWithoutNoteThatTheMatrixForbidsCitesBoth) {
  auto v =
      visit("v1", "c1", "2026-03-02T08:00", "2026-03-02T08:40", {"Morgon", "Trygghetsringning"});
  v.insatser[0].minutes = 30;
  v.insatser[1].minutes = 10;
  v.insatser[1].status = InsatsStatus::Extra;
  const auto d = decide_one(base().w, v);
  EXPECT_EQ(d.insatser[0].paid_minutes, 30);
  EXPECT_EQ(d.insatser[1].paid_minutes, 0);
  EXPECT_TRUE(cites(d.insatser[1].trace, "4.15"));
  EXPECT_TRUE(cites(d.insatser[1].trace, "4.1"));
}

TEST(Hemtjanst_5_2, AnInactiveAccountAndAMissingReceiptAreBothCited) {
  auto b = base();
  b.w.staff[0].deactivated_on = parse_date("2026-03-01");
  auto v = visit("v1", "c1", "2026-03-02T08:00", "2026-03-02T08:30", {"Dusch"});
  v.end_receipt = {};
  const auto d = decide_one(b.w, v);
  EXPECT_EQ(d.paid_minutes, 0);
  EXPECT_EQ(clauses(d.insatser[0].trace), (std::vector<std::string>{"5.2", "4.10"}));
}

TEST(Hemtjanst_3_2, AnUnapprovedShiftIsCitedBesideAMissingReceipt) {
  auto v = visit("v1", "c1", "2026-03-02T08:00", "2026-03-02T08:30", {"Dusch"});
  v.start_receipt = {};
  Session run(base().w);
  ASSERT_TRUE(run.add(v).accepted);
  const auto d = run.of("v1");
  EXPECT_EQ(clauses(d.insatser[0].trace), (std::vector<std::string>{"4.10", "3.2"}));
}

TEST(Hemtjanst_4_15, TheOutcomeDoesNotDependOnSelectionOrder) {
  auto b = base();
  b.order("c1", "Trygghetsringning", 10);
  b.w.orders.erase(std::remove_if(b.w.orders.begin(), b.w.orders.end(),
                                  [](const Order& o) { return o.insats == "Morgon"; }),
                   b.w.orders.end());
  // Trygghetsringning is ordered, Morgon is not (an unordered insats, with a note): whichever
  // is selected first, the ordered one is kept (I-2).
  for (const bool remote_first : {false, true}) {
    auto v = visit("v1", "c1", "2026-03-02T08:00", "2026-03-02T08:40",
                   remote_first ? std::vector<std::string>{"Trygghetsringning", "Morgon"}
                                : std::vector<std::string>{"Morgon", "Trygghetsringning"});
    v.note = "Kunden behövde hjälp på morgonen";
    for (auto& p : v.insatser) p.minutes = p.insats == "Morgon" ? 30 : 10;
    const auto d = decide_one(b.w, v);
    for (const auto& i : d.insatser) {
      SCOPED_TRACE(i.insats + (remote_first ? " (remote first)" : " (Morgon first)"));
      if (i.insats == "Trygghetsringning") {
        EXPECT_EQ(i.paid_minutes, 10);
      } else {
        EXPECT_EQ(i.paid_minutes, 0);
        EXPECT_TRUE(cites(i.trace, "4.15"));
      }
    }
  }
}

TEST(Hemtjanst_4_15, BetweenTwoOrderedInsatserTheCatalogueOrderDecides) {
  // Both ordered, must not combine: Morgon comes before Lunch in bilaga I, so Morgon is kept
  // whichever was selected first.
  for (const auto& names :
       {std::vector<std::string>{"Morgon", "Lunch"}, std::vector<std::string>{"Lunch", "Morgon"}}) {
    const auto d =
        decide_one(base().w, visit("v1", "c1", "2026-03-02T08:00", "2026-03-02T09:00", names));
    for (const auto& i : d.insatser)
      EXPECT_EQ(i.paid_minutes, i.insats == "Morgon" ? 30 : 0) << i.insats << " of " << names[0];
  }
}

// ---- 7 (with 2.1 and 6): a kvittensmärke only where no lock is mounted
TEST(Hemtjanst_7, AnNfcTagIsNoReceiptFromTheDayALockIsMounted) {
  auto b = base();
  b.lock("AA:BB:CC:DD:EE:01", {"c1"});
  b.w.locks.back().mounted_on = parse_date("2026-03-03");
  // The day before the mounting the tag is a receipt.
  auto before =
      decide_one(b.w, visit("v1", "c1", "2026-03-02T08:00", "2026-03-02T08:25", {"Dusch"}));
  EXPECT_EQ(before.paid_minutes, 25);
  EXPECT_FALSE(cites(before, "7"));
  // From the mounting day, without a note: no receipt at all, rejected.
  auto after =
      decide_one(b.w, visit("v2", "c1", "2026-03-03T08:00", "2026-03-03T08:25", {"Dusch"}));
  EXPECT_EQ(after.paid_minutes, 0);
  EXPECT_TRUE(cites(after.trace, "7"));
  EXPECT_TRUE(cites(after.insatser[0].trace, "7"));
  EXPECT_TRUE(cites(after.insatser[0].trace, "4.10"));
  // With a note: a registration without receipt outside the exceptions, manual.
  auto v = visit("v3", "c1", "2026-03-03T08:00", "2026-03-03T08:25", {"Dusch"});
  v.note = "Låset svarade inte, läste märket";
  const auto noted = decide_one(b.w, v);
  EXPECT_EQ(noted.paid_minutes, 25);
  EXPECT_TRUE(noted.manual);
  EXPECT_TRUE(cites(noted.trace, "7"));
}

TEST(Hemtjanst_7, ALockWithoutAMountingDateCountsAsMountedAlways) {
  auto b = base();
  b.lock("AA:BB:CC:DD:EE:01", {"c1"});
  const auto d =
      decide_one(b.w, visit("v1", "c1", "2026-03-02T08:00", "2026-03-02T08:25", {"Dusch"}));
  EXPECT_EQ(d.paid_minutes, 0);
  EXPECT_TRUE(cites(d, "7"));
}

TEST(Hemtjanst_7, BoendestodKeepsNfcBesideALock) {
  // Seed 003 allows "digitalt lås eller NFC-etikett": the boendestöd pack has no clause 7.
  WorldBuilder b;
  b.customer("b1", {kTag}, ServiceType::Boendestod).last().granted_weekly_hours = 4;
  b.lock("AA:BB:CC:DD:EE:01", {"b1"});
  Session run(b.w, "nacka-boendestod@1.0");
  ASSERT_TRUE(
      run.add(visit("v1", "b1", "2026-03-02T08:00", "2026-03-02T08:30", {"Boendestöd"})).accepted);
  run.approve_all();
  const auto d = run.of("v1");
  EXPECT_EQ(d.paid_minutes, 30);
  EXPECT_FALSE(cites(d, "7"));
}

// ---- Notes say what they document: a note excuses what it names, and the reasons that rely
// on it name it.
TEST(Hemtjanst_Notes, ANoteAboutTheReceiptDoesNotExplainTimeOverTheOrder) {
  auto v = visit("v1", "c1", "2026-03-02T11:30", "2026-03-02T12:15", {"Lunch"});
  v.start_receipt = {};
  v.start_place = Place::Pickup;
  v.note = "Hämtade matlådan på restaurangen";
  v.note_about = static_cast<std::uint8_t>(NoteAbout::Receipt);
  auto d = decide_one(base().w, v);
  EXPECT_EQ(d.paid_minutes, 30);  // 45 registered, 30 ordered: the note is not about the time
  EXPECT_EQ(d.state, DecisionState::Reduced);
  EXPECT_TRUE(cites(d.insatser[0].trace, "4.3"));
  bool named = false;
  for (const auto& t : d.trace)
    named = named || t.reason.find("the note about the receipt") != std::string_view::npos;
  EXPECT_TRUE(named) << "the 4.11 line names the note it relied on";
  // The same note naming nothing documents everything, as Phoniro's free text does.
  v.note_about = 0;
  d = decide_one(base().w, v);
  EXPECT_EQ(d.paid_minutes, 45);
}

TEST(Hemtjanst_Notes, ANoteAboutTheTimeDoesNotExcuseAMissingReceipt) {
  auto v = visit("v1", "c1", "2026-03-02T08:00", "2026-03-02T08:45", {"Dusch"});
  v.end_receipt = {};
  v.note = "Kunden behövde extra tid i duschen";
  v.note_about = static_cast<std::uint8_t>(NoteAbout::OverTime);
  auto d = decide_one(base().w, v);
  EXPECT_EQ(d.paid_minutes, 0);
  EXPECT_TRUE(cites(d.insatser[0].trace, "4.10"));
  v.note_about |= static_cast<std::uint8_t>(NoteAbout::Receipt);
  d = decide_one(base().w, v);
  EXPECT_EQ(d.paid_minutes, 45);
  EXPECT_TRUE(d.manual);
}

TEST(Hemtjanst_Notes, ANoteAboutAnExtraInsatsDoesNotDocumentAnAssessment) {
  auto b = base();
  b.order("c1", "Städning", 60);
  // Tvätt is not ordered (needs a note about the extra insats) and, with Städning, needs an
  // individual assessment (a note about the assessment) at 3.0.
  auto v = visit("v1", "c1", "2026-03-02T09:00", "2026-03-02T10:30", {"Städning", "Tvätt"});
  v.insatser[0].minutes = 60;
  v.insatser[1].minutes = 30;
  v.insatser[1].status = InsatsStatus::Extra;
  v.note = "Tvätten luktade";
  v.note_about = static_cast<std::uint8_t>(NoteAbout::Extra);
  auto d = decide_one(b.w, v);
  EXPECT_EQ(d.insatser[1].paid_minutes, 0);
  EXPECT_TRUE(cites(d.insatser[1].trace, "4.15"));
  v.note_about |= static_cast<std::uint8_t>(NoteAbout::Assessment);
  d = decide_one(b.w, v);
  EXPECT_EQ(d.insatser[1].paid_minutes, 30);
}

// ---- Bounded minutes, even where Engine::check was not asked (a stored registration from
// before I-17, an edit that shortens the visit): stated minutes are cut to the visit's time
// and every sum stays in range. Run under UBSan by ./dev test, which traps signed overflow.
TEST(Hemtjanst_2, ExtremeStatedMinutesAreCutToTheVisitsTime) {
  auto b = base();
  b.order("c1", "Tvätt", 30);
  Registrations regs;
  for (const int extreme : {2147483647, -2147483647 - 1, -30, 600}) {
    auto v = visit("v" + std::to_string(regs.visits.size()), "c1", "2026-03-02T08:00",
                   "2026-03-02T08:30", {"Dusch", "Tvätt"});
    v.start += std::chrono::hours{static_cast<int>(regs.visits.size())};
    v.end += std::chrono::hours{static_cast<int>(regs.visits.size())};
    v.insatser[0].minutes = extreme;
    v.insatser[1].minutes = 2147483647;
    v.note = "Stora mängder";
    regs.visits.push_back(v);
  }
  for (const auto& v : regs.visits)
    regs.approvals.push_back({"anna/" + format_date(local_date(v.start)), at("2026-03-03T09:00")});
  const backend::Engine engine(backend::load_rule_pack("nacka-hemtjanst@3.0"));
  const auto decisions = engine.evaluate(b.w, regs);
  ASSERT_EQ(decisions.visits.size(), regs.visits.size());
  long long month = 0;
  for (const auto& d : decisions.visits) {
    SCOPED_TRACE(d.id);
    EXPECT_EQ(d.registered_minutes, 30);
    EXPECT_LE(d.paid_minutes, d.registered_minutes);
    int registered = 0;
    for (const auto& i : d.insatser) {
      EXPECT_GE(i.registered_minutes, 0);
      EXPECT_GE(i.paid_minutes, 0);
      EXPECT_LE(i.paid_minutes, i.registered_minutes);
      registered += i.registered_minutes;
    }
    EXPECT_LE(registered, d.registered_minutes);
    month += d.paid_minutes;
  }
  ASSERT_EQ(decisions.months.size(), 1u);
  EXPECT_EQ(decisions.months[0].paid_minutes, month);
}

TEST(Hemtjanst_7, ALockThatListsTheCustomerIsOnTheirDoor) {
  auto b = base();
  b.w.locks.push_back(
      {"AA:BB:CC:DD:EE:09", lock_receipt::to_hex(lock_key()), {"c1"}, std::nullopt});
  ASSERT_FALSE(b.w.customers[0].lock);  // the customer does not name it
  const auto d =
      decide_one(b.w, visit("v1", "c1", "2026-03-02T08:00", "2026-03-02T08:25", {"Dusch"}));
  EXPECT_EQ(d.paid_minutes, 0);
  EXPECT_TRUE(cites(d, "7"));
}

TEST(Hemtjanst_Notes, AMissingReceiptSaysTheNoteIsAboutSomethingElse) {
  auto v = visit("v1", "c1", "2026-03-02T08:00", "2026-03-02T08:45", {"Dusch"});
  v.end_receipt = {};
  v.note = "Tog längre tid";
  v.note_about = static_cast<std::uint8_t>(NoteAbout::OverTime);
  const auto d = decide_one(base().w, v);
  bool said = false;
  for (const auto& t : d.trace)
    said = said || (t.clause == "4.10" &&
                    t.reason == "end without receipt; the visit's note is not about the receipt");
  EXPECT_TRUE(said);
}

}  // namespace
}  // namespace kvittens
