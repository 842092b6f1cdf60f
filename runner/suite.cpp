#include "runner/suite.hpp"

#include <charconv>
#include <map>
#include <mutex>
#include <stdexcept>
#include <string>

#include "backend/rulepack/rule_pack.hpp"
#include "scenario/discover.hpp"
#include "scenario/scenario_load.hpp"

namespace kvittens::harness {

Suite load_suite(const SuiteOptions& options, std::ostream& errors) {
  std::vector<std::string> paths = options.paths;
  if (paths.empty()) paths.push_back(std::string(KVITTENS_SOURCE_DIR) + "/scenarios");

  // The rule pack owns the insats catalogue and the clause table; loaded once per selection.
  // A pack that does not load is reported once with all its problems, not once per scenario.
  std::mutex mu;
  std::map<std::string, backend::RulePack> packs;
  struct Broken {
    std::string error;     // what the pack's load threw
    bool located = false;  // problems at places in the pack file, written once when it failed
    int files = 0;         // scenario files it kept from loading
  };
  std::map<std::string, Broken> broken;  // by selection
  const auto pack = [&](const std::string& rules) -> const backend::RulePack& {
    std::lock_guard lock(mu);
    auto it = packs.find(rules);
    if (it != packs.end()) return it->second;
    if (const auto b = broken.find(rules); b != broken.end())
      throw std::runtime_error(b->second.error);
    try {
      return packs.emplace(rules, backend::load_rule_pack(rules)).first->second;
    } catch (const backend::RulePackError& e) {
      broken[rules] = {e.what(), !e.problems().empty(), 0};
      if (!e.problems().empty()) errors << e.what() << "\n";
      throw;
    }
  };
  LoadOptions load;
  load.insats_catalogue = [&](const std::string& rules) { return pack(rules).insats_names(); };
  load.clause_ids = [&](const std::string& rules) {
    std::vector<std::string> ids;
    for (const auto& c : pack(rules).clauses) ids.push_back(c.id);
    return ids;
  };
  load.rules_override = options.rules_override;
  load.service_of = [&](const std::string& rules) -> std::string {
    return pack(rules).service == ServiceType::Hemtjanst ? "hemtjanst" : "boendestod";
  };

  Suite suite;
  for (const auto& file : discover_scenarios(paths)) {
    try {
      suite.scenarios.push_back(load_scenario(file, load, display_path(file)));
    } catch (const ScenarioError& e) {
      ++suite.invalid;
      // Kept from loading by a broken pack (the loader names it first): said once, by the pack's
      // own problems when it has places, else by the first scenario that names it.
      bool said = false;
      for (auto& [rules, b] : broken)
        if (e.message().rfind("rules '" + rules + "': ", 0) == 0) {
          said = b.located || b.files > 0;
          ++b.files;
          break;
        }
      if (!said) errors << e.what() << "\n";
    }
  }
  for (const auto& [rules, b] : broken)
    if (b.files > 1 || b.located)
      errors << "rules " << rules << " did not load (above); " << b.files
             << " scenario file(s) under them were not loaded\n";
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
