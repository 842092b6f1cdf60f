// The provider's office (Phoniro Care and the web interface): after-the-fact registrations,
// declined visits and absences, shift approvals. It too reaches the backend only through
// BackendClient, and stamps when each registration arrived.
#pragma once

#include "kvittens/backend_client.hpp"
#include "kvittens/clock.hpp"
#include "sim/core/submissions.hpp"

namespace kvittens::sim {

class Office {
 public:
  Office(const Clock& clock, BackendClient& backend, ActivityLog& log)
      : clock_(clock), backend_(backend), log_(log) {}
  SubmitResult submit(Registration registration);

 private:
  const Clock& clock_;
  BackendClient& backend_;
  ActivityLog& log_;
};

}  // namespace kvittens::sim
