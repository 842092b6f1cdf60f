// The embedded backend: a BackendClient that keeps registrations in memory and evaluates
// them with the engine under one rule pack version. Used by `kvittens run` by default.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "backend/engine/engine.hpp"
#include "kvittens/backend_client.hpp"

namespace kvittens::backend {

class InProcessBackend final : public BackendClient {
 public:
  explicit InProcessBackend(RulePack pack) : engine_(std::move(pack)) {}

  void sync_world(const World& world) override;
  // Idempotent: the same registration id with the same content is accepted as not new;
  // with other content it is refused. Otherwise the engine's check() decides.
  SubmitResult submit(const Registration& registration) override;
  Decisions decisions() override;

  // Seed 000 §2.1: purges notes older than the pack's retention at `now`. Decisions of the
  // affected registrations are frozen first, so they keep their outcome.
  int purge_notes(Instant now);

  const Engine& engine() const { return engine_; }
  const Registrations& registrations() const { return regs_.all(); }

 private:
  std::mutex mutex_;
  Engine engine_;
  World world_;
  AcceptedRegistrations regs_;
  std::map<std::string, Registration> by_id_;
  std::map<std::string, VisitDecision> frozen_;
};

// `rules` is "PACK@VERSION" (e.g. "nacka-hemtjanst@3.0") or "PACK" for its newest version.
// Throws RulePackError for an unknown pack or version.
std::unique_ptr<InProcessBackend> make_inprocess_backend(const std::string& rules);

}  // namespace kvittens::backend
