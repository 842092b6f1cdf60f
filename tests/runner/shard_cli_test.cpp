// `kvittens run --shard K/N`: the shards of one N together run every job of the unsharded run
// exactly once, each with its own JUnit file naming the shard.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "../cli/run_cli.hpp"
#include "../service/serve_process.hpp"

namespace {

namespace fs = std::filesystem;
using kvittens::cli_test::run_kvittens;

const std::string kSuite = std::string(KVITTENS_SOURCE_DIR) + "/scenarios/versions";

std::multiset<std::string> testcases(const fs::path& junit) {
  std::ifstream in(junit);
  std::stringstream s;
  s << in.rdbuf();
  const std::string text = s.str();
  std::multiset<std::string> out;
  const std::regex re("<testcase classname=\"[^\"]*\" name=\"([^\"]*)\"");
  for (auto it = std::sregex_iterator(text.begin(), text.end(), re); it != std::sregex_iterator();
       ++it) {
    out.insert((*it)[1]);
  }
  return out;
}

TEST(Shard, TheShardsOfOneNRunEveryJobExactlyOnce) {
  kvittens::testing::TempDir dir;
  ASSERT_EQ(
      run_kvittens("run --hardware none " + kSuite + " --junit " + (dir.path / "all.xml").string())
          .exit_code,
      0);
  const auto all = testcases(dir.path / "all.xml");
  ASSERT_GT(all.size(), 3u);
  std::multiset<std::string> joined;
  for (int k = 1; k <= 3; ++k) {
    const auto file = dir.path / ("shard" + std::to_string(k) + ".xml");
    const auto r = run_kvittens("run --hardware none " + kSuite + " --shard " + std::to_string(k) +
                                "/3 --junit " + file.string());
    EXPECT_EQ(r.exit_code, 0) << r.out;
    EXPECT_NE(r.out.find("kvittens run: shard " + std::to_string(k) + "/3: "), std::string::npos)
        << r.out;
    const auto part = testcases(file);
    EXPECT_FALSE(part.empty());
    joined.insert(part.begin(), part.end());
    std::ifstream in(file);
    std::stringstream s;
    s << in.rdbuf();
    EXPECT_NE(s.str().find("<testsuite name=\"scenarios shard " + std::to_string(k) + "/3\""),
              std::string::npos);
  }
  EXPECT_EQ(joined, all);
}

TEST(Shard, ABadShardIsAUsageError) {
  for (const char* bad : {"4/3", "0/3", "x", "1/0"}) {
    const auto r = run_kvittens("run --hardware none " + kSuite + " --shard " + bad);
    EXPECT_EQ(r.exit_code, 2) << bad << ": " << r.out;
    EXPECT_NE(r.out.find("--shard"), std::string::npos) << r.out;
  }
}

}  // namespace
