// `kvittens explain`: the chain behind one decision, from an evaluate input or a scenario.
#include <gtest/gtest.h>

#include "run_cli.hpp"

namespace kvittens::cli_test {
namespace {

const std::string kExample =
    std::string(KVITTENS_SOURCE_DIR) + "/docs/examples/evaluate-hemtjanst.yaml";

TEST(ExplainCli, ShowsTheClauseItsSourceAndStatementForASpousesTag) {
  const auto r = run_kvittens("explain " + kExample + " --visit v2");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("[4.5] Sammanboende"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("seed 000 section 4.5"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("belongs to the cohabitant"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("0 min paid, rejected"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("lock_receipt_tolerance_minutes = 5"), std::string::npos) << r.out;
}

TEST(ExplainCli, NarrowsToOneInsatsAndPrintsJson) {
  const auto r = run_kvittens("explain " + kExample + " --visit v1 --insats Dusch --json");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("\"clause\": \"4.3\""), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"paid_minutes\": 30"), std::string::npos) << r.out;
}

TEST(ExplainCli, ExplainsADecisionOfAScenario) {
  const auto r = run_kvittens("explain " + std::string(KVITTENS_SOURCE_DIR) +
                              "/scenarios/hemtjanst/lock-visit.yaml --visit v1");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("verified"), std::string::npos) << r.out;
}

TEST(ExplainCli, UnknownVisitOrInsatsIsAUsageError) {
  auto r = run_kvittens("explain " + kExample + " --visit nope");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.out.find("no decision 'nope'"), std::string::npos) << r.out;
  r = run_kvittens("explain " + kExample + " --visit v1 --insats Städning");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.out.find("no insats"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace kvittens::cli_test
