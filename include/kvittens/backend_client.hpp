// How the simulated staff app and the harness talk to a backend: in-process (the embedded
// engine) or over HTTP (`kvittens serve` or any backend implementing docs/backend-api.yaml).
#pragma once

#include <optional>
#include <string>

#include "kvittens/model.hpp"

namespace kvittens {

// The backend's answer to one registration.
struct SubmitResult {
  bool accepted = false;  // false: refused (reason says why, clause names the rule if any)
  bool is_new = false;    // false on a retry of an already stored registration id
  std::string reason;
  std::string clause;
};

class BackendClient {
 public:
  virtual ~BackendClient() = default;
  // Replaces the backend's copy of the world (what Combine provides).
  virtual void sync_world(const World& world) = 0;
  // Idempotent by registration id: a retry of a stored registration is a no-op.
  virtual SubmitResult submit(const Registration& registration) = 0;
  // Decisions on everything registered so far.
  virtual Decisions decisions() = 0;
};

}  // namespace kvittens
