// Orchestration: validation of incoming registrations and evaluation of accepted ones in
// time order, dispatching to the clause functions of the pack's service (hemtjanst/,
// boendestod/, one file per clause, each registering the clauses it cites: clause.hpp).
#include "backend/engine/engine.hpp"

#include <algorithm>
#include <chrono>
#include <string>
#include <unordered_map>

#include "backend/engine/checks.hpp"
#include "backend/engine/context.hpp"
#include "backend/engine/parameter.hpp"

namespace kvittens::backend {
namespace {

// Seed 000 §2.1; absent: notes are kept.
const detail::Parameter<ParameterUnit::Days> kNoteRetentionDays{
    "note_retention_days", detail::Cited::Both, detail::Need::Optional};

using detail::check_overlap;
using detail::check_phone;
using detail::check_shared_part;
using detail::check_stated_minutes;
using detail::check_times;
using detail::check_visit_times;
using detail::Context;
using detail::find_by_id;
using detail::refuse;

// A visit and its decision span several cache lines each and a month is far larger than the
// caches: asking for the ones judged a few visits ahead lets memory work while this one is
// judged (engine throughput, bench/RESULTS.md).
constexpr std::size_t kAhead = 4;
template <class T>
void prefetch(const T* p) {
  const auto* bytes = reinterpret_cast<const char*>(p);
  for (std::size_t at = 0; at < sizeof(T); at += 64) __builtin_prefetch(bytes + at);
}

const Customer* customer(const World& w, const std::string& id) {
  return find_by_id(w.customers, id);
}
const StaffMember* staff(const World& w, const std::string& id) {
  return find_by_id(w.staff, id);
}

std::optional<Refusal> check_people(const World& w, const std::string& staff_id,
                                    const std::string& customer_id) {
  const auto* c = customer(w, customer_id);
  if (!c) return refuse("", "unknown customer '" + customer_id + "'");
  if (!staff_id.empty()) {
    const auto* s = staff(w, staff_id);
    if (!s) return refuse("", "unknown staff '" + staff_id + "'");
    if (s->provider != c->provider)
      return refuse("", "staff '" + staff_id + "' works for another provider than customer '" +
                            customer_id + "'");
  }
  return std::nullopt;
}

}  // namespace

std::optional<Refusal> Engine::check(const World& w, const AcceptedRegistrations& accepted,
                                     const Registration& incoming) const {
  struct Checker {
    const Engine& engine;
    const World& w;
    const AcceptedRegistrations& accepted;
    const Registrations& existing = accepted.all();

    std::optional<Refusal> operator()(const Visit& v) const {
      if (auto r = check_people(w, v.staff, v.customer)) return r;
      if (auto r = check_phone(w, v.phone, v.staff, v.start, "the visit")) return r;
      if (auto r = check_visit_times(v.start, v.end, "the visit")) return r;
      if (auto r = check_stated_minutes(v)) return r;
      if (v.edit)
        if (auto r = check_visit_times(v.edit->start, v.edit->end, "the edited visit")) return r;
      for (const auto& p : v.insatser)
        if (!engine.pack().insats(p.insats))
          return refuse("", "unknown insats '" + p.insats + "' in rule pack " + engine.pack().name);
      if (v.shared_group) {
        const auto* s = find_by_id(existing.shared, *v.shared_group);
        if (!s)
          return refuse("", "unknown shared insats '" + *v.shared_group + "' (register it first)");
        if (auto r = check_shared_part(*s, v, accepted)) return r;
      }
      return check_overlap(v, *customer(w, v.customer), accepted);
    }
    std::optional<Refusal> operator()(const DoubleStaffing& d) const {
      if (auto r = check_people(w, d.staff, d.customer)) return r;
      if (auto r = check_phone(w, d.phone, d.staff, d.start, "the double staffing")) return r;
      return check_visit_times(d.start, d.end, "the double staffing");
    }
    std::optional<Refusal> operator()(const SharedInsats& s) const {
      if (s.customers.empty()) return refuse("", "shared insats '" + s.id + "' names no customers");
      for (const auto& c : s.customers)
        if (auto r = check_people(w, s.staff, c)) return r;
      if (auto r = check_phone(w, s.phone, s.staff, s.start, "the shared insats")) return r;
      if (!engine.pack().insats(s.insats))
        return refuse("", "unknown insats '" + s.insats + "' in rule pack " + engine.pack().name);
      return check_visit_times(s.start, s.end, "the shared insats");
    }
    std::optional<Refusal> operator()(const DeclinedVisit& d) const {
      if (auto r = check_people(w, d.staff, d.customer)) return r;
      // The phone is used when the decline is registered, which at the door is the planned start.
      if (auto r = check_phone(w, d.phone, d.staff, d.declined_at, "the declined visit")) return r;
      return check_visit_times(d.planned_start, d.planned_end, "the declined visit");
    }
    std::optional<Refusal> operator()(const Absence& a) const {
      if (auto r = check_people(w, "", a.customer)) return r;
      if (a.end) return check_times(a.start, *a.end, "the absence");
      return std::nullopt;
    }
    std::optional<Refusal> operator()(const ShiftApproval&) const { return std::nullopt; }
    std::optional<Refusal> operator()(const Payment& p) const {
      if (!find_by_id(existing.visits, p.visit))
        return refuse("", "payment for unknown visit '" + p.visit + "'");
      return std::nullopt;
    }
    // 4.12: an edit changes a visit the backend already accepted. Whether its times stand
    // (made before the shift's approval, with a note) is judged in evaluate().
    std::optional<Refusal> operator()(const VisitEdit& e) const {
      const auto* v = accepted.visit(e.visit);
      if (!v)
        return refuse("", "edit " + e.id + " names visit '" + e.visit +
                              "', which the backend has not accepted (register the visit first)");
      if (auto r = check_visit_times(e.edit.start, e.edit.end, "the edited visit")) return r;
      return check_phone(w, e.phone, v->staff, e.edit.made_at.value_or(v->end), "the edit");
    }
  };
  return std::visit(Checker{*this, w, accepted}, incoming);
}

Decisions Engine::evaluate(const World& w, const Registrations& regs) const {
  Context ctx(pack_, w, regs);
  const bool hemtjanst = pack_.service == ServiceType::Hemtjanst;
  Decisions out;
  // Visits are judged in time order (caps and lock sequence numbers run forward in time),
  // and reported in registration order.
  // Room for every decision at once: growing would move all visit decisions again.
  // From the memory Decisions use, so moving it into `out` moves the array, not each decision.
  VisitDecisions visits(decision_memory());
  visits.reserve(regs.visits.size() + regs.double_staffing.size() + regs.declined.size() +
                 regs.absences.size());
  const auto judge = [&](const Visit& v, VisitDecision& d) {
    if (hemtjanst)
      detail::hemtjanst_visit(ctx, v, d);
    else
      d = detail::boendestod_visit(ctx, v);
  };
  const auto& in = regs.visits;
  // Running totals (4.2 caps) follow the visits' start; visits starting at the same instant
  // go by id, so the order registrations arrived in never decides which is paid (I-19).
  const auto earlier = [](const Visit& a, const Visit& b) {
    return a.start < b.start || (a.start == b.start && a.id < b.id);
  };
  const bool in_time_order = std::is_sorted(in.begin(), in.end(), earlier);
  if (in_time_order) {
    // Registrations mostly arrive in time order already: each decision is made where it
    // goes, in one pass, while its lines are in the cache.
    for (std::size_t i = 0; i < in.size(); ++i) {
      if (i + kAhead < in.size()) prefetch(&in[i + kAhead]);
      judge(in[i], visits.emplace_back());
    }
  } else {
    // Start times side by side, so sorting does not walk the visits.
    std::vector<std::pair<Instant, std::size_t>> order(in.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = {in[i].start, i};
    std::stable_sort(order.begin(), order.end(), [&](const auto& a, const auto& b) {
      return a.first < b.first || (a.first == b.first && in[a.second].id < in[b.second].id);
    });
    visits.resize(in.size());
    for (std::size_t k = 0; k < order.size(); ++k) {
      if (k + kAhead < order.size()) {
        const auto next = order[k + kAhead].second;
        prefetch(&in[next]);
        prefetch(&visits[next]);
      }
      const auto i = order[k].second;
      judge(in[i], visits[i]);
    }
  }
  out.visits = std::move(visits);
  if (!regs.double_staffing.empty()) {
    // 4.6 looks for the primary insats among the visits at the same customer.
    std::unordered_map<std::string, std::vector<const VisitDecision*>> at_customer;
    for (const auto& d : out.visits) at_customer[d.customer].push_back(&d);
    static const std::vector<const VisitDecision*> none;
    std::vector<VisitDecision> staffed;
    staffed.reserve(regs.double_staffing.size());
    for (const auto& d : regs.double_staffing) {
      const auto it = at_customer.find(d.customer);
      staffed.push_back(
          detail::hemtjanst_double_staffing(ctx, d, it == at_customer.end() ? none : it->second));
    }
    for (auto& d : staffed) out.visits.push_back(std::move(d));
  }
  for (const auto& d : regs.declined)
    out.visits.push_back(hemtjanst ? detail::hemtjanst_declined(ctx, d)
                                   : detail::boendestod_declined(ctx, d));
  for (const auto& a : regs.absences) {
    if (hemtjanst)
      out.visits.push_back(detail::hemtjanst_absence(ctx, a));
    else
      detail::boendestod_absence(ctx, a, out.visits);
  }
  if (!hemtjanst) {
    std::vector<VisitDecision*> timed;
    for (auto& d : out.visits) timed.push_back(&d);
    // B1's cap in time order; equal starts by id, as for the visits above (I-B9).
    std::stable_sort(timed.begin(), timed.end(), [](auto* a, auto* b) {
      return a->start < b->start || (a->start == b->start && a->id < b->id);
    });
    detail::boendestod_monthly_cap(ctx, timed);
  }
  out.months = detail::monthly_summaries(ctx, out.visits);
  return out;
}

std::optional<std::chrono::days> note_retention(const RulePack& pack) {
  const auto days = kNoteRetentionDays.given(pack);
  if (!days) return std::nullopt;
  return std::chrono::days{*days};
}

int purge_expired_notes(Registrations& regs, const RulePack& pack, Instant now) {
  const auto retention = note_retention(pack);
  if (!retention) return 0;
  const auto keep = *retention;
  int purged = 0;
  for (auto& v : regs.visits) {
    if (!v.note.empty() && v.end + keep < now) {
      v.note.clear();
      ++purged;
    }
    if (v.edit && !v.edit->note.empty() && v.end + keep < now) v.edit->note.clear();
  }
  for (auto& d : regs.double_staffing)
    if (!d.note.empty() && d.end + keep < now) d.note.clear(), ++purged;
  return purged;
}

}  // namespace kvittens::backend
