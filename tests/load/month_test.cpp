// The synthetic month: the same seed gives the same month, every seed's month keeps the
// invariants under the real engine, the month contains what it promises, and each invariant
// check fails on a deliberately wrong decision set.
#include "sim/load/month.hpp"

#include <gtest/gtest.h>

#include <set>

#include "backend/inprocess.hpp"
#include "sim/core/synthetic_hardware.hpp"

namespace kvittens::sim::load {
namespace {

Options small(std::uint64_t seed) {
  Options o;
  o.customers = 32;
  o.staff = 8;
  o.days = 8;
  o.seed = seed;
  return o;
}

std::vector<PartResult> run(const Month& m) {
  return drive(
      m,
      [](const std::string& rules) -> std::unique_ptr<BackendClient> {
        return backend::make_inprocess_backend(rules);
      },
      [](const World& w, const std::vector<Door>&, const Clock& clock, std::uint64_t seed) {
        return std::make_unique<SyntheticHardware>(w, clock, seed);
      });
}

bool has_invariant(const std::vector<Violation>& v, const std::string& name) {
  for (const auto& x : v)
    if (x.invariant == name) return true;
  return false;
}

TEST(Month, TheSameSeedGivesTheSameMonthAndAnotherSeedAnother) {
  EXPECT_TRUE(generate(small(7)) == generate(small(7)));
  EXPECT_FALSE(generate(small(7)) == generate(small(8)));
}

TEST(Month, SizesThatCannotMakeAMonthAreRefusedByName) {
  auto o = small(1);
  o.providers = 9;  // more providers than staff
  EXPECT_THROW(generate(o), std::invalid_argument);
  o = small(1);
  o.days = 0;
  EXPECT_THROW(generate(o), std::invalid_argument);
  o = small(1);
  o.first_day = "2026-02-30";
  EXPECT_THROW(generate(o), std::invalid_argument);
}

// Property: for any seed, the engine's decisions on the month keep every invariant. Several
// seeds, small months (CI runs this under ASan too).
TEST(Month, EverySeedKeepsTheInvariantsAndCoversTheMonthsIngredients) {
  std::set<std::string> seen;
  for (std::uint64_t seed = 1; seed <= 6; ++seed) {
    const auto m = generate(small(seed));
    const auto results = run(m);
    ASSERT_EQ(results.size(), m.parts.size());
    for (std::size_t p = 0; p < m.parts.size(); ++p) {
      const auto v = check_invariants(m.parts[p], results[p].decisions);
      EXPECT_TRUE(v.empty()) << "seed " << seed << ": " << v.front().invariant << " "
                             << v.front().subject << ": " << v.front().detail;
      for (const auto& s : results[p].log.submissions)
        EXPECT_TRUE(s.delivered && s.result.accepted)
            << "seed " << seed << ": " << s.id << " refused: " << s.result.reason;
      for (const auto& d : results[p].decisions.visits) {
        seen.insert(d.kind + (d.paid_minutes > 0 ? "/paid" : "/unpaid"));
        if (d.manual) seen.insert("manual");
        for (const auto& t : d.trace)
          seen.insert(std::string(t.clause) + ":" + std::string(t.reason.substr(0, 12)));
        for (const auto& i : d.insatser)
          for (const auto& t : i.trace) seen.emplace(t.clause);
      }
    }
  }
  // What the month promises is in it, paid and unpaid.
  for (const char* what :
       {"visit/paid", "visit/unpaid", "double_staffing/paid", "double_staffing/unpaid",
        "declined_visit/paid", "absence/unpaid", "manual", "4.7", "4.3", "4.1", "4.8", "B2",
        "4.10:start withou", "4.12:times edited", "4.13:shift hs0000", "3.2:shift hs0000"})
    EXPECT_TRUE(seen.count(what)) << "no " << what << " in six months";
}

// Each check fails on decisions that break it: the checks are not vacuous.
class WrongDecisions : public ::testing::Test {
 protected:
  void SetUp() override {
    month = generate(small(3));
    results = run(month);
    ASSERT_TRUE(check_invariants(month.parts[0], results[0].decisions).empty());
  }
  Month month;
  std::vector<PartResult> results;
};

TEST_F(WrongDecisions, AnInsatsPaidAboveItsOrderWithoutANoteIsCaught) {
  auto d = results[0].decisions;
  bool changed = false;
  for (const auto& pv : month.parts[0].visits) {
    if (!pv.visit.note.empty() || pv.visit.shared_group) continue;
    for (auto& x : d.visits)
      if (x.id == pv.visit.id && !x.insatser.empty() && x.insatser[0].insats == "Morgon") {
        x.insatser[0].paid_minutes = 31;  // Morgon is ordered at 30
        changed = true;
      }
    if (changed) break;
  }
  ASSERT_TRUE(changed);
  const auto v = check_invariants(month.parts[0], d);
  EXPECT_TRUE(has_invariant(v, "ordered-time"));
}

TEST_F(WrongDecisions, ADoubleStaffingPaidWithoutAPrimaryIsCaught) {
  auto d = results[0].decisions;
  // A double staffing paid in the night, when nobody else was at the customer's.
  VisitDecision night;
  night.id = "ds-night";
  night.kind = "double_staffing";
  night.customer = month.parts[0].world.customers.front().id;
  night.staff = month.parts[0].world.staff.front().id;
  night.start = parse_local(month.options.first_day + "T03:00");
  night.end = night.start + std::chrono::minutes{20};
  night.registered_minutes = night.paid_minutes = 20;
  d.visits.push_back(night);
  EXPECT_TRUE(has_invariant(check_invariants(month.parts[0], d), "double-staffing"));
  // Also: paid beyond the primary's window.
  d = results[0].decisions;
  for (auto& x : d.visits)
    if (x.kind == "double_staffing" && x.paid_minutes > 0) x.paid_minutes += 30;
  EXPECT_TRUE(has_invariant(check_invariants(month.parts[0], d), "double-staffing"));
}

TEST_F(WrongDecisions, ASharedInsatsPaidAboveItsTotalIsCaught) {
  auto d = results[0].decisions;
  std::set<std::string> shared;
  for (const auto& pv : month.parts[0].visits)
    if (pv.visit.shared_group) shared.insert(pv.visit.id);
  ASSERT_FALSE(shared.empty());
  for (auto& x : d.visits)
    if (shared.count(x.id)) x.paid_minutes = x.registered_minutes + 30;
  EXPECT_TRUE(has_invariant(check_invariants(month.parts[0], d), "shared-total"));
}

TEST(Summary, RejectionsAreCountedByTheClauseTheyRestOn) {
  VisitDecision d;
  d.state = DecisionState::Rejected;
  d.trace = {{"2", "visit time"}, {"4.10", "end without receipt"}};
  EXPECT_EQ(last_rejecting_clause(d), "4.10");
  InsatsDecision i;
  i.state = DecisionState::Rejected;
  i.trace = {{"4.1", "Extra insats without a note"}};
  d.insatser.push_back(i);
  EXPECT_EQ(last_rejecting_clause(d), "4.1");
}

}  // namespace
}  // namespace kvittens::sim::load
