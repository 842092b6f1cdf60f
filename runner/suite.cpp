#include "runner/suite.hpp"

#include <charconv>
#include <map>
#include <mutex>
#include <stdexcept>

#include "backend/rulepack/rule_pack.hpp"
#include "scenario/scenario_load.hpp"

namespace kvittens::harness {

Suite load_suite(const SuiteOptions& options, std::ostream& errors) {
  std::vector<std::string> paths = options.paths;
  if (paths.empty()) paths.push_back(std::string(KVITTENS_SOURCE_DIR) + "/scenarios");

  // The rule pack owns the insats catalogue; loaded once per selection.
  std::mutex mu;
  std::map<std::string, std::vector<std::string>> catalogues;
  LoadOptions load;
  load.insats_catalogue = [&](const std::string& rules) {
    std::lock_guard lock(mu);
    auto it = catalogues.find(rules);
    if (it == catalogues.end()) {
      it = catalogues.emplace(rules, backend::load_rule_pack(rules).insats_names()).first;
    }
    return it->second;
  };
  load.rules_override = options.rules_override;

  Suite suite;
  for (const auto& file : discover_scenarios(paths)) {
    try {
      suite.scenarios.push_back(load_scenario(file, load, display_path(file)));
    } catch (const ScenarioError& e) {
      errors << e.what() << "\n";
      ++suite.invalid;
    }
  }
  return suite;
}

bool matches_filter(const Scenario& s, const std::vector<std::string>& filters) {
  if (filters.empty()) return true;
  const auto slash = s.file.find_last_of('/');
  const std::string dir = slash == std::string::npos ? "" : s.file.substr(0, slash);
  const std::string suite = dir.substr(dir.find_last_of('/') + 1);
  for (const auto& f : filters) {
    if (f == suite) return true;
    for (const auto& t : s.tags) {
      if (t == f) return true;
    }
  }
  return false;
}

Shard parse_shard(const std::string& text) {
  const auto slash = text.find('/');
  auto number = [&](std::string_view part, const char* what) {
    int v = 0;
    const auto [end, ec] = std::from_chars(part.data(), part.data() + part.size(), v);
    if (part.empty() || ec != std::errc{} || end != part.data() + part.size()) {
      throw std::invalid_argument("expected --shard K/N with whole numbers, got '" + text + "' (" +
                                  what + ")");
    }
    return v;
  };
  if (slash == std::string::npos) {
    throw std::invalid_argument("expected --shard K/N (e.g. 2/4), got '" + text + "'");
  }
  const std::string_view all(text);
  Shard s{number(all.substr(0, slash), "K"), number(all.substr(slash + 1), "N")};
  if (s.count < 1 || s.index < 1 || s.index > s.count) {
    throw std::invalid_argument("--shard K/N needs 1 <= K <= N, got '" + text + "'");
  }
  return s;
}

std::vector<Job> shard_jobs(const std::vector<Job>& jobs, const Shard& shard) {
  std::vector<Job> out;
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    if (static_cast<int>(i % static_cast<std::size_t>(shard.count)) + 1 == shard.index) {
      out.push_back(jobs[i]);
    }
  }
  return out;
}

}  // namespace kvittens::harness
