// Decoding of a scenario's `world:` block into the model's World, with located errors. Keys
// are the field names of include/kvittens/model.hpp. The scenario loader's default for
// LoadOptions::decode_world, which takes any decoder of this signature.
#pragma once

#include <string>

#include <yaml-cpp/yaml.h>

#include "kvittens/model.hpp"

namespace kvittens::harness {

// Throws ScenarioError naming file:line:col and what was expected.
World decode_scenario_world(const YAML::Node& world, const std::string& file);

// Later definitions (by id) replace earlier ones; used to put a scenario's world over an
// included one.
World merge_worlds(World base, const World& over);

}  // namespace kvittens::harness
