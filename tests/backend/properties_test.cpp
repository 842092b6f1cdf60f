// Properties of the hemtjänst engine (seed 000) over random small worlds and registrations:
// what must hold for every batch the backend accepts, where hemtjanst_test.cpp shows what
// held for one. Each property runs rapidcheck's default 100 cases against the real pack
// (rules/nacka-hemtjanst.yaml, both versions). A failing property prints the smallest
// counterexample it found, as text (showValue below), and the RC_PARAMS="reproduce=..."
// string that replays it; "Using configuration: seed=..." at the start names the seed.
#include "backend/engine/engine.hpp"

#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <map>
#include <numeric>
#include <optional>
#include <ostream>
#include <set>
#include <string>
#include <vector>

#include "builders.hpp"

namespace kvittens {
namespace {

using namespace kvittens::fixtures;
using backend::RulePack;

// ------------------------------------------------------------------ the rules

constexpr const char* kVersions[] = {"nacka-hemtjanst@3.0", "nacka-hemtjanst@2026-03-25"};

const RulePack& pack(int version) {
  static const RulePack packs[] = {backend::load_rule_pack(kVersions[0]),
                                   backend::load_rule_pack(kVersions[1])};
  return packs[version];
}

// ------------------------------------------------------------------ a case

// A world and what the phones and the office sent, in arrival order.
struct Case {
  int version = 0;  // index into kVersions
  World world;
  std::vector<Registration> registrations;
};

std::string place_text(Place p) {
  return to_string(p);
}

std::string receipt_text(const Receipt& r) {
  switch (r.kind) {
    case ReceiptKind::None:
      return "none";
    case ReceiptKind::Nfc:
      return "nfc " + r.tag_uid;
    case ReceiptKind::Lock:
      return "lock " + r.lock->lock_id + " seq " + std::to_string(r.lock->seq) + " at " +
             format_local(Instant{std::chrono::seconds{r.lock->time}});
  }
  return "?";
}

const char* status_text(InsatsStatus s) {
  return to_string(s);
}

// The counterexample as rapidcheck prints it: one line per entry.
void showValue(const Case& c, std::ostream& os) {
  const auto& w = c.world;
  os << "rules " << kVersions[c.version] << "\n";
  for (const auto& s : w.staff) {
    os << "  staff " << s.id << " of " << s.provider;
    if (s.deactivated_on) os << ", deactivated " << format_date(*s.deactivated_on);
    if (s.last_login) os << ", last login " << format_local(*s.last_login);
    os << "\n";
  }
  for (const auto& cu : w.customers) {
    os << "  customer " << cu.id << " of " << cu.provider << ", tag " << cu.nfc_tags.front();
    if (cu.lock) os << ", lock " << *cu.lock;
    if (cu.cohabitant) os << ", cohabitant " << *cu.cohabitant;
    os << "\n";
  }
  for (const auto& o : w.orders)
    os << "  order " << o.customer << " " << o.insats << " " << o.minutes << " min"
       << (o.double_staffing ? ", double staffing" : "") << "\n";
  for (const auto& [month, day] : w.cutoff_dates)
    os << "  spärrdatum " << month << ": " << format_date(day) << "\n";
  for (const auto& r : c.registrations) {
    if (const auto* v = std::get_if<Visit>(&r)) {
      os << "  visit " << v->id << " " << v->staff << "@" << v->customer << " "
         << format_local(v->start) << " - " << format_local(v->end) << ", start "
         << receipt_text(v->start_receipt) << " (" << place_text(v->start_place) << "), end "
         << receipt_text(v->end_receipt) << " (" << place_text(v->end_place) << "), insatser [";
      for (const auto& p : v->insatser) {
        os << " " << p.insats << "/" << status_text(p.status);
        if (p.minutes) os << "/" << *p.minutes << "min";
      }
      os << " ]";
      if (!v->note.empty()) os << ", note";
      if (v->manual) os << ", manual";
      if (v->declined_after_start) os << ", declined after start";
      if (v->edit)
        os << ", edited " << format_local(v->edit->start) << " - " << format_local(v->edit->end)
           << (v->edit->note.empty() ? " without note" : " with note");
      if (v->shared_group) os << ", shared " << *v->shared_group;
      if (v->notice_at) os << ", notice " << format_local(*v->notice_at) << " " << v->cause;
      os << "\n";
    } else if (const auto* s = std::get_if<SharedInsats>(&r)) {
      os << "  shared insats " << s->id << " " << s->staff << " " << s->insats << " "
         << format_local(s->start) << " - " << format_local(s->end) << " for";
      for (const auto& x : s->customers) os << " " << x;
      os << "\n";
    } else if (const auto* d = std::get_if<DoubleStaffing>(&r)) {
      os << "  double staffing " << d->id << " " << d->staff << "@" << d->customer << " "
         << format_local(d->start) << " - " << format_local(d->end)
         << (d->note.empty() ? "" : ", note") << "\n";
    } else if (const auto* a = std::get_if<ShiftApproval>(&r)) {
      os << "  approval " << a->shift << " at " << format_local(a->approved_at) << "\n";
    }
  }
}

// ------------------------------------------------------------------ generators

template <class T>
T pick(const std::vector<T>& from) {
  return from[static_cast<std::size_t>(*rc::gen::inRange<std::size_t>(0, from.size()))];
}

// True with probability 1/n.
bool one_in(int n) {
  return *rc::gen::inRange(0, n) == 0;
}

// A time in March 2026 (the spring change on the 29th included) or early April, on the
// five minutes between 06:00 and 22:00.
Instant some_time() {
  const int day = *rc::gen::inRange(1, 36);
  const int minute = 6 * 60 + 5 * *rc::gen::inRange(0, 16 * 12);
  return start_of_local_day(
             Date{std::chrono::year{2026}, std::chrono::March, std::chrono::day{1}}) +
         std::chrono::days{day - 1} + std::chrono::minutes{minute};
}

std::vector<std::string> staff_of(const World& w, const std::string& provider) {
  std::vector<std::string> out;
  for (const auto& s : w.staff)
    if (s.provider == provider) out.push_back(s.id);
  return out;
}

const Customer& customer_of(const World& w, const std::string& id) {
  for (const auto& c : w.customers)
    if (c.id == id) return c;
  throw std::logic_error("generated an unknown customer " + id);
}

World some_world(const std::vector<std::string>& catalogue) {
  World w;
  const int providers = *rc::gen::inRange(1, 3);
  std::vector<std::string> provider_ids;
  for (int p = 1; p <= providers; ++p) {
    provider_ids.push_back("p" + std::to_string(p));
    w.providers.push_back({provider_ids.back(), "Utförare " + std::to_string(p)});
  }
  // Every provider has a staff member; some more, and some accounts closed or idle (5.2).
  const int staff = providers + *rc::gen::inRange(0, 3);
  for (int s = 1; s <= staff; ++s) {
    StaffMember m{"s" + std::to_string(s),
                  s <= providers ? provider_ids[s - 1] : pick(provider_ids),
                  "Personal " + std::to_string(s),
                  std::nullopt,
                  std::nullopt,
                  ""};
    if (one_in(10)) m.deactivated_on = local_date(some_time());
    if (one_in(10)) m.last_login = at("2024-06-01T08:00");
    w.staff.push_back(std::move(m));
  }
  const int customers = *rc::gen::inRange(1, 5);
  for (int k = 1; k <= customers; ++k) {
    Customer c;
    c.id = "c" + std::to_string(k);
    c.provider = pick(provider_ids);
    c.name = "Kund " + std::to_string(k);
    c.nfc_tags = {"04:00:00:00:00:00:0" + std::to_string(k)};
    if (one_in(3)) {
      c.lock = "AA:BB:CC:DD:EE:0" + std::to_string(k);
      w.locks.push_back({*c.lock, lock_receipt::to_hex(lock_key()), {c.id}, std::nullopt});
    }
    const int orders = *rc::gen::inRange(0, 4);
    for (int o = 0; o < orders; ++o)
      w.orders.push_back({"o" + std::to_string(w.orders.size() + 1), c.id, pick(catalogue),
                          5 * *rc::gen::inRange(1, 19), one_in(5), std::nullopt, std::nullopt});
    w.customers.push_back(std::move(c));
  }
  // Sometimes the first two are cohabitants (4.5), with one provider.
  if (customers >= 2 && one_in(5)) {
    w.customers[1].provider = w.customers[0].provider;
    w.customers[0].cohabitant = w.customers[1].id;
    w.customers[1].cohabitant = w.customers[0].id;
  }
  if (one_in(2)) w.cutoff_dates["2026-03"] = parse_date("2026-04-07");
  return w;
}

// Lock entries are numbered once each: a replayed entry is judged by arrival order (I-6),
// which a shuffle of the batch would rightly change.
struct LockSeq {
  std::map<std::string, std::uint32_t> next;
  std::uint32_t operator()(const std::string& lock) { return ++next[lock]; }
};

Receipt some_receipt(const Customer& c, const World& w, Instant t, LockSeq& seq) {
  const int kind = *rc::gen::inRange(0, 10);
  if (kind < 5) return {ReceiptKind::Nfc, c.nfc_tags.front(), std::nullopt};
  if (kind < 7 && c.lock) {
    // On time, or off by more than the tolerance.
    const auto skew = std::chrono::minutes{one_in(4) ? 30 : *rc::gen::inRange(-3, 4)};
    return {ReceiptKind::Lock, "", signed_event(*c.lock, seq(*c.lock), t + skew)};
  }
  if (kind < 8) {
    // Somebody else's tag: the cohabitant's, or a stranger's.
    const auto tag = c.cohabitant ? customer_of(w, *c.cohabitant).nfc_tags.front()
                                  : std::string("04:FF:00:00:00:00:09");
    return {ReceiptKind::Nfc, tag, std::nullopt};
  }
  return {};
}

Place some_place() {
  const int p = *rc::gen::inRange(0, 8);
  return p < 6 ? Place::Door : p == 6 ? Place::Outside : Place::Pickup;
}

PerformedInsats some_insats(const std::string& name) {
  PerformedInsats p;
  p.insats = name;
  const int s = *rc::gen::inRange(0, 8);
  p.status = s < 5 ? InsatsStatus::Ordered : s < 7 ? InsatsStatus::Extra : InsatsStatus::Declined;
  // Minutes as the app lets staff state them: any number, also beyond the visit.
  if (one_in(3)) p.minutes = *rc::gen::inRange(-30, 601);
  return p;
}

Visit some_visit(const World& w, const std::vector<std::string>& catalogue, const std::string& id,
                 const Customer& c, const std::string& staff, Instant start, Instant end,
                 LockSeq& seq) {
  Visit v;
  v.id = id;
  v.staff = staff;
  v.customer = c.id;
  v.start = start;
  v.end = end;
  v.start_place = some_place();
  v.end_place = one_in(6) ? Place::Outside : Place::Door;
  v.start_receipt = some_receipt(c, w, start, seq);
  v.end_receipt = some_receipt(c, w, end, seq);
  const int n = one_in(12) ? 0 : *rc::gen::inRange(1, 4);
  for (int k = 0; k < n; ++k) v.insatser.push_back(some_insats(pick(catalogue)));
  if (one_in(2)) v.note = "Anteckning";
  v.manual = one_in(8);
  v.declined_after_start = one_in(10);
  if (one_in(8)) {
    v.edit = TimeEdit{start + std::chrono::minutes{*rc::gen::inRange(-10, 11)},
                      end + std::chrono::minutes{*rc::gen::inRange(0, 21)},
                      one_in(2) ? "Glömde avsluta" : "", std::nullopt};
  }
  for (const auto& p : v.insatser)
    if (p.insats == "Omställningstid" && one_in(2)) {
      v.notice_at = start - std::chrono::hours{*rc::gen::inRange(1, 120)};
      v.cause = "hospital";
    }
  return v;
}

std::string shift_id(const std::string& staff, Instant t) {
  return staff + "/" + format_date(local_date(t));
}

// tidy_groups: each customer of a shared insats has one part, which selects its insats once.
rc::Gen<Case> some_case(bool tidy_groups = false) {
  return rc::gen::exec([tidy_groups] {
    Case c;
    c.version = *rc::gen::inRange(0, 2);
    const auto catalogue = pack(c.version).insats_names();
    c.world = some_world(catalogue);
    const auto& w = c.world;
    LockSeq seq;
    std::set<std::string> shifts;
    std::vector<Registration> visits;
    // A shared insats (4.7): one errand for several customers of one provider, each
    // customer's part a visit of the group.
    if (one_in(2)) {
      const auto& first = pick(w.customers);
      std::vector<std::string> group;
      for (const auto& x : w.customers)
        if (x.provider == first.provider && (x.id == first.id || !one_in(3))) group.push_back(x.id);
      const auto staff = pick(staff_of(w, first.provider));
      const auto start = some_time();
      const auto end = start + std::chrono::minutes{5 * *rc::gen::inRange(1, 25)};
      c.registrations.push_back(SharedInsats{"g1", staff, pick(catalogue), start, end, group, ""});
      const auto& s = std::get<SharedInsats>(c.registrations.back());
      const int parts = tidy_groups ? static_cast<int>(group.size())
                                    : *rc::gen::inRange(1, static_cast<int>(group.size()) + 2);
      for (int k = 1; k <= parts; ++k) {
        const auto& x = customer_of(w, tidy_groups ? group[k - 1] : pick(group));
        const auto part_end = start + std::chrono::minutes{5 * *rc::gen::inRange(0, 30)};
        auto v =
            some_visit(w, catalogue, "g1v" + std::to_string(k), x, staff, start, part_end, seq);
        // Mostly a part that gets as far as 4.7: at the door with the customer's tag, with a
        // note (the group's insats is rarely ordered, 4.4).
        if (!one_in(4)) {
          v.start_receipt = v.end_receipt = {ReceiptKind::Nfc, x.nfc_tags.front(), std::nullopt};
          v.start_place = v.end_place = Place::Door;
          v.note = "Gemensamt inköp";
          v.declined_after_start = false;
          for (auto& p : v.insatser) p.status = InsatsStatus::Ordered;
        }
        if (tidy_groups) {
          std::erase_if(v.insatser, [&](const PerformedInsats& p) { return p.insats == s.insats; });
          if (v.insatser.empty()) v.insatser.push_back(some_insats(s.insats));
        }
        if (!v.insatser.empty()) v.insatser.front().insats = s.insats;
        v.shared_group = "g1";
        shifts.insert(shift_id(staff, start));
        visits.push_back(std::move(v));
      }
    }
    const int n = *rc::gen::inRange(1, 9);
    Instant previous_start{};
    for (int k = 1; k <= n; ++k) {
      const auto& x = pick(w.customers);
      const auto staff = pick(staff_of(w, x.provider));
      // Now and then two visits start at the same minute: which one meets a cap first must
      // not depend on the order they arrived in (I-19).
      const auto start = k > 1 && one_in(4) ? previous_start : some_time();
      previous_start = start;
      const auto end = start + std::chrono::minutes{*rc::gen::inRange(0, 121)};
      visits.push_back(
          some_visit(w, catalogue, "v" + std::to_string(k), x, staff, start, end, seq));
      shifts.insert(shift_id(staff, start));
    }
    for (auto& v : visits) c.registrations.push_back(std::move(v));
    // Double staffing (4.6) at a customer, around one of the visits or anywhere.
    if (one_in(4)) {
      const auto& x = pick(w.customers);
      const auto staff = pick(staff_of(w, x.provider));
      const auto start = some_time();
      const auto end = start + std::chrono::minutes{5 * *rc::gen::inRange(0, 13)};
      c.registrations.push_back(
          DoubleStaffing{"d1", staff, x.id, start, end, one_in(2) ? "Två behövdes" : "", "", ""});
      shifts.insert(shift_id(staff, start));
    }
    // Most shifts approved (3.2), some after the spärrdatum (4.13).
    for (const auto& s : shifts)
      if (!one_in(5))
        c.registrations.push_back(
            ShiftApproval{s, at(one_in(5) ? "2026-04-10T09:00" : "2026-04-01T09:00")});
    return c;
  });
}

// ------------------------------------------------------------------ evaluation

// The case as the backend accepted it (Engine::check, through the in-process backend):
// refused registrations are dropped, as they would be.
struct Accepted {
  const RulePack& pack;
  World world;
  Registrations registrations;
  Decisions evaluate(const Registrations& r) const {
    return backend::Engine(pack).evaluate(world, r);
  }
  Decisions evaluate() const { return evaluate(registrations); }
};

Accepted accept(const Case& c) {
  backend::InProcessBackend b(pack(c.version));
  b.sync_world(c.world);
  for (const auto& r : c.registrations) b.submit(r);
  return {pack(c.version), c.world, b.registrations()};
}

std::map<std::string, const VisitDecision*> by_id(const Decisions& d) {
  std::map<std::string, const VisitDecision*> out;
  for (const auto& v : d.visits) out.emplace(v.id, &v);
  return out;
}

// A permutation of 0..n-1, shrinking towards the identity.
std::vector<std::size_t> some_order(std::size_t n) {
  const auto keys = *rc::gen::container<std::vector<int>>(n, rc::gen::inRange(0, 100));
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return keys[a] < keys[b]; });
  return order;
}

template <class T>
std::vector<T> permuted(const std::vector<T>& v, const std::vector<std::size_t>& order) {
  std::vector<T> out;
  for (const auto i : order) out.push_back(v[i]);
  return out;
}

// Paid minutes per insats name of one visit decision.
std::map<std::string, int> paid_per_insats(const VisitDecision& d) {
  std::map<std::string, int> out;
  for (const auto& i : d.insatser) out[i.insats] += i.paid_minutes;
  return out;
}

std::string text(const std::map<std::string, int>& m) {
  std::string out;
  for (const auto& [k, v] : m) out += (out.empty() ? "" : ", ") + k + " " + std::to_string(v);
  return "{" + out + "}";
}

// ------------------------------------------------------------------ properties

// (a) Nothing is paid beyond the time registered for it: a visit, or one insats of it.
RC_GTEST_PROP(HemtjanstProperties, PaidNeverExceedsRegistered, ()) {
  const auto c = *some_case();
  const auto run = accept(c);
  const auto decisions = run.evaluate();
  for (const auto& d : decisions.visits) {
    if (d.paid_minutes > d.registered_minutes)
      RC_FAIL(d.id + " paid " + std::to_string(d.paid_minutes) + " min of " +
              std::to_string(d.registered_minutes) + " registered");
    for (const auto& i : d.insatser)
      if (i.paid_minutes > i.registered_minutes)
        RC_FAIL(d.id + " " + i.insats + " paid " + std::to_string(i.paid_minutes) + " min of " +
                std::to_string(i.registered_minutes) + " registered");
  }
}

bool cites_pack_clause(const Trace& t, const RulePack& pack) {
  for (const auto& e : t)
    if (pack.clause(e.clause)) return true;
  return false;
}

// (b) Every rejection or reduction rests on a clause of the pack: a visit's in its own trace
// or its insatser's (b1), an insats' in its own (b2).
RC_GTEST_PROP(HemtjanstProperties, EveryCutVisitCitesAClauseOfThePack, ()) {
  const auto c = *some_case();
  const auto run = accept(c);
  const auto decisions = run.evaluate();
  for (const auto& d : decisions.visits) {
    if (d.state == DecisionState::Approved) continue;
    bool cited = cites_pack_clause(d.trace, run.pack);
    for (const auto& i : d.insatser) cited = cited || cites_pack_clause(i.trace, run.pack);
    if (!cited)
      RC_FAIL(d.id + " is " + to_string(d.state) + " without citing a clause of " + run.pack.name +
              "@" + run.pack.version);
  }
}

RC_GTEST_PROP(HemtjanstProperties, EveryCutInsatsCitesAClauseOfThePack, ()) {
  const auto c = *some_case();
  const auto run = accept(c);
  const auto decisions = run.evaluate();
  for (const auto& d : decisions.visits)
    for (const auto& i : d.insatser)
      if (i.state != DecisionState::Approved && !cites_pack_clause(i.trace, run.pack))
        RC_FAIL(d.id + " " + i.insats + " is " + to_string(i.state) +
                " without citing a clause of " + run.pack.name + "@" + run.pack.version);
}

// (c) The same registrations give the same decisions, every time.
RC_GTEST_PROP(HemtjanstProperties, EvaluationIsDeterministic, ()) {
  const auto c = *some_case();
  const auto run = accept(c);
  const auto first = run.evaluate();
  const auto second = run.evaluate();
  RC_ASSERT(first.visits == second.visits);
  RC_ASSERT(first.months == second.months);
}

// (d) The order in which the visits of a batch arrived does not change any decision (each
// lock entry is used once: a replay is judged by arrival order, I-6).
RC_GTEST_PROP(HemtjanstProperties, DecisionsDoNotDependOnRegistrationOrder, ()) {
  const auto c = *some_case();
  const auto run = accept(c);
  auto shuffled = run.registrations;
  shuffled.visits = permuted(shuffled.visits, some_order(shuffled.visits.size()));
  const auto a = run.evaluate();
  const auto b = run.evaluate(shuffled);
  const auto in_b = by_id(b);
  RC_ASSERT(a.visits.size() == b.visits.size());
  for (const auto& d : a.visits) {
    const auto it = in_b.find(d.id);
    if (it == in_b.end()) RC_FAIL("no decision for " + d.id + " after the shuffle");
    if (!(d == *it->second))
      RC_FAIL(d.id + " paid " + std::to_string(d.paid_minutes) + " in arrival order, " +
              std::to_string(it->second->paid_minutes) + " shuffled (or another field differs)");
  }
  RC_ASSERT(a.months == b.months);
}

// (e) The order in which insatser were selected in a visit does not change what each
// insats, or the visit, is paid.
RC_GTEST_PROP(HemtjanstProperties, PaidDoesNotDependOnInsatsOrder, ()) {
  const auto c = *some_case();
  const auto run = accept(c);
  auto permuted_regs = run.registrations;
  for (auto& v : permuted_regs.visits)
    v.insatser = permuted(v.insatser, some_order(v.insatser.size()));
  const auto a = run.evaluate();
  const auto b = run.evaluate(permuted_regs);
  const auto in_b = by_id(b);
  for (const auto& d : a.visits) {
    const auto& e = *in_b.at(d.id);
    if (d.paid_minutes != e.paid_minutes)
      RC_FAIL(d.id + " paid " + std::to_string(d.paid_minutes) + " as selected, " +
              std::to_string(e.paid_minutes) + " with its insatser reordered");
    if (paid_per_insats(d) != paid_per_insats(e))
      RC_FAIL(d.id + " pays " + text(paid_per_insats(d)) + " as selected, " +
              text(paid_per_insats(e)) + " with its insatser reordered");
  }
}

// (f) A shared insats (4.7) pays its customers' parts together no more than its total time.
void shared_insats_never_pays_more_than_its_time(const Case& c) {
  const auto run = accept(c);
  const auto decisions = run.evaluate();
  const auto decided = by_id(decisions);
  for (const auto& s : run.registrations.shared) {
    const long total = minutes_between(s.start, s.end);
    long paid = 0;
    for (const auto& v : run.registrations.visits) {
      if (v.shared_group != s.id) continue;
      for (const auto& i : decided.at(v.id)->insatser)
        if (i.insats == s.insats) paid += i.paid_minutes;
    }
    RC_TAG(paid > 0 ? "a shared insats paid" : "a shared insats paid nothing");
    if (paid > total)
      RC_FAIL("shared insats " + s.id + " (" + s.insats + ", " + std::to_string(total) +
              " min) paid " + std::to_string(paid) + " min over its visits");
  }
}

// Over any registrations, also those the app would not make: check() refuses a second part
// for the same customer, a part for a customer the shared insats does not name, and a part
// selecting it twice (4.7, I-12), so the equal shares can never add up to more than its time.
RC_GTEST_PROP(HemtjanstProperties, SharedInsatsNeverPaysMoreThanItsTime, ()) {
  shared_insats_never_pays_more_than_its_time(*some_case());
}

// (f) over the groups the app makes: one part per customer named, selecting the shared
// insats once. Not a substitute for the property above, which is the rule.
RC_GTEST_PROP(HemtjanstProperties, SharedInsatsWithOnePartPerCustomerNeverPaysMoreThanItsTime, ()) {
  shared_insats_never_pays_more_than_its_time(*some_case(true));
}

}  // namespace
}  // namespace kvittens
