// B4, B7 — a declined visit: half the planned time (decline_rate) when declined at most
// decline_notice_hours before, at the door or not at home (B4); nothing when declined earlier
// (B7).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <string>

#include "backend/engine/boendestod/boendestod.hpp"
#include "backend/engine/clause.hpp"
#include "backend/engine/parameter.hpp"

namespace kvittens::backend::detail {
namespace {

const Clause kB4{"B4", Cited::Boendestod};
const Clause kB7{"B7", Cited::Boendestod};
const Parameter<ParameterUnit::Hours> kDeclineNoticeHours{"decline_notice_hours",
                                                          Cited::Boendestod};
const Parameter<ParameterUnit::Ratio> kDeclineRate{"decline_rate", Cited::Boendestod};

}  // namespace

// B4/B7 — "Avböjda besök ersätts med 50 procent av planerad tid, detta gäller även om besöket
// avböjs vid dörren eller om brukaren inte är hemma vid planerad tid."
VisitDecision boendestod_declined(Context& ctx, const DeclinedVisit& dv) {
  auto d = decision_for(ctx, dv.id, "declined_visit", dv.customer, dv.staff, dv.planned_start,
                        dv.planned_end);
  if (!clause_5_2_account(ctx, ctx.find_staff(dv.staff), dv.planned_start, d)) {
    return (settle(d), d);
  }
  const double notice_hours = kDeclineNoticeHours(ctx.pack);
  const double hours_before =
      std::chrono::duration<double, std::ratio<3600>>(dv.planned_start - dv.declined_at).count();
  if (dv.note.empty()) {
    trace(d.trace, kB4, "a declined visit is registered with a note giving the reason; none given");
    return (settle(d), d);
  }
  if (hours_before > notice_hours) {
    trace(d.trace, kB7,
          "declined " + notice_text(dv.declined_at, dv.planned_start) +
              " before the planned start (more than " + figure_text(notice_hours) +
              " h): not paid");
    return (settle(d), d);
  }
  const double rate = kDeclineRate(ctx.pack);
  d.paid_minutes = static_cast<int>(std::floor(d.registered_minutes * rate));
  trace(d.trace, kB4,
        "declined " + notice_text(dv.declined_at, dv.planned_start) +
            " before the planned start (" + figure_text(notice_hours) +
            " h or less): " + figure_text(rate * 100) + " % of the planned " +
            std::to_string(d.registered_minutes) + " min");
  settle(d);
  return d;
}

}  // namespace kvittens::backend::detail
