// In-memory registration store in front of the engine.
#include "backend/inprocess.hpp"

namespace kvittens::backend {

void InProcessBackend::sync_world(const World& world) {
  std::lock_guard lock(mutex_);
  world_ = world;
}

void InProcessBackend::append(const Registration& r) {
  std::visit(
      [this](const auto& x) {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, Visit>)
          regs_.visits.push_back(x);
        else if constexpr (std::is_same_v<T, DoubleStaffing>)
          regs_.double_staffing.push_back(x);
        else if constexpr (std::is_same_v<T, SharedInsats>)
          regs_.shared.push_back(x);
        else if constexpr (std::is_same_v<T, DeclinedVisit>)
          regs_.declined.push_back(x);
        else if constexpr (std::is_same_v<T, Absence>)
          regs_.absences.push_back(x);
        else if constexpr (std::is_same_v<T, ShiftApproval>)
          regs_.approvals.push_back(x);
        else if constexpr (std::is_same_v<T, Payment>)
          regs_.payments.push_back(x);
      },
      r);
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
  append(r);
  return {true, true, "", ""};
}

Decisions InProcessBackend::decisions() {
  std::lock_guard lock(mutex_);
  auto out = engine_.evaluate(world_, regs_);
  for (auto& d : out.visits)
    if (const auto it = frozen_.find(d.id); it != frozen_.end()) d = it->second;
  return out;
}

int InProcessBackend::purge_notes(Instant now) {
  std::lock_guard lock(mutex_);
  const auto before = engine_.evaluate(world_, regs_);
  auto purged = regs_;
  const int n = purge_expired_notes(purged, engine_.pack(), now);
  for (std::size_t i = 0; i < regs_.visits.size(); ++i)
    if (purged.visits[i] != regs_.visits[i]) frozen_.emplace(regs_.visits[i].id, before.visits[i]);
  for (std::size_t i = 0; i < regs_.double_staffing.size(); ++i)
    if (purged.double_staffing[i] != regs_.double_staffing[i])
      frozen_.emplace(regs_.double_staffing[i].id, before.visits[regs_.visits.size() + i]);
  regs_ = std::move(purged);
  return n;
}

std::unique_ptr<InProcessBackend> make_inprocess_backend(const std::string& rules) {
  return std::make_unique<InProcessBackend>(load_rule_pack(rules));
}

}  // namespace kvittens::backend
