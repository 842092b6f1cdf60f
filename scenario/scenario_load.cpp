#include "scenario/scenario_load.hpp"

#include <algorithm>
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <tuple>

#include "scenario/expect_read.hpp"
#include "scenario/fault_read.hpp"
#include "scenario/load_names.hpp"
#include "scenario/scenario_world.hpp"
#include "scenario/scenario_yaml.hpp"
#include "scenario/step_check.hpp"
#include "scenario/step_read.hpp"
#include "scenario/world_refs.hpp"

namespace kvittens::harness {
namespace fs = std::filesystem;

namespace {

std::vector<std::string> sorted_unique(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
  return v;
}

// load_scenario without collecting: problems it can read on after land in names.problems,
// the first it cannot is thrown.
Scenario read_scenario(const std::string& path, const LoadOptions& options,
                       const std::string& display, Names& names) {
  const YamlReader r(display);
  const YAML::Node root = load_yaml_file(path, display);
  if (!root.IsMap()) {
    r.fail(root, "expected a scenario: a map with scenario, clause, rules, world, steps, expect");
  }
  r.check_map(root,
              {"scenario", "clause", "description", "tags", "rules", "include", "world", "doors",
               "steps", "faults", "expect"},
              "scenario");
  Scenario s;
  s.file = display;
  s.where = r.where(r.key_node(root, "scenario"));
  s.name = r.str(r.require(root, "scenario", "scenario file"), "scenario name");
  s.clause = r.str(r.require(root, "clause", "scenario"), "clause (e.g. \"000 4.10\")");
  if (root["description"]) s.description = r.str(root["description"], "description");
  if (root["tags"]) s.tags = r.strings(root["tags"], "tags");
  s.rules = r.strings(r.require(root, "rules", "scenario"), "rules (PACK@VERSION)");
  if (s.rules.empty()) r.fail(root["rules"], "expected at least one PACK@VERSION in rules");

  names.rules = s.rules;
  bool override_applies = !options.rules_override.empty();
  if (override_applies && options.service_of) {
    const auto service = [&](const std::string& rules) {
      try {
        return options.service_of(rules);
      } catch (const std::exception& e) {
        r.fail(root["rules"], "rules '" + rules + "': " + e.what());
      }
    };
    const auto own = service(s.rules.front());
    const auto run = service(options.rules_override.front());
    if (own != run) {
      override_applies = false;
      s.skipped =
          "a " + own + " scenario; " + options.rules_override.front() + " is a " + run + " pack";
    }
  }
  const auto& run_rules = override_applies ? options.rules_override : s.rules;
  names.run_rules = run_rules;
  if (options.insats_catalogue) {
    for (const auto& rules : run_rules) {
      try {
        for (auto& i : options.insats_catalogue(rules)) names.insatser.push_back(i);
      } catch (const std::exception& e) {
        r.fail(root["rules"], "rules '" + rules + "': " + e.what());
      }
    }
    names.insatser = sorted_unique(names.insatser);
  }
  if (options.clause_ids) {
    // The run's packs, and the scenario's own for its by_rules blocks.
    std::vector<std::string> all = run_rules;
    all.insert(all.end(), s.rules.begin(), s.rules.end());
    for (const auto& rules : sorted_unique(all)) {
      try {
        names.clause_ids[rules] = options.clause_ids(rules);
      } catch (const std::exception& e) {
        r.fail(root["rules"], "rules '" + rules + "': " + e.what());
      }
    }
  }
  const auto decode = options.decode_world ? options.decode_world : decode_scenario_world;

  // Worlds: included files first, the scenario's own block on top.
  struct Block {
    YamlReader reader;
    YAML::Node world, doors;
  };
  std::vector<Block> blocks;
  if (root["include"]) {
    for (const auto& inc : r.strings(root["include"], "include (file paths)")) {
      const fs::path p = fs::path(path).parent_path() / inc;
      const std::string inc_display =
          (fs::path(display).parent_path() / inc).lexically_normal().string();
      // The overload with an error code: a name the system refuses (longer than a file name
      // may be) throws filesystem_error from the other, and is a bad include like any other.
      std::error_code ec;
      if (!fs::exists(p, ec)) {
        r.fail(root["include"], "cannot include '" + inc + "': " +
                                    (ec ? ec.message() : "no such file next to the scenario"));
      }
      const YAML::Node inc_root = load_yaml_file(p.string(), inc_display);
      Block b{YamlReader(inc_display), inc_root["world"], inc_root["doors"]};
      b.reader.check_map(inc_root, {"world", "doors", "description"}, "shared world file");
      blocks.push_back(b);
    }
  }
  blocks.push_back(Block{r, root["world"], root["doors"]});
  for (const auto& b : blocks) {
    if (!b.world) continue;
    try {
      s.world = merge_worlds(s.world, decode(b.world, b.reader.file()));
    } catch (const ScenarioError&) {
      throw;
    } catch (const std::exception& e) {
      // The general decoder's own located errors (InputError) already name file:line:col.
      throw ScenarioError(b.reader.where(b.world), e.what());
    }
  }
  if (s.world.customers.empty()) r.fail(root, "the scenario's world has no customers (world:)");
  names.world = s.world;
  names.customers = ids_of(s.world.customers);
  names.staff = ids_of(s.world.staff);
  names.providers = ids_of(s.world.providers);
  names.locks = ids_of(s.world.locks);
  names.phones = ids_of(s.world.phones);
  names.doors = sim::default_doors(s.world);
  for (const auto& b : blocks) {
    if (b.world) check_world_refs(b.reader, names, b.world);
  }
  for (const auto& b : blocks) {
    names.door_ids = ids_of(names.doors);
    if (b.doors) names.doors = sim::merge_doors(names.doors, read_doors(b.reader, names, b.doors));
  }
  names.door_ids = ids_of(names.doors);
  s.doors = names.doors;

  const YAML::Node steps = r.require(root, "steps", "scenario");
  if (!steps.IsSequence() || steps.size() == 0) r.fail(steps, "expected steps as a non-empty list");
  std::optional<Date> day;
  for (const auto& n : steps) {
    s.steps.push_back(read_step(r, names, n, day));
    day = local_date(s.steps.back().at);
  }
  std::set<std::string> registrations;
  check_steps(r, steps, s.steps, names, registrations);

  if (auto fs_node = root["faults"]) {
    if (!fs_node.IsSequence()) r.fail(fs_node, "expected faults as a list");
    for (const auto& n : fs_node) s.faults.push_back(read_fault(r, names, n));
  }
  s.expect = read_expectations(r, names, r.require(root, "expect", "scenario"), registrations,
                               s.expect_by_rules, names.run_rules);
  return s;
}

}  // namespace

Scenario load_scenario(const std::string& path, const LoadOptions& options,
                       const std::string& display_in) {
  const std::string display = display_in.empty() ? path : display_in;
  Names names;
  std::optional<Scenario> s;
  try {
    s = read_scenario(path, options, display, names);
  } catch (const ScenarioError& e) {
    names.problems.push_back(e);
  }
  auto& problems = names.problems;
  if (problems.empty()) return std::move(*s);
  // In the order of the text: the scenario's own problems, then any of a file it includes.
  std::stable_sort(problems.begin(), problems.end(), [&](const auto& a, const auto& b) {
    const bool a_other = a.where().file != display, b_other = b.where().file != display;
    return std::tie(a_other, a.where().line, a.where().col) <
           std::tie(b_other, b.where().line, b.where().col);
  });
  // One error for the file, placed at its first problem, naming every one.
  std::string message = problems.front().message();
  for (std::size_t i = 1; i < problems.size(); ++i)
    message += "\n" + std::string(problems[i].what());
  throw ScenarioError(problems.front().where(), message);
}

}  // namespace kvittens::harness
