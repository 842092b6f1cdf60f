// `kvittens simulate` as a user runs it: a small month exits 0 with its summary; the same
// seed writes byte-identical JSON; bad sizes are usage errors; progress stays off a pipe.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "../cli/run_cli.hpp"

namespace kvittens::cli_test {
namespace {

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

const std::string kSmall = "simulate --customers 20 --staff 5 --days 5 --hardware none";

TEST(SimulateCli, ASmallMonthPrintsThroughputSummaryAndInvariants) {
  const auto r = run_kvittens(kSmall + " --seed 11");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  for (const char* part : {"throughput: ", "provider p1 (Omsorg 1)", "paid ", "manual ",
                           "rejected by clause:", "invariants: 4 checked, all hold"})
    EXPECT_NE(r.out.find(part), std::string::npos) << part << "\n" << r.out;
  // Not a terminal: no progress redraws.
  EXPECT_EQ(r.out.find('\r'), std::string::npos);
}

TEST(SimulateCli, TheSameSeedWritesTheSameBytesAndAnotherSeedOthers) {
  const auto a = write_temp("sim-a.json", ""), b = write_temp("sim-b.json", ""),
             c = write_temp("sim-c.json", "");
  ASSERT_EQ(run_kvittens(kSmall + " --seed 5 --json " + a).exit_code, 0);
  ASSERT_EQ(run_kvittens(kSmall + " --seed 5 --json " + b).exit_code, 0);
  ASSERT_EQ(run_kvittens(kSmall + " --seed 6 --json " + c).exit_code, 0);
  const auto ja = slurp(a);
  ASSERT_GT(ja.size(), 1000u);
  EXPECT_TRUE(ja == slurp(b)) << "same seed, different bytes";
  EXPECT_FALSE(ja == slurp(c));
  const auto j = nlohmann::json::parse(ja);
  EXPECT_EQ(j["options"]["seed"], 5);
  EXPECT_TRUE(j["violations"].empty());
  EXPECT_GT(j["summary"]["decisions"].get<int>(), 50);
  EXPECT_EQ(j["parts"][0]["rules"], "nacka-hemtjanst@3.0");
}

TEST(SimulateCli, SizesAndOptionsThatCannotWorkAreUsageErrors) {
  auto r = run_kvittens("simulate --customers 10 --staff 2 --providers 3");
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_NE(r.out.find("--providers"), std::string::npos) << r.out;
  EXPECT_EQ(run_kvittens("simulate --days 0").exit_code, 2);
  EXPECT_EQ(run_kvittens("simulate --hardware lab").exit_code, 2);
  r = run_kvittens("simulate --rules no-such-pack@1.0 --days 1");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.out.find("no-such-pack"), std::string::npos) << r.out;
  r = run_kvittens("simulate --from 2026-13-01 --days 1");
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_EQ(run_kvittens("simulate --backend http://127.0.0.1:1 --days 1").exit_code, 2);
}

TEST(SimulateCli, ARulesVersionReplacesTheDefaultOfItsService) {
  const auto r = run_kvittens(kSmall + " --rules nacka-hemtjanst@2026-03-25");
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("rules nacka-hemtjanst@2026-03-25"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("rules nacka-boendestod@1.0"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace kvittens::cli_test
