// Hemtjänst, seed 000_cebd08351947c2e2.txt: one function per clause, called in the order a
// reviewer reads a visit — who registered (5.2), which times stand (4.12), receipts (4.10,
// 4.5, 4.11), approval (3.2, 4.13), then each insats (4.1-4.4, 4.7, 4.8, 4.15, 10).
#include <algorithm>
#include <array>
#include <chrono>
#include <span>
#include <string_view>

#include "backend/engine/context.hpp"

namespace kvittens::backend::detail {
namespace {

// How a reason that relies on the visit's note names it: a note that says what it documents
// is named by that; a note naming nothing (it documents everything) is "a note" as before.
std::string_view note_named(const Visit& v, NoteAbout what) {
  if (v.note_about == 0) return {};
  switch (what) {
    case NoteAbout::Receipt:
      return " (the note about the receipt)";
    case NoteAbout::OverTime:
      return " (the note about the time)";
    case NoteAbout::Extra:
      return " (the note about the extra insats)";
    case NoteAbout::Assessment:
      return " (the note about the individual assessment)";
  }
  return {};
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

// The clauses that made a visit unpayable, each once, in the order they were found: every
// insats of the visit cites each of them (a rejection names all its causes, not the last
// line traced).
struct Causes {
  std::array<std::string_view, 8> items;
  std::size_t size = 0;
  void add(std::string_view clause) {
    for (std::size_t i = 0; i < size; ++i)
      if (items[i] == clause) return;
    if (size < items.size()) items[size++] = clause;
  }
  bool empty() const { return size == 0; }
};

// 4.10, 4.5, 4.11, 7: judge both receipts; a receipt that cannot be accepted adds its
// causes. Once the visit is unpayable for another cause (`unpayable`), only further causes
// are traced: a valid receipt or a documented exception is no part of a rejection, and a
// rejected visit is not counted as manual.
void clause_4_10_receipts(Context& ctx, const Visit& v, const Customer& c, Instant start,
                          Instant end, bool unpayable, VisitDecision& d, Causes& causes) {
  for (const bool at_start : {true, false}) {
    const auto& r = at_start ? v.start_receipt : v.end_receipt;
    const Place place = at_start ? v.start_place : v.end_place;
    const char* which = at_start ? "start" : "end";
    auto& verdict = judge_receipt(ctx, r, c, at_start ? start : end, "4.10", v.id, at_start);
    if (verdict.valid) {
      if (!unpayable) d.trace.add(verdict.clause, verdict.reason.view());
      continue;
    }
    const bool presented = r.kind != ReceiptKind::None;
    const bool note = documents(v, NoteAbout::Receipt);
    if (presented && (!unpayable || !note)) {
      verdict.reason.push("; counts as no receipt");
      d.trace.add(verdict.clause, verdict.reason.view());
    }
    // 4.11: a lunch or dinner visit may start at the pickup point of the matlåda; like every
    // exception of 4.10 it is documented in a note (§2, I-5).
    const bool pickup = at_start && place == Place::Pickup &&
                        std::any_of(v.insatser.begin(), v.insatser.end(), [&](const auto& p) {
                          const auto* i = ctx.insats(p.insats);
                          return i && i->pickup;
                        });
    if (!note) {
      // A note about something else is named as such: it is there, it documents no receipt.
      const std::string_view missing = v.note.empty()
                                           ? " and without a note explaining why"
                                           : "; the visit's note is not about the receipt";
      trace(d.trace, "4.10",
            {which,
             pickup ? " without receipt at the pickup point of the matlåda" : " without receipt",
             missing});
      if (presented) causes.add(verdict.clause);
      causes.add("4.10");
      continue;
    }
    if (unpayable) continue;
    if (pickup) {
      trace(d.trace, "4.11",
            {"start without receipt at the pickup point of the matlåda",
             note_named(v, NoteAbout::Receipt)});
      continue;
    }
    const bool excused = std::any_of(v.insatser.begin(), v.insatser.end(), [&](const auto& p) {
      const auto* i = ctx.insats(p.insats);
      return i && exception_covers(*i, at_start, place);
    });
    if (excused) {
      trace(d.trace, "4.10",
            {which, " without receipt: a listed exception, with a note",
             note_named(v, NoteAbout::Receipt)});
    } else if (cohabitant_covers(ctx, v, c)) {
      trace(d.trace, "4.10",
            {which, " without receipt: cohabitant registered separately, with a note",
             note_named(v, NoteAbout::Receipt)});
    } else {
      trace(d.trace, "4.10",
            {which, " without receipt outside the exceptions, with a note",
             note_named(v, NoteAbout::Receipt), ": manual registration"});
      d.manual = true;
    }
  }
}

// 4.15 with I-2: which insatser of a visit the matrix keeps, whatever order they were
// selected in. Candidates are taken by precedence: an insats no other clause rejects before
// one that is rejected anyway, an ordered insats before one without an order, then the
// catalogue's order (bilaga I's columns); each must combine with every one kept before it.
// Fills ctx.matrix_findings; insatser registered as Avböjd or withdrawn take no part.
// `note`: the visit has a note documenting an individual assessment.
void clause_4_15_matrix(Context& ctx, std::span<const Context::InsatsPlan> plan, bool note) {
  ctx.matrix_findings.clear();
  if (plan.size() < 2) return;  // nothing to combine
  auto& order = ctx.matrix_order;
  order.clear();
  for (std::size_t k = 0; k < plan.size(); ++k)
    if (plan[k].performed) order.push_back(k);
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    const auto& x = plan[a];
    const auto& y = plan[b];
    if (x.rejected_otherwise != y.rejected_otherwise) return !x.rejected_otherwise;
    if ((x.order != nullptr) != (y.order != nullptr)) return x.order != nullptr;
    if (x.info->index != y.info->index) return x.info->index < y.info->index;
    // The same insats twice: the one with more time is kept (an order-free choice; equal
    // ones are alike).
    if (x.minutes != y.minutes) return x.minutes > y.minutes;
    return a < b;
  });
  auto& findings = ctx.matrix_findings;
  auto& kept = ctx.matrix_kept;
  kept.clear();
  for (const std::size_t k : order) {
    bool keep = true;
    for (const std::size_t j : kept) {
      const auto state = ctx.pack.combination(*plan[j].info, *plan[k].info);
      if (state == MatrixState::Never || (state == MatrixState::Assess && !note)) {
        findings.push_back({k, j, state, false});
        keep = false;
        break;
      }
      if (state == MatrixState::Assess) findings.push_back({k, j, state, true});
    }
    if (keep) kept.push_back(k);
  }
}

// The matrix findings for insats k, traced; false when the matrix rejects it.
bool trace_4_15(const Context& ctx, const Visit& v, std::span<const Context::InsatsPlan> plan,
                std::size_t k, InsatsDecision& d) {
  bool kept = true;
  for (const auto& f : ctx.matrix_findings) {
    if (f.insats != k) continue;
    const auto& name = plan[k].info->name;
    const auto& other = plan[f.partner].info->name;
    if (f.state == MatrixState::Never) {
      trace(d.trace, "4.15", {name, " must not be combined with ", other, " (bilaga I)"});
    } else if (!f.allowed) {
      trace(d.trace, "4.15",
            {name, " with ", other, " needs an individual assessment, documented in a note"});
    } else {
      trace(d.trace, "4.15",
            {name, " with ", other, ": individual assessment documented in a note",
             note_named(v, NoteAbout::Assessment)});
    }
    kept = kept && f.allowed;
  }
  return kept;
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

// Minutes per insats (plan[k].minutes): as stated, or the visit's time split equally among
// the others. Stated minutes never add up to more than the visit's time (Engine::check refuses
// that; an edit can still shorten the visit below them): each is cut to what the visit has
// left. Neither the cut nor the split's remainder depends on selection order: insatser are
// taken in the catalogue's order (then by stated minutes), and the remainder goes to the first.
void split_minutes(Context& ctx, const Visit& v, int visit_minutes,
                   std::span<Context::InsatsPlan> plan) {
  auto& order = ctx.split_order;
  order.resize(plan.size());
  for (std::size_t k = 0; k < plan.size(); ++k) order[k] = k;
  if (plan.size() > 1) {
    const auto rank = [&](std::size_t k) {
      return std::pair(plan[k].info->index, v.insatser[k].minutes.value_or(0));
    };
    std::sort(order.begin(), order.end(),
              [&](std::size_t a, std::size_t b) { return rank(a) < rank(b); });
  }
  const long long time = std::max(0, visit_minutes);
  long long given = 0;
  int unspecified = 0;
  for (const std::size_t k : order) {
    const auto& stated = v.insatser[k].minutes;
    if (!stated) {
      ++unspecified;
      continue;
    }
    const long long cut = std::clamp<long long>(*stated, 0, time - given);
    given += cut;
    plan[k].minutes = static_cast<int>(cut);
  }
  const int rest = static_cast<int>(time - given);
  for (int seen = 0; const std::size_t k : order) {
    if (v.insatser[k].minutes) continue;
    plan[k].minutes = rest / unspecified + (seen == 0 ? rest % unspecified : 0);
    ++seen;
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
  // Every clause that makes the visit unpayable is found and cited, not only the first.
  Causes causes;
  auto* const staff = ctx.find_staff(v.staff);
  if (!clause_5_2_account(ctx, staff, start, d)) causes.add("5.2");
  if (v.insatser.empty()) {
    trace(d.trace, "4.1", "a visit must contain at least one insats");
    causes.add("4.1");
  }
  clause_4_10_receipts(ctx, v, customer, start, end, !causes.empty(), d, causes);
  const auto& shift = shift_verdict_of(ctx, staff, v.shift, v.staff, start);
  if (causes.empty() || !shift.approved) {
    clause_4_13_shift(shift, d);
    if (!shift.approved) causes.add(shift.clause);
  }
  const bool payable = causes.empty();
  if (v.declined_after_start && payable)
    trace(d.trace, "4.8",
          "the customer declined after the visit started: paid for the time it lasted");

  const bool extra_note = documents(v, NoteAbout::Extra);
  const Date day = ctx.local.date(start);
  auto& plan = ctx.insats_plan;
  plan.clear();
  for (const auto& p : v.insatser) {
    Context::InsatsPlan x;
    x.info = ctx.insats(p.insats);
    x.performed = x.info->withdrawn.empty() && p.status != InsatsStatus::Declined;
    const bool provider = x.info->category == "provider";
    if (!provider) x.order = Context::order_for(entry, p.insats, day);
    x.rejected_otherwise = x.performed && !provider && !x.order && !extra_note;
    plan.push_back(x);
  }
  split_minutes(ctx, v, d.registered_minutes, plan);
  if (payable) clause_4_15_matrix(ctx, plan, documents(v, NoteAbout::Assessment));
  d.insatser.reserve(v.insatser.size());
  const SharedInsats* group = nullptr;
  if (v.shared_group) {
    const auto it = ctx.shared.find(*v.shared_group);
    if (it != ctx.shared.end()) group = it->second;
  }
  for (std::size_t k = 0; k < v.insatser.size(); ++k) {
    const auto& p = v.insatser[k];
    const auto& info = *plan[k].info;
    InsatsDecision id;
    ctx.arena.begin(id.trace);
    id.insats = p.insats;
    id.registered_minutes = plan[k].minutes;
    int paid = payable ? plan[k].minutes : 0;
    for (std::size_t c = 0; c < causes.size; ++c)
      trace(id.trace, causes.items[c], "visit not payable");
    if (payable) {
      // Each clause that rejects the insats is cited; those that would pay it only when none
      // does.
      bool rejected = false;
      if (!info.withdrawn.empty()) {
        trace(id.trace, info.withdrawn, {info.name, " is no longer an insats of its own"});
        rejected = true;
      }
      if (p.status == InsatsStatus::Declined) {
        trace(id.trace, "4.8", "registered as Avböjd insats: the time is not paid");
        rejected = true;
      }
      if (plan[k].performed) {
        if (!trace_4_15(ctx, v, plan, k, id)) rejected = true;
        if (info.category == "provider") {
          if (!rejected) paid = clause_4_2_provider(ctx, v, info, paid, start, id);
        } else if (const auto* order = plan[k].order) {
          // 4.2 grundregel / 4.3: ordered time, more only with a note.
          if (rejected) {
          } else if (paid > order->minutes) {
            if (documents(v, NoteAbout::OverTime)) {
              trace(
                  id.trace, "4.3",
                  {Number(paid), " min against ", Number(order->minutes),
                   " ordered; a note explains the difference", note_named(v, NoteAbout::OverTime)});
            } else {
              trace(id.trace, "4.3",
                    {Number(paid), " min against ", Number(order->minutes),
                     " ordered and no note: paid the ordered time"});
              paid = order->minutes;
            }
          } else {
            trace(id.trace, "4.2", {"within the ordered ", Number(order->minutes), " min"});
          }
          if (!rejected && v.start_place == Place::Pickup && info.pickup)
            trace(id.trace, "4.11", "pickup of the matlåda included in the granted time");
        } else if (p.status == InsatsStatus::Extra) {
          if (!extra_note) {
            trace(id.trace, "4.1", "Extra insats without a note: not approved");
            rejected = true;
          } else if (!rejected) {
            trace(id.trace, "4.1", {"Extra insats with a note", note_named(v, NoteAbout::Extra)});
          }
        } else {
          if (!extra_note) {
            trace(id.trace, "4.4", {"no order for ", p.insats, " and no note: not approved"});
            rejected = true;
          } else if (!rejected) {
            trace(id.trace, "4.4",
                  {"no order for ", p.insats, "; temporary need documented in a note",
                   note_named(v, NoteAbout::Extra)});
          }
        }
      }
      if (rejected) paid = 0;
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
