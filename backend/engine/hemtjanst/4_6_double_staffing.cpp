// 4.6 — "Dubbelbemanning får bara registreras om en annan personal redan lagt in en insats."
// Paid only within another staff member's paid insats at the customer; unordered double
// staffing needs a note giving the reason.
#include <algorithm>

#include "backend/engine/clause.hpp"
#include "backend/engine/hemtjanst/hemtjanst.hpp"

namespace kvittens::backend::detail {
namespace {

const Clause k4_6{"4.6", Cited::Hemtjanst};

}  // namespace

VisitDecision hemtjanst_double_staffing(Context& ctx, const DoubleStaffing& ds,
                                        const std::vector<const VisitDecision*>& visits) {
  auto d = decision_for(ctx, ds.id, "double_staffing", ds.customer, ds.staff, ds.start, ds.end);
  auto* const staff = ctx.find_staff(ds.staff);
  if (!clause_5_2_account(ctx, staff, ds.start, d)) return (settle(d), d);
  long best = 0;
  const VisitDecision* primary = nullptr;
  for (const auto* vp : visits) {
    const auto& v = *vp;
    if (v.kind != "visit" || v.customer != ds.customer || v.staff == ds.staff ||
        v.paid_minutes <= 0)
      continue;
    const auto from = std::max(v.start, ds.start);
    const auto to = std::min(v.end, ds.end);
    const long overlap = to > from ? minutes_between(from, to) : 0;
    if (overlap > best) {
      best = overlap;
      primary = &v;
    }
  }
  if (!primary) {
    trace(d.trace, k4_6,
          "no insats by another staff member at this customer in the window: visits with only "
          "double staffing are not paid");
    return (settle(d), d);
  }
  if (!ctx.has_double_staffing_order(ds.customer, ds.start)) {
    if (ds.note.empty()) {
      trace(d.trace, k4_6, "double staffing without an order and without a note giving the reason");
      return (settle(d), d);
    }
    trace(d.trace, k4_6, "double staffing without an order; the note gives the reason");
  } else {
    trace(d.trace, k4_6, "double staffing ordered");
  }
  if (!clause_4_13_shift(shift_verdict_of(ctx, staff, ds.shift, ds.staff, ds.start), d))
    return (settle(d), d);
  d.paid_minutes = static_cast<int>(best);
  if (best < d.registered_minutes)
    trace(d.trace, k4_6,
          "paid only within the primary insats (" + primary->id + ") " +
              format_local(primary->start) + "–" + format_local(primary->end));
  else
    trace(d.trace, k4_6, "within the primary insats " + primary->id);
  settle(d);
  return d;
}

}  // namespace kvittens::backend::detail
