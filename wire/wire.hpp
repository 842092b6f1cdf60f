// The model on the wire: the JSON bodies of the HTTP API (docs/backend-api.yaml). Worlds and
// registrations are written in the shapes docs/evaluate-format.md describes, and read back as
// strict JSON: UTF-8 only, numbers in range, no key twice, every value within the limits below.
// A body that breaks them is refused with every problem at once, each at its JSON pointer.
// Decisions are in wire/decisions_json.hpp.
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "kvittens/model.hpp"

namespace kvittens::wire {

// What the decoders accept (documented in docs/backend-api.yaml, WireLimits).
struct Limits {
  static constexpr std::size_t id_bytes = 128;     // every id and name a registration gives
  static constexpr std::size_t name_bytes = 200;   // people's and providers' names
  static constexpr std::size_t note_bytes = 4000;  // a note (anteckning), an edit's note
  static constexpr int first_year = 2000;          // dates and times: years first..last
  static constexpr int last_year = 2099;
  static constexpr int max_minutes = 24 * 60;  // stated or ordered minutes, a payment
  static constexpr int max_depth = 32;         // nesting of arrays and objects
};

// One problem in a body: where (a JSON pointer, RFC 6901; empty for the whole body or a
// syntax error) and what was expected.
struct WireIssue {
  std::string pointer;
  std::string message;
  bool operator==(const WireIssue&) const = default;
};

// A body that is not the JSON expected; what() joins the issues, "POINTER: MESSAGE".
class WireError : public std::runtime_error {
 public:
  explicit WireError(std::vector<WireIssue> issues);
  const std::vector<WireIssue>& issues() const { return issues_; }

 private:
  std::vector<WireIssue> issues_;
};

// Time as Stockholm local text that parse_local reads back to the same instant
// (seconds only when non-zero, the offset only in the autumn overlap).
std::string wire_time(Instant t);

nlohmann::ordered_json encode_world(const World& world);
nlohmann::ordered_json encode_registration(const Registration& registration);

// Strict JSON within Limits. Throws WireError listing every problem found.
World decode_world(std::string_view body);
Registration decode_registration(std::string_view body);

}  // namespace kvittens::wire
