// Decisions as JSON for machines (`evaluate --json`, `run --json`): keys in a fixed order,
// times as Stockholm local text, so the same decisions always give the same bytes.
// Format: docs/decisions-format.md.
#pragma once

#include <nlohmann/json.hpp>

#include "kvittens/model.hpp"
#include "wire/wire.hpp"

namespace kvittens::wire {

nlohmann::ordered_json to_json(const TraceEntry& t);
nlohmann::ordered_json to_json(const Stamp& s);
nlohmann::ordered_json to_json(const InsatsDecision& d);
nlohmann::ordered_json to_json(const VisitDecision& d);
nlohmann::ordered_json to_json(const MonthlySummary& m);
nlohmann::ordered_json to_json(const Decisions& d);

// The inverse of to_json(Decisions) and to_json(VisitDecision), for clients of the service.
// Throws WireError.
Decisions decode_decisions(const nlohmann::json& json);
VisitDecision decode_visit_decision(const nlohmann::json& json);

}  // namespace kvittens::wire
