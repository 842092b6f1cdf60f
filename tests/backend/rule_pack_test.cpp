// Rule packs: versions resolve dated values, the matrix is read faithfully, and every clause
// a pack's parameters cite exists.
#include "backend/rulepack/rule_pack.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <initializer_list>
#include <optional>
#include <stdexcept>
#include <string>

#include "backend/engine/engine.hpp"
#include "pack_text.hpp"

namespace kvittens::backend {
namespace {

// The value the engine reads for parameter `name` in `pack`, as resolved at load.
std::optional<double> engine_value(const RulePack& pack, std::string_view name) {
  const auto* p = registered_parameter(pack.service, name);
  if (!p) throw std::logic_error("the engine reads no parameter " + std::string(name));
  return pack.engine_parameters.at(p->index);
}

// Loading `name` from `dir` fails with a RulePackError whose message holds every part.
void expect_load_error(const std::string& name, const std::filesystem::path& dir,
                       std::initializer_list<std::string> parts) {
  try {
    load_rule_pack(name, dir);
    ADD_FAILURE() << "expected an error loading " << name;
  } catch (const RulePackError& e) {
    for (const auto& p : parts)
      EXPECT_NE(std::string(e.what()).find(p), std::string::npos) << e.what();
  }
}

TEST(RulePack, LoadsBothHemtjanstVersionsWithTheirDatedValues) {
  const auto v30 = load_rule_pack("nacka-hemtjanst@3.0");
  const auto rev = load_rule_pack("nacka-hemtjanst@2026-03-25");
  EXPECT_EQ(v30.effective, "2025-10-15");
  EXPECT_EQ(engine_value(v30, "repayment"), 0.0);
  EXPECT_EQ(engine_value(rev, "repayment"), 1.0);
  EXPECT_EQ(engine_value(v30, "manual_share_max"), 0.10);
  EXPECT_EQ(v30.hash, rev.hash);  // same file, different version
  EXPECT_NE(v30.stamp(), rev.stamp());
}

TEST(RulePack, NewestVersionWhenNoneIsNamed) {
  EXPECT_EQ(load_rule_pack("nacka-hemtjanst").version, "2026-03-25");
}

TEST(RulePack, TheTwoHemtjanstVersionsDifferInTheMatrix) {
  const auto v30 = load_rule_pack("nacka-hemtjanst@3.0");
  const auto rev = load_rule_pack("nacka-hemtjanst@2026-03-25");
  EXPECT_NE(v30.matrix, rev.matrix);
  const auto* stad = v30.insats("Städning");
  const auto* tvatt = v30.insats("Tvätt");
  ASSERT_TRUE(stad && tvatt);
  EXPECT_EQ(v30.combination(*stad, *tvatt), MatrixState::Assess);
  EXPECT_EQ(rev.combination(*rev.insats("Städning"), *rev.insats("Tvätt")), MatrixState::Combine);
  EXPECT_EQ(rev.matrix_changes.size(), 2u);
}

TEST(RulePack, RemoteAndAccompanyingInsatserStandAlone) {
  const auto p = load_rule_pack("nacka-hemtjanst@3.0");
  for (const char* alone :
       {"Trygghetsringning", "Natttillsyn kamera", "Ledsagning", "Avlösning i hemmet"})
    for (const auto& other : p.insatser)
      if (other.matrix_index >= 0) {
        EXPECT_EQ(p.combination(*p.insats(alone), other), MatrixState::Never)
            << alone << " + " << other.name;
      }
}

TEST(RulePack, UnknownPackOrVersionIsAClearError) {
  try {
    load_rule_pack("nacka-hemtjanst@9.9");
    FAIL() << "expected an error";
  } catch (const RulePackError& e) {
    EXPECT_NE(std::string(e.what()).find("no version '9.9'"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("3.0"), std::string::npos);
  }
  EXPECT_THROW(load_rule_pack("stockholm-hemtjanst"), RulePackError);
  EXPECT_THROW(load_rule_pack("@3.0"), RulePackError);
}

TEST(RulePack, MalformedPackNamesFileLineAndColumn) {
  const auto dir = std::filesystem::temp_directory_path() / "kvittens-rulepack-test";
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "broken.yaml")
      << "pack: broken\nservice: hemtjanst\ndocument: x\nseed: y\n"
         "versions:\n  - version: '1'\n    effective: 2025-01-01\n"
         "clauses: {}\ninsatser:\n  - {name: A, category: care, receipt_exception: sometimes}\n";
  expect_load_error("broken@1", dir, {"broken.yaml:10:", "receipt_exception"});
}

TEST(RulePack, ClauseIdsLongerThanATraceKeepsAreRefusedAtLoad) {
  const auto dir = std::filesystem::temp_directory_path() / "kvittens-rulepack-test";
  std::filesystem::create_directories(dir);
  const auto pack = [&](std::size_t id_size) {
    std::ofstream(dir / "longid.yaml")
        << "pack: longid\nservice: hemtjanst\ndocument: x\nseed: y\n"
           "versions:\n  - version: '1'\n    effective: 2025-01-01\n"
           "clauses:\n  '"
        << std::string(id_size, '9') << "': {title: t, statement: s}\n"
        << fixtures::small_pack_clauses().substr(9)  // the engine's clauses, after "clauses:\n"
        << fixtures::small_pack_parameters_line() << "insatser:\n  - {name: A, category: care}\n";
  };
  pack(255);
  EXPECT_EQ(load_rule_pack("longid@1", dir).clauses.at(0).id.size(), 255u);
  pack(256);
  expect_load_error("longid@1", dir, {"longid.yaml:9:", "256 bytes; at most 255"});
}

// Found by tests/fuzz (regressions/rule_pack/): a node of another shape than the one read
// escaped as yaml-cpp's own exception instead of a RulePackError at the node.
TEST(RulePack, ANodeOfTheWrongShapeIsALocatedError) {
  const auto dir = std::filesystem::temp_directory_path() / "kvittens-rulepack-test";
  std::filesystem::create_directories(dir);
  const std::string head = "pack: shape\nservice: hemtjanst\ndocument: x\nseed: y\n";
  const std::string version = "versions:\n  - {version: '1', effective: 2025-01-01}\n" +
                              fixtures::small_pack_clauses_line() +
                              fixtures::small_pack_parameters_line();
  std::ofstream(dir / "shape.yaml") << head << "versions:\n  - v\n";
  expect_load_error("shape", dir, {"shape.yaml:6:5:", "expected a version as a map of keys"});
  std::ofstream(dir / "shape.yaml")
      << head << version << "insatser:\n  - {name: A, category: care, pickup: maybe}\n";
  expect_load_error("shape", dir,
                    {"shape.yaml:10:39:", "expected pickup of insats 'A' as true or false"});
  std::ofstream(dir / "shape.yaml")
      << head << version
      << "insatser:\n  - {name: A, category: care, cap: {minutes: 12*, per: customer}}\n";
  expect_load_error("shape", dir,
                    {"shape.yaml:10:46:", "expected cap minutes of insats 'A' as a whole number"});
}

// A matrix change's `to` was read as its first character: empty text threw std::out_of_range
// out of the loader (regressions/rule_pack/matrix-change-to-is-empty.yaml).
TEST(RulePack, AMatrixChangeToIsOneState) {
  const auto dir = std::filesystem::temp_directory_path() / "kvittens-rulepack-test";
  std::filesystem::create_directories(dir);
  const auto pack = [&](const std::string& to) {
    std::ofstream(dir / "change.yaml")
        << "pack: change\nservice: hemtjanst\ndocument: x\nseed: y\n"
           "versions:\n  - {version: '1', effective: 2025-01-01}\n"
        << fixtures::small_pack_clauses_line() << fixtures::small_pack_parameters_line()
        << "insatser:\n  - {name: A, category: care}\n  - {name: B, category: care}\n"
           "matrix:\n  columns: [A, B]\n  rows: {A: '+?', B: '?+'}\n"
           "  changes:\n    - effective: 2025-01-01\n      cells: [{a: A, b: B, from: '?', to: '"
        << to << "'}]\n";
  };
  pack("+");
  EXPECT_EQ(load_rule_pack("change", dir).matrix_changes.size(), 1u);
  pack("");
  expect_load_error("change", dir,
                    {"change.yaml:17:43:", "expected matrix change 'to' as a state", "got ''"});
  pack("+-");
  expect_load_error("change", dir, {"change.yaml:17:43:", "got '+-'"});
}

TEST(RulePack, ASelectionWithAPathNamesAFileAnywhere) {
  auto s = parse_pack_selection("nacka-hemtjanst@3.0");
  EXPECT_EQ(s.name, "nacka-hemtjanst");
  EXPECT_EQ(s.version, "3.0");
  EXPECT_FALSE(s.is_path);
  s = parse_pack_selection("drafts/nacka-hemtjanst.yaml@2026-07-01");
  EXPECT_EQ(s.name, "drafts/nacka-hemtjanst.yaml");
  EXPECT_EQ(s.version, "2026-07-01");
  EXPECT_TRUE(s.is_path);
  EXPECT_TRUE(parse_pack_selection("draft.yaml").is_path);
  EXPECT_EQ(parse_pack_selection("/tmp/a@b/draft.yaml").version, "");
  EXPECT_THROW(parse_pack_selection("draft.yaml@"), RulePackError);

  // A draft outside the rules folder, named by its path: the stamp carries the name inside it.
  const auto path =
      fixtures::write_pack("kvittens-rulepack-draft", "draft", fixtures::small_pack());
  const auto pack = load_rule_pack(path.string() + "@1");
  EXPECT_EQ(pack.name, "small");
  EXPECT_EQ(pack.version, "1");
  EXPECT_EQ(load_rule_pack(path.string()).version, "2");
  EXPECT_EQ(engine_value(pack, "omstallning_days"), 4.0);
  EXPECT_EQ(engine_value(load_rule_pack(path.string() + "@2"), "omstallning_days"), 5.0);
}

TEST(RulePack, TheRulesFolderCanBeChosen) {
  const auto path = fixtures::write_pack("kvittens-rulepack-dir", "small", fixtures::small_pack());
  EXPECT_THROW(load_rule_pack("small@2"), RulePackError);
  set_rules_dir(path.parent_path());
  EXPECT_EQ(default_rules_dir(), path.parent_path());
  EXPECT_EQ(load_rule_pack("small@2").version, "2");
  set_rules_dir("");
  EXPECT_THROW(load_rule_pack("small@2"), RulePackError);
}

TEST(RulePack, ListsEveryPackAndVersion) {
  const auto all = list_rule_packs();
  EXPECT_NE(std::find(all.begin(), all.end(), "nacka-boendestod@1.0"), all.end());
  EXPECT_NE(std::find(all.begin(), all.end(), "nacka-hemtjanst@3.0"), all.end());
  EXPECT_NE(std::find(all.begin(), all.end(), "nacka-hemtjanst@2026-03-25"), all.end());
}

}  // namespace
}  // namespace kvittens::backend
