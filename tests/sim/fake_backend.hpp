// A BackendClient test double for the runner's own logic: it pays every visit its full
// length and records what it was sent. Integration tests use the real in-process backend.
#pragma once

#include <map>
#include <memory>
#include <vector>

#include "kvittens/backend_client.hpp"

namespace kvittens::testing {

class FakeBackend : public BackendClient {
 public:
  void sync_world(const World& w) override { world = w; }
  SubmitResult submit(const Registration& r) override {
    received.push_back(r);
    if (sink) sink->push_back(r);
    const auto id = registration_id(r);
    if (stored.count(id)) return {true, false, "already registered", ""};
    stored[id] = r;
    order.push_back(id);
    return {true, true, "", ""};
  }
  Decisions decisions() override {
    Decisions d;
    for (const auto& id : order) {
      const auto* v = std::get_if<Visit>(&stored[id]);
      if (!v) continue;
      VisitDecision x;
      x.id = v->id;
      x.kind = "visit";
      x.staff = v->staff;
      x.customer = v->customer;
      x.start = v->start;
      x.end = v->end;
      x.registered_minutes = static_cast<int>(minutes_between(v->start, v->end));
      x.paid_minutes = x.registered_minutes;
      x.trace.push_back({"4.10", "fake: receipts not checked"});
      for (const auto& p : v->insatser) {
        x.insatser.push_back({p.insats,
                              x.registered_minutes,
                              x.registered_minutes,
                              DecisionState::Approved,
                              true,
                              {}});
      }
      d.visits.push_back(x);
    }
    return d;
  }

  World world;
  std::vector<Registration> received;  // every submit, retries included
  // Outlives the backend (the runner owns and destroys it): a copy of every submit.
  std::shared_ptr<std::vector<Registration>> sink;
  std::map<std::string, Registration> stored;
  std::vector<std::string> order;
};

}  // namespace kvittens::testing
