// 4.12 — edited times stand only with a note and when the edit was made before the shift's
// approval (I-16); otherwise the original times stand.
#include "backend/engine/clause.hpp"
#include "backend/engine/hemtjanst/hemtjanst.hpp"

namespace kvittens::backend::detail {
namespace {

const Clause k4_12{"4.12", Cited::Hemtjanst};

}  // namespace

// 4.12 — "Det kan göras efter att besöket är avslutat men innan arbetspasset har godkänts.
// Anledningen till att tiden har redigerats ska dokumenteras i Phoniros anteckningsfält,
// annars godkänns inte justeringen." An edit without made_at was made at the visit's end.
std::pair<Instant, Instant> clause_4_12_times(const Context& ctx, const Visit& v,
                                              VisitDecision& d) {
  if (!v.edit) return {v.start, v.end};
  const Instant made_at = v.edit->made_at.value_or(v.end);
  const auto approval = ctx.approvals.find(shift_of(ctx, v.shift, v.staff, v.start));
  if (approval != ctx.approvals.end() && approval->second <= made_at) {
    trace(d.trace, k4_12,
          "times edited to " + format_local(v.edit->start) + "–" + format_local(v.edit->end) +
              " at " + format_local(made_at) + ", after the shift was approved at " +
              format_local(approval->second) + "; the original times stand");
    return {v.start, v.end};
  }
  if (!v.edit->note.empty()) {
    trace(d.trace, k4_12,
          "times edited to " + format_local(v.edit->start) + "–" + format_local(v.edit->end) +
              " with a note; edited times stand");
    return {v.edit->start, v.edit->end};
  }
  trace(d.trace, k4_12, "times edited without a note; the original times stand");
  return {v.start, v.end};
}

}  // namespace kvittens::backend::detail
