// Validation of a rule pack file as a whole (`kvittens pack check`, and every load): the
// problems of every version, dated value and matrix change at once, each at its file:line:col,
// so a rule owner fixes a draft in one round instead of one error per attempt.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "backend/rulepack/rule_pack.hpp"

namespace kvittens::backend {

// The units a parameter's values may have, and how each value is typed:
// bool (true|false), ratio (a number from 0 to 1), days, hours, minutes, months (whole numbers
// from 0 up).
const std::vector<std::string>& parameter_units();

// Every problem of a parsed pack document (`file` names it in the problems), sorted by place.
// Empty when the pack is well formed at every version.
std::vector<PackProblem> check_pack_document(const YAML::Node& root, const std::string& file);

// Reads, parses and checks a pack file; a YAML syntax error is its only problem. `display`
// names the file in the problems (default: the path as given).
std::vector<PackProblem> check_rule_pack_file(const std::filesystem::path& path,
                                              const std::string& display = "");

}  // namespace kvittens::backend
