// A scenario's expectations under one rule selection: its by_rules block for that selection
// laid over the plain expect: block, field by field (docs/scenario-format.md).
#pragma once

#include <string>

#include "scenario/scenario.hpp"

namespace kvittens::harness {

// A value the by_rules block gives replaces the plain one; a visit, insats or month it names
// that the plain block does not is added.
Expectations expectations_for(const Scenario& s, const std::string& rules);

}  // namespace kvittens::harness
