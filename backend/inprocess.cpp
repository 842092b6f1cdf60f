// In-memory registration store in front of the engine.
#include "backend/inprocess.hpp"

namespace kvittens::backend {

void InProcessBackend::sync_world(const World& world) {
  std::lock_guard lock(mutex_);
  world_ = world;
}

SubmitResult InProcessBackend::submit(const Registration& r) {
  std::lock_guard lock(mutex_);
  const auto id = registration_id(r);
  if (const auto it = by_id_.find(id); it != by_id_.end()) {
    if (it->second == r) return {true, false, "already registered", ""};
    return {false, false, "registration id '" + id + "' was already used for other content", ""};
  }
  if (auto refusal = engine_.check(world_, regs_, r))
    return {false, false, refusal->reason, refusal->clause};
  by_id_.emplace(id, r);
  regs_.append(r);
  return {true, true, "", ""};
}

Decisions InProcessBackend::decisions() {
  std::lock_guard lock(mutex_);
  auto out = engine_.evaluate(world_, regs_.all());
  for (auto& d : out.visits)
    if (const auto it = frozen_.find(d.id); it != frozen_.end()) d = it->second;
  return out;
}

int InProcessBackend::purge_notes(Instant now) {
  std::lock_guard lock(mutex_);
  const auto before = engine_.evaluate(world_, regs_.all());
  const auto& regs = regs_.all();
  auto purged = regs;
  const int n = purge_expired_notes(purged, engine_.pack(), now);
  for (std::size_t i = 0; i < regs.visits.size(); ++i)
    if (purged.visits[i] != regs.visits[i]) frozen_.emplace(regs.visits[i].id, before.visits[i]);
  for (std::size_t i = 0; i < regs.double_staffing.size(); ++i)
    if (purged.double_staffing[i] != regs.double_staffing[i])
      frozen_.emplace(regs.double_staffing[i].id, before.visits[regs.visits.size() + i]);
  regs_.replace(std::move(purged));
  return n;
}

std::unique_ptr<InProcessBackend> make_inprocess_backend(const std::string& rules) {
  return std::make_unique<InProcessBackend>(load_rule_pack(rules));
}

}  // namespace kvittens::backend
