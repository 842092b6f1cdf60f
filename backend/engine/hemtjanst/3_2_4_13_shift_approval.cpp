// 3.2 / 4.13 — "Arbetspass som inte är godkända senast under spärrdatumet kommer inte att
// ersättas." A shift never approved is cited 3.2; one approved, in time or late, 4.13. The
// verdict depends only on the shift and its month, so it is computed once per pair and kept
// per staff member and day.
#include <string>

#include "backend/engine/clause.hpp"
#include "backend/engine/hemtjanst/hemtjanst.hpp"

namespace kvittens::backend::detail {
namespace {

const Clause k3_2{"3.2", Cited::Hemtjanst};
const Clause k4_13{"4.13", Cited::Hemtjanst};

bool shift_verdict(const Context& ctx, const std::string& shift, Instant start,
                   std::string& reason) {
  const auto it = ctx.approvals.find(shift);
  if (it == ctx.approvals.end()) {
    reason = "shift " + shift + " was not approved";
    return false;
  }
  const auto month = format_month(ctx.local.month(start));
  const auto cutoff = ctx.world.cutoff_dates.find(month);
  const auto approved_day = local_date(it->second);
  if (cutoff == ctx.world.cutoff_dates.end()) {
    reason = "shift " + shift + " approved " + format_date(approved_day) +
             "; no spärrdatum in the calendar for " + month + ", so in time";
    return true;
  }
  if (approved_day > cutoff->second) {
    reason = "shift " + shift + " approved " + format_date(approved_day) +
             ", after the spärrdatum " + format_date(cutoff->second) + " for " + month;
    return false;
  }
  reason = "shift " + shift + " approved " + format_date(approved_day) + ", by the spärrdatum " +
           format_date(cutoff->second);
  return true;
}

}  // namespace

// The verdict depends only on the shift and the month of `start`: computed once per pair.
const Context::ShiftVerdict& Context::shift_verdict(std::string_view shift, Instant start) const {
  const auto m = local.month(start);
  const int month = int(m.year()) * 100 + static_cast<int>(unsigned(m.month()));
  auto it = shift_verdicts.find(shift);
  if (it == shift_verdicts.end()) it = shift_verdicts.try_emplace(std::string(shift)).first;
  auto& list = it->second;
  for (const auto& v : list)
    if (v.month == month) return v;
  const std::string name(shift);
  ShiftVerdict v;
  v.month = month;
  v.approved = detail::shift_verdict(*this, name, start, v.reason);
  v.clause = approvals.count(name) ? k4_13 : k3_2;
  list.push_back(std::move(v));
  return list.back();
}

const Context::ShiftVerdict& shift_verdict_of(Context& ctx, Context::StaffEntry* staff,
                                              const std::string& named, const std::string& staff_id,
                                              Instant start) {
  if (!staff) return ctx.shift_verdict(shift_of(ctx, named, staff_id, start), start);
  // The verdict depends on the shift and its month; a shift is named, or the staff
  // member's local day. Either way the staff member's day decides whether it is the last one.
  const auto day = ctx.local.date(start);
  if (!staff->shift || staff->shift_day != day || staff->shift_named != named) {
    staff->shift = &ctx.shift_verdict(shift_of(ctx, named, staff_id, start), start);
    staff->shift_day = day;
    staff->shift_named = named;
  }
  return *staff->shift;
}

bool clause_4_13_shift(const Context::ShiftVerdict& v, VisitDecision& d) {
  trace(d.trace, v.clause, v.reason);
  return v.approved;
}

}  // namespace kvittens::backend::detail
