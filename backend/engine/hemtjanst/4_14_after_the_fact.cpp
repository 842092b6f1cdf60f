// 4.14 — a visit registered after the fact in Phoniro Care (efterrapporterad) is a manual
// registration, counted towards section 2's share of manual registrations.
#include "backend/engine/clause.hpp"
#include "backend/engine/hemtjanst/hemtjanst.hpp"

namespace kvittens::backend::detail {
namespace {

const Clause k4_14{"4.14", Cited::Hemtjanst};

}  // namespace

void clause_4_14_manual(const Visit& v, VisitDecision& d) {
  if (!v.manual) return;
  trace(d.trace, k4_14, "registered after the fact: a manual registration");
  d.manual = true;
}

}  // namespace kvittens::backend::detail
