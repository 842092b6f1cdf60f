// Stamped decisions (issue 11): an old decision is reproduced exactly under its stamped pack,
// and a pack that changed since is refused rather than silently used.
#include "backend/rulepack/rule_pack.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "builders.hpp"

namespace kvittens {
namespace {

using namespace kvittens::fixtures;

TEST(Stamp, ReEvaluatingUnderTheStampedPackReproducesTheDecision) {
  WorldBuilder b;
  b.customer("c1", {"04:00:00:00:00:00:01"}).order("c1", "Dusch", 30);
  Session run(b.w, "nacka-hemtjanst@2026-03-25");
  ASSERT_TRUE(
      run.add(visit("v1", "c1", "2026-03-02T08:00", "2026-03-02T08:45", {"Dusch"})).accepted);
  run.approve_all();
  const auto stored = run.of("v1");
  const backend::Engine again(backend::load_rule_pack_for(*stored.stamp));
  const auto reproduced = again.evaluate(b.w, run.backend->registrations());
  EXPECT_EQ(reproduced.visits.at(0), stored);
}

TEST(Stamp, AChangedPackIsAClearErrorNotASilentReEvaluation) {
  const auto dir = std::filesystem::temp_directory_path() / "kvittens-stamp-test";
  std::filesystem::create_directories(dir);
  std::filesystem::copy_file(backend::default_rules_dir() / "nacka-hemtjanst.yaml",
                             dir / "nacka-hemtjanst.yaml",
                             std::filesystem::copy_options::overwrite_existing);
  const auto stamp = backend::load_rule_pack("nacka-hemtjanst@3.0", dir).stamp();
  EXPECT_NO_THROW(backend::load_rule_pack_for(stamp, dir));
  std::ofstream(dir / "nacka-hemtjanst.yaml", std::ios::app) << "\n# an edit after the decision\n";
  try {
    backend::load_rule_pack_for(stamp, dir);
    FAIL() << "expected a hash mismatch";
  } catch (const backend::RulePackError& e) {
    EXPECT_NE(std::string(e.what()).find("refusing to re-evaluate"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace kvittens
