// A scenario's expect: block read into Expectations: every registration id it names must be
// one the steps register, every clause id one of each pack it is held against, every insats
// one of the catalogue. Unknown names are collected in names.problems, so one run of the
// loader reports them all.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "scenario/load_names.hpp"

namespace kvittens::harness {

// `registrations`: the ids the steps register. `packs`: the rule selections the expectations
// are held against (the run's). Each by_rules block (PACK@VERSION -> expectations, the version
// one of the scenario's own rules) is read into `by_rules`, held against its own pack.
Expectations read_expectations(const YamlReader& r, Names& names, const YAML::Node& expect,
                               const std::set<std::string>& registrations,
                               std::map<std::string, Expectations>& by_rules,
                               const std::vector<std::string>& packs);

}  // namespace kvittens::harness
