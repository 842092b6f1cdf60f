// Boendestöd, seed 003_e1069df00f465e0f.txt (clause ids B1..B7 follow its paragraphs).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>

#include "backend/engine/context.hpp"

namespace kvittens::backend::detail {
namespace {

// A figure as a reason shows it: hours and percentages from the pack, weekly hours. With %g,
// 48 reads 48, 12.5 reads 12.5 and a rate of 0.29 reads 29 % (a cast to int would say 28).
std::string figure_text(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", x);
  return buf;
}

// How long before something a notice came, as a reason states it against a limit in hours:
// "30 h", or "48 h 30 min" where whole hours alone would read as the limit itself. Whole
// minutes, rounded down; a negative span (told after the start) reads as 0 h.
std::string notice_text(Instant notice, Instant at) {
  const long minutes = std::max(0L, minutes_between(notice, at));
  std::string out = std::to_string(minutes / 60) + " h";
  if (minutes % 60) out += " " + std::to_string(minutes % 60) + " min";
  return out;
}

int daily_average_minutes(const Customer& c) {
  return static_cast<int>(std::floor(c.granted_weekly_hours * 60.0 / 7.0));
}

}  // namespace

// B2/B3 — "Vid utförd insats i hemmet ska registrering alltid ske med kvittens ... Om
// insatsen utförs utanför hemmet ska insatsen registreras i appen utan kvittens med en
// tillhörande kommentar ... Om kvittens saknas och anteckning om orsak saknas kommer passet
// inte att ersättas."
VisitDecision boendestod_visit(Context& ctx, const Visit& v) {
  Instant start = v.start, end = v.end;
  Trace pre;
  if (v.edit && !v.edit->note.empty()) {
    start = v.edit->start;
    end = v.edit->end;
    trace(pre, "B2", "registered time as edited, with a note");
  } else if (v.edit) {
    trace(pre, "B2", "edit without a note: the registered times stand");
  }
  auto d = decision_for(ctx, v.id, "visit", v.customer, v.staff, start, end);
  d.trace = std::move(pre);
  const auto& c = ctx.customer(v.customer);
  trace(d.trace, "2",
        {"visit time ", ctx.local.text(start), "–", ctx.local.text(end), " (",
         Number(d.registered_minutes), " min)"});
  if (v.manual) d.manual = true;
  bool payable = clause_5_2_account(ctx, ctx.find_staff(v.staff), start, d);
  for (const bool at_start : {true, false}) {
    if (!payable) break;
    const auto& r = at_start ? v.start_receipt : v.end_receipt;
    const Place place = at_start ? v.start_place : v.end_place;
    const char* which = at_start ? "start" : "end";
    auto& verdict = judge_receipt(ctx, r, c, at_start ? start : end, "B2", v.id, at_start);
    if (verdict.valid) {
      d.trace.add("B2", verdict.reason.view());
      continue;
    }
    if (r.kind != ReceiptKind::None) {
      verdict.reason.push("; counts as no receipt");
      d.trace.add(verdict.clause, verdict.reason.view());
    }
    if (c.nfc_exemption) {
      trace(d.trace, "B3",
            std::string(which) + " without receipt: the LSS officer approved work without NFC tag");
    } else if (place == Place::Outside && documents(v, NoteAbout::Receipt)) {
      trace(d.trace, "B2",
            std::string(which) + " without receipt: performed outside the home, with a comment");
    } else {
      trace(d.trace, "B2",
            std::string(which) +
                " without receipt and without a note that it was outside the home: not paid");
      payable = false;
    }
  }
  if (v.declined_after_start)
    trace(d.trace, "B5",
          "the customer declined the rest of a started visit: only the performed time is paid");
  InsatsDecision id;
  id.insats = v.insatser.empty() ? "Boendestöd" : v.insatser.front().insats;
  id.registered_minutes = d.registered_minutes;
  id.paid_minutes = payable ? d.registered_minutes : 0;
  trace(id.trace, "B2", payable ? "paid for registered time" : "not paid");
  settle(id);
  d.paid_minutes = id.paid_minutes;
  d.insatser.push_back(std::move(id));
  settle(d);
  return d;
}

// B4/B7 — "Avböjda besök ersätts med 50 procent av planerad tid, detta gäller även om besöket
// avböjs vid dörren eller om brukaren inte är hemma vid planerad tid."
VisitDecision boendestod_declined(Context& ctx, const DeclinedVisit& dv) {
  auto d = decision_for(ctx, dv.id, "declined_visit", dv.customer, dv.staff, dv.planned_start,
                        dv.planned_end);
  if (!clause_5_2_account(ctx, ctx.find_staff(dv.staff), dv.planned_start, d)) {
    return (settle(d), d);
  }
  const auto notice_hours = ctx.pack.number("decline_notice_hours");
  const double hours_before =
      std::chrono::duration<double, std::ratio<3600>>(dv.planned_start - dv.declined_at).count();
  if (dv.note.empty()) {
    trace(d.trace, "B4",
          "a declined visit is registered with a note giving the reason; none given");
    return (settle(d), d);
  }
  if (hours_before > notice_hours) {
    trace(d.trace, "B7",
          "declined " + notice_text(dv.declined_at, dv.planned_start) +
              " before the planned start (more than " + figure_text(notice_hours) +
              " h): not paid");
    return (settle(d), d);
  }
  const double rate = ctx.pack.number("decline_rate");
  d.paid_minutes = static_cast<int>(std::floor(d.registered_minutes * rate));
  trace(d.trace, "B4",
        "declined " + notice_text(dv.declined_at, dv.planned_start) +
            " before the planned start (" + figure_text(notice_hours) +
            " h or less): " + figure_text(rate * 100) + " % of the planned " +
            std::to_string(d.registered_minutes) + " min");
  settle(d);
  return d;
}

// B6/B7 — "Vid sjukhusvistelse eller annan oplanerad frånvaro som meddelas mindre än 48
// timmar innan planerat besök ersätts tiden med 50 procent av den enskildes beviljade tid,
// beräknad som ett genomsnitt per dag, i max sju dagar." Each absence day is paid in the month
// it begins in (I-B7): an absence whose days fall in one month is one decision, named by the
// absence; one whose days fall in several is one decision per month, "<id>/YYYY-MM", each
// with its own days, so each month's summary and cap (B1) see only their own days.
void boendestod_absence(Context& ctx, const Absence& a, VisitDecisions& out) {
  const auto& c = ctx.customer(a.customer);
  const int max_days = static_cast<int>(ctx.pack.number("absence_max_days"));
  int days = max_days;
  if (a.end) {
    const auto secs = std::chrono::duration_cast<std::chrono::seconds>(*a.end - a.start).count();
    days = static_cast<int>((secs + 86399) / 86400);  // a part day counts as a day (I-B5)
  }
  const int paid_days = std::min(days, max_days);
  const int daily = daily_average_minutes(c);
  const double hours_before =
      std::chrono::duration<double, std::ratio<3600>>(a.start - a.notified_at).count();
  const bool planned = hours_before > ctx.pack.number("absence_notice_hours");
  const double rate = ctx.pack.number("absence_rate");
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
          d.trace, "B7",
          "absence notified " + notice_text(a.notified_at, a.start) + " ahead (planned): not paid");
      return out.push_back((settle(d), std::move(d)));
    }
    d.paid_minutes = static_cast<int>(std::floor(paid_days * daily * rate));
    trace(d.trace, "B6",
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
    trace(d.trace, "B6",
          "days " + std::to_string(m.from + 1) + "-" + std::to_string(m.to) + " of the " +
              std::to_string(days) + " absence days from " + std::string(ctx.local.text(a.start)) +
              " begin in " + month + "; each day is paid in its own month (I-B7)");
    if (planned) {
      trace(
          d.trace, "B7",
          "absence notified " + notice_text(a.notified_at, a.start) + " ahead (planned): not paid");
      out.push_back((settle(d), std::move(d)));
      continue;
    }
    const int paid_here = std::max(0, std::min(m.to, paid_days) - m.from);
    d.paid_minutes = paid_for(m.to) - paid_for(m.from);
    trace(d.trace, "B6",
          "unplanned absence (" + a.reason + "): " + std::to_string(paid_here) + " of these " +
              std::to_string(m.to - m.from) + " days paid (at most " + std::to_string(max_days) +
              " in all) x " + figure_text(rate * 100) + " % of the daily average " +
              std::to_string(daily) + " min");
    settle(d);
    out.push_back(std::move(d));
  }
}

// B1 — "Huvudregeln är att ni som utförare inte får ersättning för tid överstigande beviljad
// tid per månad." Cap: weekly hours x 60 x days in month / 7 (I-B1).
void boendestod_monthly_cap(Context& ctx, std::vector<VisitDecision*>& in_time_order) {
  std::map<std::string, int> used;  // customer|month -> minutes
  for (auto* d : in_time_order) {
    if (d->paid_minutes <= 0) continue;
    const auto* customer = ctx.find_customer(d->customer);
    if (!customer) continue;
    const auto month = ctx.local.month(d->start);
    const unsigned days = unsigned(std::chrono::year_month_day_last{
        month.year(),
        std::chrono::month_day_last{
            month.month()}}.day());
    const int cap =
        static_cast<int>(std::floor(customer->granted_weekly_hours * 60.0 * days / 7.0));
    int& u = used[d->customer + "|" + format_month(month)];
    const int left = std::max(0, cap - u);
    if (d->paid_minutes > left) {
      trace(d->trace, "B1",
            "monthly granted time " + std::to_string(cap) + " min (" +
                figure_text(customer->granted_weekly_hours) + " h/week); " + std::to_string(u) +
                " min already paid this month");
      d->paid_minutes = left;
      for (auto& i : d->insatser) i.paid_minutes = std::min(i.paid_minutes, left), settle(i);
      settle(*d);
    }
    u += d->paid_minutes;
  }
}

}  // namespace kvittens::backend::detail
