// One entry of a scenario's faults: list read into a Fault: when it is armed and what fails
// (an NFC reader, a lock's door, or the backend's answer to a phone), with only the errors and
// conditions that device can have (sim::nfc_reader_can_fail_with, sim::lock_condition_for).
#pragma once

#include <yaml-cpp/yaml.h>

#include "scenario/load_names.hpp"

namespace kvittens::harness {

// Throws ScenarioError at the first problem.
Fault read_fault(const YamlReader& r, Names& names, const YAML::Node& fault);

}  // namespace kvittens::harness
