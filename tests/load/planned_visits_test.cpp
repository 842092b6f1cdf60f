// Visits planned into a month: each one is decided with exactly its insatser, all ordered, in
// time, receipted and approved, so nothing but the rules of the pack decides its outcome.
#include "sim/load/planned_visits.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

#include "backend/inprocess.hpp"
#include "sim/core/synthetic_hardware.hpp"

namespace kvittens::sim::load {
namespace {

Decisions decide(const Part& part, const Options& o) {
  Month m;
  m.options = o;
  m.parts.push_back(part);
  auto results = drive(
      m,
      [](const std::string& rules) -> std::unique_ptr<BackendClient> {
        return backend::make_inprocess_backend(rules);
      },
      [](const World& w, const std::vector<Door>&, const Clock& clock, std::uint64_t seed) {
        return std::make_unique<SyntheticHardware>(w, clock, seed);
      });
  return std::move(results.at(0).decisions);
}

TEST(PlannedVisits, EachVisitIsDecidedWithItsInsatserAllPaidWhereTheMatrixAllows) {
  Options o;
  o.customers = 16;
  o.staff = 4;
  o.days = 3;
  o.hemtjanst_rules = "nacka-hemtjanst@2026-03-25";
  const auto month = generate(o);
  // Nine visits: the ninth falls on the second day.
  std::vector<std::vector<std::string>> visits(8, {"Dusch"});
  visits.insert(visits.begin(), {"Lunch", "Inköp"});
  const auto part = planned_visits_part(month.parts.at(0), o, visits);
  EXPECT_EQ(part.rules, "nacka-hemtjanst@2026-03-25");
  for (std::size_t i = 1; i < part.events.size(); ++i)
    EXPECT_LE(part.events[i - 1].at, part.events[i].at);

  const auto d = decide(part, o);
  ASSERT_EQ(d.visits.size(), visits.size());
  EXPECT_EQ(d.visits[0].id, "xv1");
  ASSERT_EQ(d.visits[0].insatser.size(), 2u);
  EXPECT_EQ(d.visits[0].insatser[0].insats, "Lunch");
  EXPECT_EQ(d.visits[0].insatser[1].insats, "Inköp");
  // Lunch with Inköp may combine from 2026-03-25 (I-3): both paid their ordered 30 minutes.
  EXPECT_EQ(d.visits[0].state, DecisionState::Approved);
  EXPECT_EQ(d.visits[0].paid_minutes, 60);
  for (const auto& v : d.visits) EXPECT_NE(v.state, DecisionState::Rejected) << v.id;
  EXPECT_NE(local_date(d.visits[8].start), local_date(d.visits[7].start));

  // Under 3.0 the pair needs an assessment in a note: Inköp is rejected.
  auto old_rules = part;
  old_rules.rules = "nacka-hemtjanst@3.0";
  const auto before = decide(old_rules, o);
  EXPECT_EQ(before.visits[0].state, DecisionState::Reduced);
  EXPECT_EQ(before.visits[0].paid_minutes, 30);
}

TEST(PlannedVisits, AVisitWithoutInsatserIsRefused) {
  Options o;
  o.customers = 16;
  o.staff = 4;
  o.days = 3;
  const auto month = generate(o);
  EXPECT_THROW(planned_visits_part(month.parts.at(0), o, {{}}), std::invalid_argument);
}

}  // namespace
}  // namespace kvittens::sim::load
