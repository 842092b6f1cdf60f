// Hemtjänst, seed 000_cebd08351947c2e2.txt: one function per clause, called in the order a
// reviewer reads a visit — who registered (5.2), which times stand (4.12), receipts (4.10,
// 4.5, 4.11), approval (3.2, 4.13), then each insats (4.1-4.4, 4.7, 4.8, 4.15, 10).
#include <algorithm>
#include <chrono>

#include "backend/engine/context.hpp"

namespace kvittens::backend::detail {
namespace {

bool has_note(const Visit& v) {
  return !v.note.empty();
}

// 3.2 / 4.13 — "Arbetspass som inte är godkända senast under spärrdatumet kommer inte att
// ersättas." Cites 4.13 when the shift was approved (in time or late), 3.2 when it never was.
bool clause_4_13_shift(const Context::ShiftVerdict& v, VisitDecision& d) {
  trace(d.trace, v.clause, v.reason);
  return v.approved;
}

// 4.12 — "Det kan göras efter att besöket är avslutat men innan arbetspasset har godkänts.
// Anledningen till att tiden har redigerats ska dokumenteras i Phoniros anteckningsfält,
// annars godkänns inte justeringen." An edit without made_at was made at the visit's end.
std::pair<Instant, Instant> clause_4_12_times(const Context& ctx, const Visit& v,
                                              VisitDecision& d) {
  if (!v.edit) return {v.start, v.end};
  const Instant made_at = v.edit->made_at.value_or(v.end);
  const auto approval = ctx.approvals.find(shift_of(ctx, v.shift, v.staff, v.start));
  if (approval != ctx.approvals.end() && approval->second <= made_at) {
    trace(d.trace, "4.12",
          "times edited to " + format_local(v.edit->start) + "–" + format_local(v.edit->end) +
              " at " + format_local(made_at) + ", after the shift was approved at " +
              format_local(approval->second) + "; the original times stand");
    return {v.start, v.end};
  }
  if (!v.edit->note.empty()) {
    trace(d.trace, "4.12",
          "times edited to " + format_local(v.edit->start) + "–" + format_local(v.edit->end) +
              " with a note; edited times stand");
    return {v.edit->start, v.edit->end};
  }
  trace(d.trace, "4.12", "times edited without a note; the original times stand");
  return {v.start, v.end};
}

// 4.10 — which end of the visit the listed exceptions excuse.
bool exception_covers(const InsatsInfo& i, bool at_start, Place place) {
  switch (i.receipt_exception) {
    case ReceiptException::None:
      return false;
    case ReceiptException::Always:
      return true;
    case ReceiptException::Start:
      return at_start && place != Place::Door;
    case ReceiptException::End:
      return !at_start && place != Place::Door;
    case ReceiptException::Both:
      return place != Place::Door;
  }
  return false;
}

// 4.10 (cohabitant item): the spouse's visit by the same staff member overlaps this one and
// has its own receipt, so this visit may lack one.
bool cohabitant_covers(const Context& ctx, const Visit& v, const Customer& c) {
  if (!c.cohabitant) return false;
  for (const auto* o : ctx.visits_of(v.staff, *c.cohabitant))
    if (o->start < v.end && v.start < o->end &&
        (o->start_receipt.kind != ReceiptKind::None || o->end_receipt.kind != ReceiptKind::None))
      return true;
  return false;
}

// 4.10, 4.5, 4.11: judge both receipts. Returns false when the visit cannot be paid.
bool clause_4_10_receipts(Context& ctx, const Visit& v, const Customer& c, Instant start,
                          Instant end, VisitDecision& d) {
  bool ok = true;
  for (const bool at_start : {true, false}) {
    const auto& r = at_start ? v.start_receipt : v.end_receipt;
    const Place place = at_start ? v.start_place : v.end_place;
    const char* which = at_start ? "start" : "end";
    auto& verdict = judge_receipt(ctx, r, c, at_start ? start : end, "4.10", v.id, at_start);
    if (verdict.valid) {
      d.trace.add(verdict.clause, verdict.reason.view());
      continue;
    }
    if (r.kind != ReceiptKind::None) {
      verdict.reason.push("; counts as no receipt");
      d.trace.add(verdict.clause, verdict.reason.view());
    }
    // 4.11: lunch/dinner pickup may start without receipt, no note needed (I-5).
    if (at_start && place == Place::Pickup) {
      const bool meal = std::any_of(v.insatser.begin(), v.insatser.end(), [&](const auto& p) {
        const auto* i = ctx.insats(p.insats);
        return i && i->pickup;
      });
      if (meal) {
        trace(d.trace, "4.11", "start without receipt at the pickup point of the matlåda");
        continue;
      }
    }
    bool excused = std::any_of(v.insatser.begin(), v.insatser.end(), [&](const auto& p) {
      const auto* i = ctx.insats(p.insats);
      return i && exception_covers(*i, at_start, place);
    });
    const bool cohabitant = !excused && cohabitant_covers(ctx, v, c);
    if (!has_note(v)) {
      trace(d.trace, "4.10",
            std::string(which) + " without receipt and without a note explaining why");
      ok = false;
      continue;
    }
    if (excused) {
      trace(d.trace, "4.10",
            std::string(which) + " without receipt: a listed exception, with a note");
    } else if (cohabitant) {
      trace(d.trace, "4.10",
            std::string(which) + " without receipt: cohabitant registered separately, with a note");
    } else {
      trace(d.trace, "4.10",
            std::string(which) +
                " without receipt outside the exceptions, with a note: manual registration");
      d.manual = true;
    }
  }
  return ok;
}

// 4.15 with I-2: taken in registered order, each insats must combine with those kept.
bool clause_4_15_matrix(const Context& ctx, const InsatsInfo& info,
                        const std::vector<const InsatsInfo*>& kept, bool note, InsatsDecision& d) {
  for (const auto* k : kept) {
    const auto state = ctx.pack.combination(*k, info);
    if (state == MatrixState::Never) {
      trace(d.trace, "4.15", info.name + " must not be combined with " + k->name + " (bilaga I)");
      return false;
    }
    if (state == MatrixState::Assess) {
      if (!note) {
        trace(d.trace, "4.15",
              info.name + " with " + k->name +
                  " needs an individual assessment, documented in a note");
        return false;
      }
      trace(d.trace, "4.15",
            info.name + " with " + k->name + ": individual assessment documented in a note");
    }
  }
  return true;
}

// 4.2 — provider-initiated insatser with their caps; no customer fee.
int clause_4_2_provider(Context& ctx, const Visit& v, const InsatsInfo& info, int minutes,
                        Instant start, InsatsDecision& d) {
  const auto& c = ctx.customer(v.customer);
  if (info.requires_ == "lock" && !c.lock) {
    trace(d.trace, "4.2", info.name + " is paid only where a smart lock is installed and used");
    return 0;
  }
  if (info.requires_.rfind("order:", 0) == 0) {
    const auto needed = info.requires_.substr(6);
    if (!ctx.order_for(v.customer, needed, start)) {
      trace(d.trace, "4.2", info.name + " is paid only for customers with the insats " + needed);
      return 0;
    }
  }
  if (info.omstallning) {
    if (!v.notice_at || v.cause.empty()) {
      trace(d.trace, "4.2", "Omställningstid needs the notice time and its cause");
      return 0;
    }
    if (v.cause != "hospital" && v.cause != "homecoming_cancelled" && v.cause != "death") {
      trace(d.trace, "4.2",
            "Omställningstid is paid for hospital, homecoming_cancelled or death, not '" + v.cause +
                "'");
      return 0;
    }
    const auto days = static_cast<int>(ctx.pack.number("omstallning_days"));
    const auto within = static_cast<int>(ctx.pack.number("omstallning_register_within_days"));
    const auto registered = v.registered_at.value_or(v.end);
    if (registered > *v.notice_at + std::chrono::days{within}) {
      trace(d.trace, "4.2",
            "Omställningstid registered more than " + std::to_string(within) +
                " days after the cancellation");
      return 0;
    }
    const auto last = *v.notice_at + std::chrono::days{days};
    if (start >= last) {
      trace(d.trace, "4.2",
            "Omställningstid is paid for " + std::to_string(days) + " days from the notice (" +
                format_local(*v.notice_at) + "), this is after");
      return 0;
    }
    trace(d.trace, "4.2",
          "Omställningstid within " + std::to_string(days) +
              " days of the notice, registered in time");
    return minutes;
  }
  if (!info.cap_minutes) {
    trace(d.trace, "4.2", info.name + " is paid for the time it took, without customer fee");
    return minutes;
  }
  std::string key = v.customer + "|" + info.name;
  if (info.cap_per == CapPer::CustomerYear)
    key += "|" + std::to_string(int(ctx.local.date(start).year()));
  int& used = ctx.cap_used[key];
  if (info.once && used > 0) {
    trace(d.trace, "4.2", info.name + " is paid at one occasion per customer; already paid");
    return 0;
  }
  const int left = std::max(0, *info.cap_minutes - used);
  const int paid = std::min(minutes, left);
  const char* per =
      info.cap_per == CapPer::CustomerYear ? " per customer and year" : " per customer";
  if (paid < minutes)
    trace(d.trace, "4.2",
          info.name + " capped at " + std::to_string(*info.cap_minutes) + " min" + per + "; " +
              std::to_string(used) + " already paid");
  else
    trace(d.trace, "4.2",
          info.name + " within its cap of " + std::to_string(*info.cap_minutes) + " min" + per);
  used += paid;
  if (info.once) used = std::max(used, 1);
  return paid;
}

// Minutes per insats: as registered, or the visit's time split equally (first gets the rest).
void split_minutes(const Visit& v, int visit_minutes, std::vector<int>& out) {
  out.clear();
  const int n = static_cast<int>(v.insatser.size());
  int given = 0, unspecified = 0;
  for (const auto& p : v.insatser) {
    if (p.minutes)
      given += *p.minutes;
    else
      ++unspecified;
  }
  const int rest = std::max(0, visit_minutes - given);
  for (int i = 0, seen = 0; i < n; ++i) {
    const auto& p = v.insatser[static_cast<std::size_t>(i)];
    if (p.minutes) {
      out.push_back(*p.minutes);
    } else {
      out.push_back(rest / unspecified + (seen == 0 ? rest % unspecified : 0));
      ++seen;
    }
  }
}

}  // namespace

void hemtjanst_visit(Context& ctx, const Visit& v, VisitDecision& d) {
  d.id = v.id;
  d.kind = "visit";
  d.customer = v.customer;
  d.staff = v.staff;
  const auto& entry = ctx.customer_entry(v.customer);
  const auto& customer = *entry.customer;
  d.provider = customer.provider;
  d.stamp = ctx.stamp;
  ctx.arena.begin(d.trace);
  const auto [start, end] = clause_4_12_times(ctx, v, d);
  d.start = start;
  d.end = end;
  d.registered_minutes = static_cast<int>(minutes_between(start, end));
  trace(d.trace, "2",
        {"visit time ", ctx.local.text(start), "–", ctx.local.text(end), " (",
         Number(d.registered_minutes), " min), receipt to receipt"});
  if (v.manual) {
    trace(d.trace, "4.14", "registered after the fact: a manual registration");
    d.manual = true;
  }
  auto* const staff = ctx.find_staff(v.staff);
  bool payable = clause_5_2_account(ctx, staff, start, d);
  if (v.insatser.empty()) {
    trace(d.trace, "4.1", "a visit must contain at least one insats");
    payable = false;
  }
  if (payable) payable = clause_4_10_receipts(ctx, v, customer, start, end, d);
  if (payable) {
    payable = clause_4_13_shift(shift_verdict_of(ctx, staff, v.shift, v.staff, start), d);
  }
  if (v.declined_after_start)
    trace(d.trace, "4.8",
          "the customer declined after the visit started: paid for the time it lasted");

  auto& minutes = ctx.insats_minutes;
  split_minutes(v, d.registered_minutes, minutes);
  auto& kept = ctx.kept_insatser;
  kept.clear();
  d.insatser.reserve(v.insatser.size());
  const SharedInsats* group = nullptr;
  if (v.shared_group) {
    const auto it = ctx.shared.find(*v.shared_group);
    if (it != ctx.shared.end()) group = it->second;
  }
  for (std::size_t k = 0; k < v.insatser.size(); ++k) {
    const auto& p = v.insatser[k];
    const auto& info = *ctx.insats(p.insats);
    InsatsDecision id;
    ctx.arena.begin(id.trace);
    id.insats = p.insats;
    id.registered_minutes = minutes[k];
    int paid = payable ? minutes[k] : 0;
    if (!payable) trace(id.trace, d.trace.back().clause, "visit not payable");
    if (paid > 0 && !info.withdrawn.empty()) {
      trace(id.trace, info.withdrawn, info.name + " is no longer an insats of its own");
      paid = 0;
    }
    if (paid > 0 && p.status == InsatsStatus::Declined) {
      trace(id.trace, "4.8", "registered as Avböjd insats: the time is not paid");
      paid = 0;
    }
    if (paid > 0) {
      if (clause_4_15_matrix(ctx, info, kept, has_note(v), id))
        kept.push_back(&info);
      else
        paid = 0;
    }
    if (paid > 0) {
      if (info.category == "provider") {
        paid = clause_4_2_provider(ctx, v, info, paid, start, id);
      } else if (const auto* order = Context::order_for(entry, p.insats, ctx.local.date(start))) {
        // 4.2 grundregel / 4.3: ordered time, more only with a note.
        if (paid > order->minutes) {
          if (has_note(v)) {
            trace(id.trace, "4.3",
                  {Number(paid), " min against ", Number(order->minutes),
                   " ordered; a note explains the difference"});
          } else {
            trace(id.trace, "4.3",
                  {Number(paid), " min against ", Number(order->minutes),
                   " ordered and no note: paid the ordered time"});
            paid = order->minutes;
          }
        } else {
          trace(id.trace, "4.2", {"within the ordered ", Number(order->minutes), " min"});
        }
        if (v.start_place == Place::Pickup && info.pickup)
          trace(id.trace, "4.11", "pickup of the matlåda included in the granted time");
      } else if (p.status == InsatsStatus::Extra) {
        if (has_note(v)) {
          trace(id.trace, "4.1", "Extra insats with a note");
        } else {
          trace(id.trace, "4.1", "Extra insats without a note: not approved");
          paid = 0;
        }
      } else {
        if (has_note(v)) {
          trace(id.trace, "4.4",
                {"no order for ", p.insats, "; temporary need documented in a note"});
        } else {
          trace(id.trace, "4.4", {"no order for ", p.insats, " and no note: not approved"});
          paid = 0;
        }
      }
    }
    if (paid > 0 && group) {
      const int total = static_cast<int>(minutes_between(group->start, group->end));
      const int n = std::max<int>(1, static_cast<int>(group->customers.size()));
      const int share = total / n;
      if (paid > share) {
        trace(id.trace, "4.7",
              {"shared insats of ", Number(total), " min for ", Number(n),
               " customers: ", Number(share), " min each"});
        paid = share;
      } else {
        trace(id.trace, "4.7",
              {"within the equal share (", Number(share), " min) of the shared insats"});
      }
    }
    id.paid_minutes = paid;
    settle(id);
    id.customer_fee = info.fee && id.paid_minutes > 0;
    if (!info.fee && id.paid_minutes > 0)
      trace(id.trace, "4.2", "initiated by the provider: no customer fee");
    d.paid_minutes += id.paid_minutes;
    d.customer_fee = d.customer_fee || id.customer_fee;
    ctx.arena.freeze(id.trace);
    d.insatser.push_back(std::move(id));
  }
  settle(d);
  ctx.arena.freeze(d.trace);
}

// 4.6 — "Dubbelbemanning får bara registreras om en annan personal redan lagt in en insats."
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
    trace(d.trace, "4.6",
          "no insats by another staff member at this customer in the window: visits with only "
          "double staffing are not paid");
    return (settle(d), d);
  }
  if (!ctx.has_double_staffing_order(ds.customer, ds.start)) {
    if (ds.note.empty()) {
      trace(d.trace, "4.6",
            "double staffing without an order and without a note giving the reason");
      return (settle(d), d);
    }
    trace(d.trace, "4.6", "double staffing without an order; the note gives the reason");
  } else {
    trace(d.trace, "4.6", "double staffing ordered");
  }
  if (!clause_4_13_shift(shift_verdict_of(ctx, staff, ds.shift, ds.staff, ds.start), d))
    return (settle(d), d);
  d.paid_minutes = static_cast<int>(best);
  if (best < d.registered_minutes)
    trace(d.trace, "4.6",
          "paid only within the primary insats (" + primary->id + ") " +
              format_local(primary->start) + "–" + format_local(primary->end));
  else
    trace(d.trace, "4.6", "within the primary insats " + primary->id);
  settle(d);
  return d;
}

// 4.8 — "Avböjda besök ersätts inte. Avböjda besök ska inte registreras i Phoniro."
VisitDecision hemtjanst_declined(Context& ctx, const DeclinedVisit& dv) {
  auto d = decision_for(ctx, dv.id, "declined_visit", dv.customer, dv.staff, dv.planned_start,
                        dv.planned_end);
  trace(d.trace, "4.8", "declined visits (not let in) are not paid and should not be registered");
  settle(d);
  return d;
}

// 4.9 — "Om kunden inte är hemma när personalen kommer ska ingen tid registreras."
VisitDecision hemtjanst_absence(Context& ctx, const Absence& a) {
  VisitDecision d;
  d.id = a.id;
  d.kind = "absence";
  d.customer = a.customer;
  d.provider = ctx.provider_of(a.customer);
  d.start = a.start;
  d.end = a.end.value_or(a.start);
  d.stamp = ctx.stamp;
  trace(d.trace, "4.9", "the customer was not at home: no time is paid");
  settle(d);
  return d;
}

}  // namespace kvittens::backend::detail
