// What the loader checks a scenario file's names against (the merged world, its doors, the
// catalogue and clause ids of the rules it is checked under), and the checks that say a name
// is unknown. The step, fault, world and expectation readers share it; load_scenario owns it.
#pragma once

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "kvittens/model.hpp"
#include "scenario/scenario.hpp"
#include "scenario/scenario_yaml.hpp"
#include "sim/core/doors.hpp"

namespace kvittens::harness {

template <class T>
std::vector<std::string> ids_of(const std::vector<T>& v) {
  std::vector<std::string> out;
  for (const auto& x : v) out.push_back(x.id);
  return out;
}

inline bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

// Everything the loader checks names against.
struct Names {
  World world;
  std::vector<std::string> customers, staff, providers, locks, phones;
  std::vector<sim::Door> doors;
  std::vector<std::string> door_ids;
  std::vector<std::string> insatser;  // empty: unchecked
  std::vector<std::string> rules;
  std::vector<std::string> run_rules;  // what `expect` is checked under
  // Clause ids per rule selection (the scenario's and the run's); empty: unchecked.
  std::map<std::string, std::vector<std::string>> clause_ids;
  // Problems after which reading can go on; reported with the file's other problems.
  std::vector<ScenarioError> problems;
};

// Checks names read from one file (`r`) against `names`. An unknown reference fails at once;
// an unknown insats is a problem collected in names.problems, so every one is reported.
class NameCheck {
 public:
  NameCheck(const YamlReader& r, Names& names) : r_(r), n_(names) {}

  // `value` (read at `node`) must be one of `known`; `what` names the kind ("customer").
  void ref(const YAML::Node& node, const std::vector<std::string>& known, const std::string& what,
           const std::string& value) const;
  // Reads a string at `node` and checks it as above.
  std::string ref(const YAML::Node& node, const std::vector<std::string>& known,
                  const std::string& what) const;
  // An insats name, checked against the catalogue when there is one.
  void insats(const YAML::Node& node, const std::string& name) const;
  // A problem after which reading can go on.
  void problem(const YAML::Node& node, const std::string& message) const;

 protected:
  const YamlReader& r_;
  Names& n_;
};

}  // namespace kvittens::harness
