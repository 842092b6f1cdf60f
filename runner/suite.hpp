// A suite as `kvittens run` and `kvittens diff` take it: the scenario files under some paths,
// loaded and validated against their rule packs' insats catalogues, narrowed by tag or folder,
// and split into shards for several CI runners.
#pragma once

#include <cstddef>
#include <ostream>
#include <string>
#include <vector>

#include "runner/runner.hpp"
#include "scenario/scenario.hpp"

namespace kvittens::harness {

struct SuiteOptions {
  std::vector<std::string> paths;  // empty: the library under scenarios/
  std::vector<std::string> rules_override;
};

struct Suite {
  std::vector<Scenario> scenarios;
  int invalid = 0;  // files that did not validate (each reported on `errors`)
};

// Loads every scenario file under the paths. A missing path throws ScenarioError; a file that
// does not validate is reported on `errors` with its place and counted in `invalid`.
Suite load_suite(const SuiteOptions& options, std::ostream& errors);

// Whether the scenario has one of the tags or lies in a suite folder of that name
// (everything when `filters` is empty).
bool matches_filter(const Scenario& s, const std::vector<std::string>& filters);

// Shard K of N (1-based): job i belongs to shard (i mod N) + 1 over the job list in its
// deterministic order (files sorted, rule selections in scenario order), so the shards
// partition the jobs and are balanced to within one job.
struct Shard {
  int index = 1;
  int count = 1;
};
// Parses "K/N" with 1 <= K <= N; throws std::invalid_argument with what was wrong.
Shard parse_shard(const std::string& text);
std::vector<Job> shard_jobs(const std::vector<Job>& jobs, const Shard& shard);

}  // namespace kvittens::harness
