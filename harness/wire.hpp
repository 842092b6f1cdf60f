// The model on the wire: the JSON bodies of the HTTP API (docs/backend-api.yaml). There is
// one encoding of the model: worlds and registrations are written exactly as
// docs/evaluate-format.md reads them (and read back with the same located decoders), and
// decisions exactly as docs/decisions-format.md writes them.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "kvittens/model.hpp"

namespace kvittens::harness {

// A body that is not the JSON expected: `where` is "body:LINE:COL" when known.
class WireError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Time as Stockholm local text that parse_local reads back to the same instant
// (seconds only when non-zero, the offset only in the autumn overlap).
std::string wire_time(Instant t);

nlohmann::ordered_json encode_world(const World& world);
nlohmann::ordered_json encode_registration(const Registration& registration);

// Strict JSON (at most `max_depth` levels of nesting), then the located decoders of
// harness/evaluate_input.hpp. Throws WireError naming body:line:col and what was expected.
World decode_world(std::string_view body, int max_depth = 32);
Registration decode_registration(std::string_view body, int max_depth = 32);

// The inverse of decisions_json.hpp's to_json(Decisions). Throws WireError.
Decisions decode_decisions(const nlohmann::json& json);
VisitDecision decode_visit_decision(const nlohmann::json& json);

}  // namespace kvittens::harness
