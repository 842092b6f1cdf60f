// The `kvittens evaluate` input: a world and registrations in arrival order, read from YAML
// or JSON (JSON is YAML) with every error located at file:line:col. Format:
// docs/evaluate-format.md.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "kvittens/model.hpp"
#include "scenario/scenario.hpp"

namespace kvittens::harness {

struct LocatedRegistration {
  Registration registration;
  Where where;
};

struct EvaluateInput {
  std::optional<std::string> rules;  // "PACK@VERSION" named in the file
  World world;
  std::vector<LocatedRegistration> registrations;
};

// Throws ScenarioError (file:line:col and what was expected).
EvaluateInput load_evaluate_input(const std::string& path);
EvaluateInput parse_evaluate_input(const std::string& text, const std::string& display_name);

// One registration {KIND: {...}} as in the input's list (the HTTP API's body, too).
Registration decode_registration(const YAML::Node& node, const std::string& display_name);

}  // namespace kvittens::harness
