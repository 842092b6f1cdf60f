// What differs between two pack versions and which decisions exercise each change, per kind of
// change, on decisions built here (docs/diff.md, "Change coverage").
#include "harness/diff/coverage.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "../cli/run_cli.hpp"
#include "backend/engine/engine.hpp"

namespace kvittens::harness {
namespace {

namespace fs = std::filesystem;
const std::string kSource = KVITTENS_SOURCE_DIR;

using kvittens::cli_test::read_text;

// The shipped pack with, in place, Tvätt without a customer fee and another 4.15 statement.
backend::RulePack edited_pack() {
  const fs::path dir =
      fs::temp_directory_path() / ("kvittens-pack-changes-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  std::string text = read_text(kSource + "/rules/nacka-hemtjanst.yaml");
  for (const auto& [what, with] : std::vector<std::pair<std::string, std::string>>{
           {"{name: Tvätt, category: service, fee: true,",
            "{name: Tvätt, category: service, fee: false,"},
           {"a pair marked for individual assessment needs a note.",
            "a pair marked for individual assessment needs a note naming it."}}) {
    const auto at = text.find(what);
    EXPECT_NE(at, std::string::npos) << what;
    if (at != std::string::npos) text.replace(at, what.size(), with);
  }
  std::ofstream(dir / "nacka-hemtjanst.yaml") << text;
  auto pack = backend::load_rule_pack((dir / "nacka-hemtjanst.yaml").string() + "@3.0");
  fs::remove_all(dir);
  return pack;
}

std::vector<std::string> names(const std::vector<PackChange>& changes) {
  std::vector<std::string> out;
  for (const auto& c : changes) out.push_back(c.name() + ": " + c.from + " → " + c.to);
  return out;
}

TEST(PackChanges, TheShippedRevisionChangesTwoCellsAndRepayment) {
  const auto from = backend::load_rule_pack("nacka-hemtjanst@3.0");
  const auto to = backend::load_rule_pack("nacka-hemtjanst@2026-03-25");
  EXPECT_EQ(
      names(pack_changes(from, to)),
      (std::vector<std::string>{"parameter repayment: false → true", "matrix Lunch × Inköp: ? → +",
                                "matrix Städning × Tvätt: ? → +"}));
  EXPECT_TRUE(pack_changes(from, from).empty());
}

TEST(PackChanges, ACatalogueEntryAndAClauseStatementAreChangesOfTheirOwn) {
  const auto from = backend::load_rule_pack("nacka-hemtjanst@3.0");
  const auto changes = pack_changes(from, edited_pack());
  ASSERT_EQ(changes.size(), 2u) << ::testing::PrintToString(names(changes));
  EXPECT_EQ(changes[0].name(), "clause 4.15");
  EXPECT_EQ(changes[1].name(), "insats Tvätt");
  EXPECT_EQ(changes[1].from, "fee yes");
  EXPECT_EQ(changes[1].to, "fee no");
}

TEST(PackChanges, WithChangeMakesOnlyThatParameterChange) {
  const auto from = backend::load_rule_pack("nacka-hemtjanst@3.0");
  const auto to = backend::load_rule_pack("nacka-hemtjanst@2026-03-25");
  const auto changes = pack_changes(from, to);
  const auto alone = with_change(from, to, changes.front());
  EXPECT_EQ(alone.parameters.at("repayment").value, "true");
  // ... and as the engine reads it: resolved again, not only declared.
  const auto* repayment = backend::registered_parameter(alone.service, "repayment");
  ASSERT_NE(repayment, nullptr);
  EXPECT_EQ(alone.engine_parameters.at(repayment->index), 1.0);
  EXPECT_EQ(alone.matrix, from.matrix) << "the cells stay as --from has them";
  EXPECT_EQ(alone.hash, from.hash);
}

VisitDecision visit(const std::string& id, std::vector<std::pair<std::string, Trace>> insatser) {
  VisitDecision d;
  d.id = id;
  d.kind = "visit";
  for (auto& [name, trace] : insatser) {
    InsatsDecision i;
    i.insats = name;
    i.trace = trace;
    d.insatser.push_back(i);
  }
  return d;
}

TEST(Coverage, EachKindOfChangeIsExercisedByWhatItsDefinitionSays) {
  const auto from = backend::load_rule_pack("nacka-hemtjanst@3.0");
  const auto to = backend::load_rule_pack("nacka-hemtjanst@2026-03-25");
  const std::vector<PackChange> changes{
      {PackChange::Kind::Matrix, "Städning × Tvätt", {"Städning", "Tvätt"}, "?", "+"},
      {PackChange::Kind::Insats, "Dusch", {}, "fee yes", "fee no"},
      {PackChange::Kind::Clause, "4.3", {}, "a", "b"},
      {PackChange::Kind::Parameter, "repayment", {}, "false", "true"}};
  Decisions a;
  a.visits.push_back(visit("v1", {{"Städning", {}}, {"Tvätt", {}}}));
  // Tvätt registered as Avböjd insats takes no part in the matrix (I-2).
  a.visits.push_back(visit("v2", {{"Städning", {}}, {"Tvätt", {{"4.8", "Avböjd"}}}}));
  a.visits.push_back(visit("v3", {{"Dusch", {{"4.3", "over the order"}}}}));
  MonthlySummary m;
  m.provider = "syd";
  m.month = "2026-04";
  a.months.push_back(m);
  // Decided again with only repayment changed: a repayment line appears.
  Decisions alone = a;
  alone.months.front().repayments.push_back({"v1", 60, 30, {"2/repayment", "30 min"}});

  CoverageRun run{"x.yaml: ", &a, &a, {}};
  run.alone.emplace(3, alone);
  const auto coverage = change_coverage(changes, {run}, from, to);
  ASSERT_EQ(coverage.size(), 4u);
  EXPECT_EQ(coverage[0].by, std::vector<std::string>{"x.yaml: visit v1"});
  EXPECT_EQ(coverage[1].by, std::vector<std::string>{"x.yaml: visit v3"});
  EXPECT_EQ(coverage[2].by, std::vector<std::string>{"x.yaml: visit v3"});
  EXPECT_EQ(coverage[3].by, std::vector<std::string>{"x.yaml: repayment v1 (syd 2026-04)"});
  EXPECT_EQ(unexercised(coverage), 0);

  // Without the run decided again, a parameter is not exercised, however its clause is cited.
  run.alone.clear();
  auto without = change_coverage(changes, {run}, from, to);
  EXPECT_FALSE(without[3].exercised());
  EXPECT_EQ(unexercised(without), 1);
  explain_unexercised_in_month(without);
  EXPECT_FALSE(without[3].why_not.empty());
  EXPECT_TRUE(without[0].why_not.empty());
}

}  // namespace
}  // namespace kvittens::harness
