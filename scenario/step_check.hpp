// The second pass over a scenario's steps: they make sense in order (time runs forward, visits
// are started before they are ended or edited, staff are at a door, registration ids are
// unique, a lock or tag is there to give a receipt), and each step is completed with what the
// runner needs (its door, the tag's UID, the visit's staff and customer).
#pragma once

#include <set>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "scenario/load_names.hpp"

namespace kvittens::harness {

// `steps` were read from `steps_node`, entry by entry. Collects every registration id the steps
// register into `registrations`. Throws ScenarioError at the first step that cannot happen.
void check_steps(const YamlReader& r, const YAML::Node& steps_node, std::vector<Step>& steps,
                 const Names& names, std::set<std::string>& registrations);

}  // namespace kvittens::harness
