// `kvittens explain`: one decision as the chain an auditor reads — the inputs that mattered,
// each rule that fired in order with its reference in the seed and its plain statement from
// the rule pack, the parameters used with their effective dates, and the outcome.
// Format: docs/explain.md.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "backend/rulepack/rule_pack.hpp"
#include "kvittens/model.hpp"

namespace kvittens::harness {

struct ExplainRequest {
  const backend::RulePack* pack = nullptr;
  const World* world = nullptr;
  const Registrations* registrations = nullptr;  // to show the inputs; may be null
  const VisitDecision* decision = nullptr;
  std::string insats;  // only this insats' chain when set
};

// Throws std::invalid_argument when `insats` is not part of the decision.
nlohmann::ordered_json explain(const ExplainRequest& request);
// The same explanation as text for people.
std::string explain_text(const nlohmann::ordered_json& explanation);

}  // namespace kvittens::harness
