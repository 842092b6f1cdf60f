// Shards partition the job list: every job in exactly one shard, in order, balanced.
#include "runner/suite.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

namespace kvittens::harness {
namespace {

TEST(Shard, ParsesKOverN) {
  const auto s = parse_shard("2/4");
  EXPECT_EQ(s.index, 2);
  EXPECT_EQ(s.count, 4);
}

TEST(Shard, RefusesWhatIsNotKOverN) {
  for (const char* bad : {"", "2", "0/4", "5/4", "a/4", "2/b", "2/0", "-1/3", "1/3x", "/3"}) {
    EXPECT_THROW(parse_shard(bad), std::invalid_argument) << bad;
  }
}

TEST(Shard, TheShardsPartitionTheJobsInOrderAndBalanced) {
  std::vector<Scenario> scenarios(11);
  std::vector<Job> jobs;
  for (auto& s : scenarios) jobs.push_back({&s, "r"});
  for (int n = 1; n <= 5; ++n) {
    std::vector<int> seen(jobs.size(), 0);
    std::size_t smallest = jobs.size(), largest = 0;
    for (int k = 1; k <= n; ++k) {
      const auto part = shard_jobs(jobs, {k, n});
      smallest = std::min(smallest, part.size());
      largest = std::max(largest, part.size());
      const Scenario* last = nullptr;
      for (const auto& j : part) {
        ++seen[static_cast<std::size_t>(j.scenario - scenarios.data())];
        EXPECT_TRUE(last == nullptr || j.scenario > last) << "order kept";
        last = j.scenario;
      }
    }
    for (int c : seen) EXPECT_EQ(c, 1) << "shards of " << n;
    EXPECT_LE(largest - smallest, 1u) << "shards of " << n;
  }
}

}  // namespace
}  // namespace kvittens::harness
