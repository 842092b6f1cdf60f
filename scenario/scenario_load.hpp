// Loading and validating scenario files (docs/scenario-format.md). A scenario that loads is
// complete: every reference resolves, every step can be carried out, every expectation names
// something the scenario registers. Anything else is a ScenarioError at its file:line:col.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "scenario/scenario.hpp"

namespace kvittens::harness {

struct LoadOptions {
  // Valid insats names for a rule selection ("PACK@VERSION"); the rule pack owns the catalogue.
  // Unset: insats names are not checked.
  std::function<std::vector<std::string>(const std::string& rules)> insats_catalogue;
  // The clause ids of a rule selection's pack: the clauses an expectation names must be among
  // those of every pack it is checked under. Unset: clause ids are not checked.
  std::function<std::vector<std::string>(const std::string& rules)> clause_ids;
  // Decodes one file's `world:` block (default: decode_scenario_world).
  std::function<World(const YAML::Node& world, const std::string& file)> decode_world;
  // When set, the scenario is validated (and will run) under these rules instead of its own.
  std::vector<std::string> rules_override;
  // The service ("hemtjanst", "boendestod") of a rule selection's pack. When set, a scenario
  // whose own rules are of another service than rules_override is validated under its own
  // rules and marked skipped instead.
  std::function<std::string(const std::string& rules)> service_of;
};

// `path` is read; `display` is how the file is named in messages (default: `path`).
// A ScenarioError names every problem found in the file, one "file:line:col: ..." per line:
// names that do not resolve (insatser, registration ids, clause ids) are all collected, up to
// the first problem after which the file cannot be read on.
Scenario load_scenario(const std::string& path, const LoadOptions& options,
                       const std::string& display = "");

}  // namespace kvittens::harness
