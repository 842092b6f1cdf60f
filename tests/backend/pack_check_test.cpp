// `kvittens pack check` and every load (issue 22): a rule pack's problems are found in the whole
// file at once, each at its file:line:col, instead of being applied silently or one at a time.
#include "backend/rulepack/pack_check.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string_view>

#include "pack_text.hpp"

namespace kvittens::backend {
namespace {

using fixtures::small_pack;
using fixtures::small_pack_clauses;
using fixtures::small_pack_head;
using fixtures::write_pack;

// `text` with its first `from` replaced by `to` (which must be there).
std::string with(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  if (at == std::string::npos) throw std::logic_error("no '" + from + "' in the pack text");
  return text.replace(at, from.size(), to);
}

// A folder of the running test's own: ctest runs the tests of this file in parallel.
std::string test_dir(const std::string& prefix) {
  return prefix + "-" + ::testing::UnitTest::GetInstance()->current_test_info()->name();
}

std::vector<std::string> problems_of(const std::string& text) {
  const auto path = write_pack(test_dir("kvittens-pack-check"), "small", text);
  std::vector<std::string> out;
  for (const auto& p : check_rule_pack_file(path, "small.yaml")) out.push_back(p.str());
  return out;
}

// The problems as one text, for messages and searches.
std::string all(const std::vector<std::string>& problems) {
  std::string out;
  for (const auto& p : problems) out += p + "\n";
  return out;
}

bool has(const std::vector<std::string>& problems, const std::string& part) {
  return std::any_of(problems.begin(), problems.end(),
                     [&](const auto& p) { return p.find(part) != std::string::npos; });
}

TEST(PackCheck, TheShippedPacksAndTheTestPackHaveNoProblems) {
  for (const char* name : {"nacka-hemtjanst.yaml", "nacka-boendestod.yaml"})
    EXPECT_EQ(all([&] {
                std::vector<std::string> out;
                for (const auto& p : check_rule_pack_file(default_rules_dir() / name))
                  out.push_back(p.str());
                return out;
              }()),
              "")
        << name;
  EXPECT_EQ(all(problems_of(small_pack())), "");
}

TEST(PackCheck, AValueDatedWithoutLeadingZerosIsAProblemNotAValueNeverApplied) {
  const auto p = problems_of(with(small_pack(), "2026-01-01: 5", "2026-1-1: 5"));
  ASSERT_EQ(p.size(), 1u) << all(p);
  EXPECT_EQ(p[0],
            "small.yaml:13:29: expected the date a value of parameter 'omstallning_days' takes "
            "effect as a date YYYY-MM-DD, got '2026-1-1'");
}

TEST(PackCheck, AnEffectiveDateThatIsNoCalendarDateIsAProblem) {
  const auto p = problems_of(with(small_pack(), "effective: 2026-01-01", "effective: 2026-13-01"));
  EXPECT_TRUE(has(p, "small.yaml:7:31: expected effective as a date YYYY-MM-DD, got '2026-13-01'"))
      << all(p);
}

TEST(PackCheck, AValueIsTypedByItsUnit) {
  auto p = problems_of(with(small_pack(), "2026-01-01: 5", "2026-01-01: ten"));
  ASSERT_EQ(p.size(), 1u) << all(p);
  EXPECT_EQ(p[0],
            "small.yaml:13:41: parameter 'omstallning_days' (unit days): expected a whole number "
            "of days from 0 to 36600, got 'ten'");
  p = problems_of(
      with(with(small_pack(), "unit: days", "unit: ratio"), "2026-01-01: 5", "2026-01-01: 1.5"));
  EXPECT_TRUE(has(p,
                  "small.yaml:13:41: parameter 'omstallning_days' (unit ratio): expected a "
                  "number from 0 to 1, got '1.5'"))
      << all(p);
  p = problems_of(with(small_pack(), "unit: days", "unit: bool"));
  EXPECT_TRUE(has(p, "(unit bool): expected true or false, got '4'")) << all(p);
  p = problems_of(with(small_pack(), "unit: days", "unit: dayz"));
  EXPECT_TRUE(has(p,
                  "small.yaml:12:11: unknown unit 'dayz' in parameter 'omstallning_days'; did "
                  "you mean 'days'?"))
      << all(p);
}

TEST(PackCheck, AnUnknownKeyGetsDidYouMean) {
  const auto p = problems_of(with(small_pack(), "    values:", "    valeus:"));
  EXPECT_TRUE(has(p,
                  "small.yaml:13:5: unknown key 'valeus' in parameter 'omstallning_days'; "
                  "did you mean 'values'?"))
      << all(p);
  EXPECT_TRUE(has(p, "small.yaml:10:5: missing 'values' in parameter 'omstallning_days'"))
      << all(p);
}

TEST(PackCheck, VersionsAreListedOldestFirst) {
  const auto p = problems_of(with(small_pack(), "effective: 2026-01-01", "effective: 2024-06-01"));
  EXPECT_TRUE(has(p,
                  "small.yaml:7:31: version '2' takes effect 2024-06-01, not after version "
                  "'1' (2025-01-01)"))
      << all(p);
}

TEST(PackCheck, AValueNoVersionReachesIsAProblem) {
  const auto p = problems_of(with(small_pack(), "2026-01-01: 5", "2027-01-01: 5"));
  ASSERT_EQ(p.size(), 1u) << all(p);
  EXPECT_EQ(p[0],
            "small.yaml:13:29: the value of parameter 'omstallning_days' dated 2027-01-01 is "
            "never applied: no version takes effect on or after it (the newest, '2', on "
            "2026-01-01); add a version");
}

TEST(PackCheck, ParametersCiteClausesOfThePack) {
  // A decimal comma: '4.2' is its one nearest clause ('4.22' is as near to 4.2 as to 4.12).
  const auto p = problems_of(with(small_pack(), "clause: '4.2'", "clause: '4,2'"));
  EXPECT_TRUE(has(p,
                  "small.yaml:10:13: parameter 'omstallning_days' cites unknown clause '4,2'; "
                  "did you mean '4.2'?"))
      << all(p);
}

TEST(PackCheck, MatrixRowsHaveOneStatePerColumnAndAreSymmetric) {
  auto p = problems_of(with(small_pack(), "A: '-?'", "A: '-?+'"));
  EXPECT_TRUE(has(p, "small.yaml:18:37: matrix row 'A' has 3 cells, expected 2")) << all(p);
  p = problems_of(with(small_pack(), "A: '-?'", "A: '-+'"));
  ASSERT_EQ(p.size(), 1u) << all(p);
  EXPECT_EQ(p[0], "small.yaml:18:37: matrix is not symmetric: A × B is '+' but B × A is '?'");
  p = problems_of(with(small_pack(), "A: '-?'", "A: '-x'"));
  EXPECT_TRUE(has(p, "matrix row 'A', column 'B': 'x' is no state")) << all(p);
  p = problems_of(with(small_pack(), "B: '?-'", "Bb: '?-'"));
  EXPECT_TRUE(has(p,
                  "small.yaml:18:43: matrix row 'Bb' is not a column of the matrix; did you "
                  "mean 'B'?"))
      << all(p);
  EXPECT_TRUE(has(p, "matrix has no row for 'B'")) << all(p);
  p = problems_of(with(small_pack(), "columns: [A, B]", "columns: [A, Bx]"));
  EXPECT_TRUE(has(p,
                  "small.yaml:18:23: matrix column 'Bx' is not in the insats catalogue; did you "
                  "mean 'B'?"))
      << all(p);
}

// The matrix written in block style, with `changes` (lines 15-22).
std::string pack_with_changes(const std::string& changes) {
  return with(small_pack_head(), "matrix: {columns: [A, B], rows: {A: '-?', B: '?-'}}\n",
              "matrix:\n"                     // 15
              "  columns: [A, B]\n"           // 16
              "  rows: {A: '-?', B: '?-'}\n"  // 17
              "  changes:\n" +                // 18
                  changes) +
         small_pack_clauses();
}

TEST(PackCheck, AMatrixChangeNamesACellAndWhatItWas) {
  const std::string ok =
      "    - effective: 2026-01-01\n"
      "      cells: [{a: A, b: B, from: '?', to: '+'}]\n";
  EXPECT_EQ(all(problems_of(pack_with_changes(ok))), "");
  auto p = problems_of(pack_with_changes(with(ok, "from: '?'", "from: '-'")));
  ASSERT_EQ(p.size(), 1u) << all(p);
  EXPECT_EQ(p[0], "small.yaml:23:34: matrix change of 2026-01-01: A × B is '?' before it, not '-'");
  p = problems_of(pack_with_changes(with(ok, "b: B", "b: Bx")));
  EXPECT_TRUE(has(p,
                  "small.yaml:23:25: matrix change names 'Bx', which is not a column of the "
                  "matrix; did you mean 'B'?"))
      << all(p);
  // Changes apply in date order whatever order they are listed in.
  p =
      problems_of(pack_with_changes("    - effective: 2026-01-01\n"
                                    "      cells: [{a: B, b: A, from: '+', to: '-'}]\n"
                                    "    - effective: 2025-06-01\n"
                                    "      cells: [{a: A, b: B, from: '?', to: '+'}]\n"));
  EXPECT_EQ(all(p), "");
}

TEST(PackCheck, EveryClauseTheEngineCitesIsThereWithTitleAndStatement) {
  auto p = problems_of(with(small_pack(), "  '4.15': {title: t, statement: s}\n", ""));
  ASSERT_EQ(p.size(), 1u) << all(p);
  EXPECT_EQ(p[0],
            "small.yaml:20:3: no clause '4.15': the engine cites it in hemtjanst decisions; add "
            "it with a title and a statement");
  p = problems_of(with(small_pack(), "'4.1': {title: t,", "'4.1': {title: '',"));
  EXPECT_TRUE(has(p, "expected the title of clause '4.1', got empty text")) << all(p);
  p = problems_of(with(small_pack(), "'4.1': {title: t, statement: s}", "'4.1': {title: t}"));
  EXPECT_TRUE(has(p, "missing 'statement' in clause '4.1'")) << all(p);
}

TEST(PackCheck, EveryProblemOfAFileIsReportedInOrderOfPlace) {
  auto text = with(small_pack(), "category: service", "category: servce");
  text = with(text, "2026-01-01: 5", "2026-01-01: ten");
  text = with(text, "    description:", "    descripton:");
  const auto p = problems_of(text);
  ASSERT_EQ(p.size(), 4u) << all(p);
  EXPECT_TRUE(p[0].starts_with("small.yaml:10:5: missing 'description'")) << p[0];
  EXPECT_TRUE(p[1].starts_with("small.yaml:11:5: unknown key 'descripton'")) << p[1];
  EXPECT_TRUE(p[2].starts_with("small.yaml:13:41:")) << p[2];
  EXPECT_TRUE(p[3].starts_with("small.yaml:17:")) << p[3];
}

TEST(PackCheck, LoadingAPackWithProblemsThrowsThemAll) {
  auto text = with(small_pack(), "2026-01-01: 5", "2026-01-01: ten");
  text = with(text, "category: service", "category: servce");
  const auto path = write_pack(test_dir("kvittens-pack-check-load"), "small", text);
  try {
    load_rule_pack("small@1", path.parent_path());
    FAIL() << "expected the problems";
  } catch (const RulePackError& e) {
    ASSERT_EQ(e.problems().size(), 2u) << e.what();
    EXPECT_EQ(e.problems()[0].line, 13);
    EXPECT_EQ(e.problems()[1].line, 17);
    const std::string what = e.what();
    EXPECT_NE(what.find("got 'ten'\n" + path.string() + ":17:"), std::string::npos) << what;
    EXPECT_NE(what.find("did you mean 'service'?"), std::string::npos) << what;
  }
}

TEST(PackCheck, AYamlSyntaxErrorIsTheOneProblem) {
  const auto p = problems_of("pack: [unclosed\n");
  ASSERT_EQ(p.size(), 1u) << all(p);
  EXPECT_TRUE(p[0].starts_with("small.yaml:")) << p[0];
  EXPECT_NE(p[0].find("not valid YAML"), std::string::npos) << p[0];
}

// A draft whose parameter name is misspelt was accepted, and its value silently never read:
// the engine looked the parameter up by name when deciding, and found the old one or none.
TEST(PackCheck, AParameterTheEngineDoesNotReadIsAProblemWithDidYouMean) {
  const auto p = problems_of(with(small_pack(), "  omstallning_days:\n", "  omstallning_dayz:\n"));
  EXPECT_TRUE(has(p,
                  "small.yaml:9:3: parameter 'omstallning_dayz' is not read by the engine in "
                  "hemtjanst decisions, so its values would change nothing; did you mean "
                  "'omstallning_days'?"))
      << all(p);
  // ... and the one the engine does read is then missing, at the parameters.
  EXPECT_TRUE(has(p,
                  "small.yaml:9:3: no parameter 'omstallning_days' (days): the engine reads it in "
                  "hemtjanst decisions"))
      << all(p);
}

TEST(PackCheck, EveryParameterTheEngineReadsIsDeclared) {
  auto text = with(small_pack(),
                   "  account_idle_months: {clause: '5.2', description: d, unit: months, "
                   "values: {2025-01-01: 18}}\n",
                   "");
  auto p = problems_of(text);
  ASSERT_EQ(p.size(), 1u) << all(p);
  EXPECT_EQ(p[0],
            "small.yaml:9:3: no parameter 'account_idle_months' (months): the engine reads it in "
            "hemtjanst decisions; add it with its clause, description, unit and dated values");
  // An optional one may be left out: its rule is off (no manual-share cap here).
  EXPECT_EQ(registered_parameter(ServiceType::Hemtjanst, "manual_share_max")->required, false);
  EXPECT_EQ(all(problems_of(small_pack())), "");
}

TEST(PackCheck, AParameterIsDeclaredInTheUnitTheEngineReadsItIn) {
  const auto p = problems_of(with(small_pack(), "unit: months", "unit: days"));
  ASSERT_EQ(p.size(), 1u) << all(p);
  EXPECT_EQ(p[0],
            "small.yaml:15:62: parameter 'account_idle_months' has unit 'days', but the engine "
            "reads it in months");
}

// A required value dated after a version's date left that version without one: every decision
// under it failed at evaluation, far from the pack.
TEST(PackCheck, ARequiredParameterHasAValueAtEveryVersion) {
  const auto p =
      problems_of(with(small_pack(), "values: {2025-01-01: 18}", "values: {2025-06-01: 18}"));
  ASSERT_EQ(p.size(), 1u) << all(p);
  EXPECT_EQ(p[0],
            "small.yaml:15:78: parameter 'account_idle_months' has no value in force at version "
            "'1' (effective 2025-01-01); the engine reads it in every hemtjanst decision: date a "
            "value on or before 2025-01-01");
}

TEST(PackCheck, AWholeValueIsBoundedToAHundredYears) {
  auto p = problems_of(with(small_pack(), "2026-01-01: 5", "2026-01-01: 36601"));
  ASSERT_EQ(p.size(), 1u) << all(p);
  EXPECT_NE(p[0].find("expected a whole number of days from 0 to 36600, got '36601'"),
            std::string::npos)
      << p[0];
  EXPECT_EQ(all(problems_of(with(small_pack(), "2026-01-01: 5", "2026-01-01: 36600"))), "");
}

// An unreadable version date also made every value dated after the versions before it
// "never applied": one mistake reported as several.
TEST(PackCheck, AnUnreadableVersionDateIsOneProblem) {
  const auto p = problems_of(with(small_pack(), "effective: 2026-01-01", "effective: 2026-13-01"));
  ASSERT_EQ(p.size(), 1u) << all(p);
  EXPECT_TRUE(p[0].starts_with("small.yaml:7:31: expected effective as a date")) << p[0];
}

TEST(PackCheck, AClauseIdWithALetterOForAZeroSuggestsTheSameLength) {
  const auto p = problems_of(with(small_pack(), "clause: '4.2'", "clause: '4.1O'"));
  EXPECT_TRUE(has(p, "cites unknown clause '4.1O'; did you mean '4.10'?")) << all(p);
}

// The loader resolves each parameter the engine reads once, typed by its unit; the engine reads
// them by index, never by name.
TEST(PackCheck, TheLoaderResolvesTheEnginesParametersTyped) {
  const auto path = write_pack(test_dir("kvittens-pack-check-load"), "small", small_pack());
  const auto v1 = load_rule_pack("small@1", path.parent_path());
  const auto v2 = load_rule_pack("small@2", path.parent_path());
  const auto value = [](const RulePack& pack, std::string_view name) {
    return pack.engine_parameters.at(registered_parameter(pack.service, name)->index);
  };
  EXPECT_EQ(value(v1, "omstallning_days"), 4.0);
  EXPECT_EQ(value(v2, "omstallning_days"), 5.0);
  EXPECT_EQ(value(v1, "account_idle_months"), 18.0);
  EXPECT_FALSE(value(v1, "manual_share_max").has_value());
}

// A decimal comma in a flow map was reported as a bad date '15' and a value that is no text.
TEST(PackCheck, ADecimalCommaIsNamedAsSuch) {
  const auto p = problems_of(with(small_pack(), "2026-01-01: 5", "2026-01-01: 0,15"));
  ASSERT_EQ(p.size(), 1u) << all(p);
  EXPECT_EQ(p[0],
            "small.yaml:13:43: the values of parameter 'omstallning_days' read '0,15': write a "
            "decimal number with a point (0.15)");
}

}  // namespace
}  // namespace kvittens::backend
