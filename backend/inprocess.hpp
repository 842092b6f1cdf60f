// The embedded backend: a BackendClient that keeps registrations in memory and evaluates
// them with the engine under one rule pack version. Used by `kvittens run` by default.
#pragma once

#include <memory>
#include <string>

#include "kvittens/backend_client.hpp"

namespace kvittens::backend {

// `rules` is "PACK@VERSION" (e.g. "nacka-hemtjanst@3.0") or "PACK" for its newest version.
// Throws RulePackError (backend/rulepack/rule_pack.hpp) for an unknown pack or version.
std::unique_ptr<BackendClient> make_inprocess_backend(const std::string& rules);

}  // namespace kvittens::backend
