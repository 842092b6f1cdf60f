// One entry of a scenario's steps: list read into a Step: its time, its one action and that
// action's keys, every name checked against the world. Whether the steps make sense in order
// is step_check.hpp's job.
#pragma once

#include <optional>

#include <yaml-cpp/yaml.h>

#include "scenario/load_names.hpp"

namespace kvittens::harness {

// `day`: the previous step's local date, on which an "HH:MM" time is read. Throws
// ScenarioError at the first problem it cannot read past; an unknown insats is collected in
// names.problems instead.
Step read_step(const YamlReader& r, Names& names, const YAML::Node& step, std::optional<Date> day);

}  // namespace kvittens::harness
