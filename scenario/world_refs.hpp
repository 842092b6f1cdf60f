// The references a world block makes (providers, cohabitants, locks, phones, orders' customers
// and insatser) and the scenario's doors: block, both checked against the merged world, so a
// shared world file may name what the scenario adds and the other way round.
#pragma once

#include <vector>

#include <yaml-cpp/yaml.h>

#include "scenario/load_names.hpp"
#include "sim/core/doors.hpp"

namespace kvittens::harness {

// Every reference in world block `world` (read by `r`) must name something of names.world.
void check_world_refs(const YamlReader& r, Names& names, const YAML::Node& world);

// A doors: block (door id -> {customers, tags, lock}): a customer listed brings their tags and
// lock. Throws ScenarioError at the first reference that does not resolve.
std::vector<sim::Door> read_doors(const YamlReader& r, Names& names, const YAML::Node& doors);

}  // namespace kvittens::harness
