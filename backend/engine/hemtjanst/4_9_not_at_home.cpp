// 4.9 — "Om kunden inte är hemma när personalen kommer ska ingen tid registreras."
#include "backend/engine/clause.hpp"
#include "backend/engine/hemtjanst/hemtjanst.hpp"

namespace kvittens::backend::detail {
namespace {

const Clause k4_9{"4.9", Cited::Hemtjanst};

}  // namespace

VisitDecision hemtjanst_absence(Context& ctx, const Absence& a) {
  VisitDecision d;
  d.id = a.id;
  d.kind = "absence";
  d.customer = a.customer;
  d.provider = ctx.provider_of(a.customer);
  d.start = a.start;
  d.end = a.end.value_or(a.start);
  d.stamp = ctx.stamp;
  trace(d.trace, k4_9, "the customer was not at home: no time is paid");
  settle(d);
  return d;
}

}  // namespace kvittens::backend::detail
