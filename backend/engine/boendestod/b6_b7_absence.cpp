// B6, B7 — the customer's absence: unplanned (notified less than absence_notice_hours
// before), 50 % of the daily average for at most absence_max_days, each day in its own month
// (B6, I-B7); planned, nothing (B7).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <string>
#include <vector>

#include "backend/engine/boendestod/boendestod.hpp"
#include "backend/engine/clause.hpp"
#include "backend/engine/parameter.hpp"

namespace kvittens::backend::detail {
namespace {

const Clause kB6{"B6", Cited::Boendestod};
const Clause kB7{"B7", Cited::Boendestod};
const Parameter<ParameterUnit::Days> kAbsenceMaxDays{"absence_max_days", Cited::Boendestod};
const Parameter<ParameterUnit::Hours> kAbsenceNoticeHours{"absence_notice_hours",
                                                          Cited::Boendestod};
const Parameter<ParameterUnit::Ratio> kAbsenceRate{"absence_rate", Cited::Boendestod};

}  // namespace

// B6/B7 — "Vid sjukhusvistelse eller annan oplanerad frånvaro som meddelas mindre än 48
// timmar innan planerat besök ersätts tiden med 50 procent av den enskildes beviljade tid,
// beräknad som ett genomsnitt per dag, i max sju dagar." Each absence day is paid in the month
// it begins in (I-B7): an absence whose days fall in one month is one decision, named by the
// absence; one whose days fall in several is one decision per month, "<id>/YYYY-MM", each
// with its own days, so each month's summary and cap (B1) see only their own days.
void boendestod_absence(Context& ctx, const Absence& a, VisitDecisions& out) {
  const auto& c = ctx.customer(a.customer);
  const int max_days = kAbsenceMaxDays(ctx.pack);
  int days = max_days;
  if (a.end) {
    const auto secs = std::chrono::duration_cast<std::chrono::seconds>(*a.end - a.start).count();
    days = static_cast<int>((secs + 86399) / 86400);  // a part day counts as a day (I-B5)
  }
  const int paid_days = std::min(days, max_days);
  const int daily = daily_average_minutes(c);
  const double hours_before =
      std::chrono::duration<double, std::ratio<3600>>(a.start - a.notified_at).count();
  const bool planned = hours_before > kAbsenceNoticeHours(ctx.pack);
  const double rate = kAbsenceRate(ctx.pack);
  const auto day_start = [&](int k) { return a.start + std::chrono::days{k}; };

  // The absence's days by month: [from, to) day indexes, in order.
  struct MonthDays {
    std::chrono::year_month month;
    int from = 0, to = 0;
  };
  std::vector<MonthDays> months;
  for (int k = 0; k < days; ++k) {
    const auto m = ctx.local.month(day_start(k));
    if (months.empty() || months.back().month != m)
      months.push_back({m, k, k + 1});
    else
      months.back().to = k + 1;
  }

  if (months.size() <= 1) {
    auto d = decision_for(ctx, a.id, "absence", a.customer, "", a.start, day_start(paid_days));
    d.registered_minutes = daily * days;
    if (planned) {
      trace(
          d.trace, kB7,
          "absence notified " + notice_text(a.notified_at, a.start) + " ahead (planned): not paid");
      return out.push_back((settle(d), std::move(d)));
    }
    d.paid_minutes = static_cast<int>(std::floor(paid_days * daily * rate));
    trace(d.trace, kB6,
          "unplanned absence (" + a.reason + "): " + std::to_string(paid_days) + " of " +
              std::to_string(days) + " days x " + figure_text(rate * 100) +
              " % of the daily average " + std::to_string(daily) + " min");
    settle(d);
    return out.push_back(std::move(d));
  }

  // Minutes paid for the absence's first n days, rounded down over the whole run: the months'
  // parts add up to what the absence would be paid as one.
  const auto paid_for = [&](int n) {
    return static_cast<int>(std::floor(std::min(n, paid_days) * daily * rate));
  };
  for (const auto& m : months) {
    const auto month = format_month(m.month);
    auto d = decision_for(ctx, a.id + "/" + month, "absence", a.customer, "", day_start(m.from),
                          day_start(m.to));
    d.registered_minutes = daily * (m.to - m.from);
    trace(d.trace, kB6,
          "days " + std::to_string(m.from + 1) + "-" + std::to_string(m.to) + " of the " +
              std::to_string(days) + " absence days from " + std::string(ctx.local.text(a.start)) +
              " begin in " + month + "; each day is paid in its own month (I-B7)");
    if (planned) {
      trace(
          d.trace, kB7,
          "absence notified " + notice_text(a.notified_at, a.start) + " ahead (planned): not paid");
      out.push_back((settle(d), std::move(d)));
      continue;
    }
    const int paid_here = std::max(0, std::min(m.to, paid_days) - m.from);
    d.paid_minutes = paid_for(m.to) - paid_for(m.from);
    trace(d.trace, kB6,
          "unplanned absence (" + a.reason + "): " + std::to_string(paid_here) + " of these " +
              std::to_string(m.to - m.from) + " days paid (at most " + std::to_string(max_days) +
              " in all) x " + figure_text(rate * 100) + " % of the daily average " +
              std::to_string(daily) + " min");
    settle(d);
    out.push_back(std::move(d));
  }
}

}  // namespace kvittens::backend::detail
