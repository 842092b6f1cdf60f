// 4.8 — "Avböjda besök ersätts inte. Avböjda besök ska inte registreras i Phoniro." A visit
// the customer declines after it started is paid for the time it lasted; an insats registered
// as Avböjd insats is not paid.
#include "backend/engine/clause.hpp"
#include "backend/engine/hemtjanst/hemtjanst.hpp"

namespace kvittens::backend::detail {
namespace {

const Clause k4_8{"4.8", Cited::Hemtjanst};

}  // namespace

void clause_4_8_declined_after_start(VisitDecision& d) {
  trace(d.trace, k4_8,
        "the customer declined after the visit started: paid for the time it lasted");
}

void clause_4_8_avbojd(InsatsDecision& id) {
  trace(id.trace, k4_8, "registered as Avböjd insats: the time is not paid");
}

VisitDecision hemtjanst_declined(Context& ctx, const DeclinedVisit& dv) {
  auto d = decision_for(ctx, dv.id, "declined_visit", dv.customer, dv.staff, dv.planned_start,
                        dv.planned_end);
  trace(d.trace, k4_8, "declined visits (not let in) are not paid and should not be registered");
  settle(d);
  return d;
}

}  // namespace kvittens::backend::detail
