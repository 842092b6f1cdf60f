// The synthetic month: generation (seeded, portable: std::mt19937_64 with our own range
// reduction), playing it through sim/core's phones and office, invariants, summary.
#include "sim/load/month.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <random>
#include <set>
#include <stdexcept>

#include "kvittens/lock_receipt.hpp"
#include "sim/core/office.hpp"
#include "sim/core/phone.hpp"
#include "sim/core/synthetic_hardware.hpp"
#include "sim/core/virtual_clock.hpp"

namespace kvittens::sim::load {
namespace {

using std::chrono::minutes;

// std::uniform_int_distribution differs between standard libraries; this does not.
struct Rng {
  std::mt19937_64 g;
  explicit Rng(std::uint64_t seed) : g(seed) {}
  int below(int n) { return n <= 1 ? 0 : static_cast<int>(g() % static_cast<std::uint64_t>(n)); }
  int between(int lo, int hi) { return lo + below(hi - lo + 1); }
  bool permille(int p) { return below(1000) < p; }
};

std::string numbered(const char* prefix, std::size_t n) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%s%05zu", prefix, n);
  return buf;
}

std::string tag_uid(int part, std::size_t n) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "04:5A:%02X:%02X:%02X:%02X:80", part,
                static_cast<int>(n >> 16) & 0xff, static_cast<int>(n >> 8) & 0xff,
                static_cast<int>(n) & 0xff);
  return buf;
}

std::string lock_address(int part, std::size_t n) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "C0:FF:%02X:%02X:%02X:%02X", part,
                static_cast<int>(n >> 16) & 0xff, static_cast<int>(n >> 8) & 0xff,
                static_cast<int>(n) & 0xff);
  return buf;
}

std::string key_hex(const std::string& lock, std::uint64_t seed) {
  std::string out;
  char buf[20];
  for (int i = 0; i < 4; ++i) {
    std::snprintf(
        buf, sizeof buf, "%016llx",
        static_cast<unsigned long long>(stable_hash(lock + "#" + std::to_string(i), seed)));
    out += buf;
  }
  return out;
}

Instant at_local(Date day, int hour, int minute) {
  return start_of_local_day(day) + std::chrono::hours{hour} + minutes{minute};
}

Date add_days(Date d, int n) {
  return Date{std::chrono::sys_days{d} + std::chrono::days{n}};
}

// Notes as staff write them; their wording does not matter to the rules, only their presence.
constexpr const char* kLongerNote = "Kunden mådde dåligt, tog längre tid";
constexpr const char* kNoReceiptNote = "Mobilen kunde inte läsa märket";
constexpr const char* kCohabitantNote = "Besök hos makan samtidigt, kvittens hos maken";
constexpr const char* kSharedNote = "Gemensamt inköp för flera kunder";
constexpr const char* kExtraNote = "Kunden bad om extra hjälp";
constexpr const char* kEditNote = "Glömde avsluta besöket i appen";
constexpr const char* kOutsideNote = "Promenad och inköp med kunden";
constexpr const char* kManualNote = "Efterregistrerat: mobilen var urladdad";

// Staff availability within one provider: the next free minute of each staff member.
struct Roster {
  std::vector<std::string> staff;
  std::vector<Instant> free;
  // The staff member free earliest (the lowest index on ties), and when.
  std::size_t earliest(std::size_t except = SIZE_MAX) const {
    std::size_t best = SIZE_MAX;
    for (std::size_t i = 0; i < staff.size(); ++i) {
      if (i == except) continue;
      if (best == SIZE_MAX || free[i] < free[best]) best = i;
    }
    return best;
  }
};

// Builds one part's registrations and events.
class Builder {
 public:
  Builder(Part& part, Rng& rng, int code) : p_(part), rng_(rng), code_(code) {}

  std::size_t add_visit(PlannedVisit pv) {
    const auto i = p_.visits.size();
    p_.events.push_back({pv.visit.start, Event::Kind::VisitStart, i});
    p_.events.push_back({pv.visit.end, Event::Kind::VisitEnd, i});
    shifts_.insert({pv.visit.staff, local_date(pv.visit.start)});
    p_.visits.push_back(std::move(pv));
    return i;
  }
  void add_other(Instant at, Registration r, const std::string& by, Event::Kind kind) {
    if (const auto* v = std::get_if<Visit>(&r)) shifts_.insert({v->staff, local_date(v->start)});
    if (const auto* d = std::get_if<DoubleStaffing>(&r))
      shifts_.insert({d->staff, local_date(d->start)});
    p_.events.push_back({at, kind, p_.others.size()});
    p_.others.push_back(std::move(r));
    p_.others_by.push_back(by);
  }
  std::string next_id(const char* kind) { return numbered(kind, ++ids_[kind]); }
  int code() const { return code_; }
  const std::set<std::pair<std::string, Date>>& shifts() const { return shifts_; }

 private:
  Part& p_;
  Rng& rng_;
  int code_;
  std::map<std::string, std::size_t> ids_;
  std::set<std::pair<std::string, Date>> shifts_;
};

// The world's orders by customer and insats: the month asks once per customer, round and
// day (a scan of every order made generating a 1000-customer month quadratic).
class OrderIndex {
 public:
  explicit OrderIndex(const std::vector<Order>& orders) {
    for (const auto& o : orders) {
      by_key_.emplace(std::make_pair(o.customer, o.insats), &o);
      if (o.double_staffing) doubled_.emplace(o.customer, o.insats);
    }
  }
  // Whether any order for the customer's insats asks for double staffing.
  bool doubled(const std::string& customer, const std::string& insats) const {
    return doubled_.count(std::make_pair(customer, insats)) > 0;
  }
  const Order* find(const std::string& customer, const std::string& insats) const {
    const auto it = by_key_.find(std::make_pair(customer, insats));
    return it == by_key_.end() ? nullptr : it->second;
  }

 private:
  std::map<std::pair<std::string, std::string>, const Order*> by_key_;  // first order wins
  std::set<std::pair<std::string, std::string>> doubled_;
};

struct Job {
  std::size_t customer;  // index into world.customers
  std::string insats;
  int ordered = 0;
};

// A customer's visit plan for one round of one day.
void hemtjanst_month(Part& part, Rng& rng, const Options& o, Builder& b,
                     std::map<std::string, Roster>& rosters,
                     const std::vector<int>& manual_permille) {
  const Date first = parse_date(o.first_day);
  auto& w = part.world;
  // Who is away (hospital) on which days: an absence registration replaces the visits.
  std::map<std::string, std::pair<Date, Date>> away;
  for (const auto& c : w.customers) {
    if (!rng.permille(40) || o.days < 3) continue;
    const int from = rng.below(o.days - 2), len = rng.between(2, 6);
    const Date start = add_days(first, from), end = add_days(start, len);
    away[c.id] = {start, end};
    Absence a{b.next_id("ab"),     c.id,      at_local(start, 6, 30), at_local(start, 7, 0),
              at_local(end, 7, 0), "hospital"};
    b.add_other(a.notified_at, a, "office", Event::Kind::Office);
  }
  std::map<std::string, std::size_t> index;
  for (std::size_t i = 0; i < w.customers.size(); ++i) index[w.customers[i].id] = i;
  const OrderIndex orders(w.orders);

  for (int day = 0; day < o.days; ++day) {
    const Date date = add_days(first, day);
    const int weekday =
        static_cast<int>(std::chrono::weekday{std::chrono::sys_days{date}}.c_encoding());
    struct Round {
      int hour;
      std::vector<std::string> insatser;
    };
    const std::vector<Round> rounds = {
        {7, {"Morgon", "Dusch"}}, {11, {"Lunch", "Städning", "Inköp"}}, {17, {"Kväll", "Tillsyn"}}};
    for (const auto& round : rounds) {
      // Shared shopping on Thursdays: Inköp customers of one provider two or three at a time.
      std::map<std::string, std::vector<std::size_t>> shoppers;  // provider -> customers
      std::vector<Job> jobs;
      for (std::size_t ci = 0; ci < w.customers.size(); ++ci) {
        const auto& c = w.customers[ci];
        if (auto a = away.find(c.id);
            a != away.end() && date >= a->second.first && date < a->second.second)
          continue;
        for (const auto& insats : round.insatser) {
          const Order* ord = orders.find(c.id, insats);
          if (!ord) continue;
          // Weekly and fortnightly insatser fall on the customer's own weekday.
          const int own_day = static_cast<int>(ci % 7);
          if (insats == "Dusch" && weekday != own_day) continue;
          if (insats == "Städning" && (weekday != own_day || (day / 7) % 2 != 0)) continue;
          if (insats == "Inköp" && weekday != 4) continue;
          if (insats == "Inköp") {
            shoppers[c.provider].push_back(ci);
            continue;
          }
          jobs.push_back({ci, insats, ord->minutes});
        }
      }
      std::map<std::string, std::map<std::size_t, std::size_t>>
          done;  // provider -> customer -> visit
      for (const auto& job : jobs) {
        const auto& c = w.customers[job.customer];
        auto& roster = rosters[c.provider];
        // Not let in (4.8) or not at home (4.9): nothing is registered.
        if (rng.permille(15)) continue;
        PlannedVisit pv;
        Visit& v = pv.visit;
        v.id = b.next_id("hv");
        v.customer = c.id;
        int length = std::max(5, job.ordered + rng.between(-5, 3));
        const bool longer = rng.permille(80);
        if (longer) length = job.ordered + rng.between(8, 20);
        // The cohabitant partner seen in the same round: same staff, inside the partner's visit.
        if (c.cohabitant && done[c.provider].count(index[*c.cohabitant]) &&
            !done[c.provider].count(job.customer)) {
          const auto& partner = part.visits[done[c.provider][index[*c.cohabitant]]].visit;
          v.staff = partner.staff;
          v.start = partner.start + minutes{5};
          v.end = std::max(v.start + minutes{5}, partner.end - minutes{5});
          v.insatser.push_back({job.insats, InsatsStatus::Ordered, std::nullopt});
          if (rng.permille(900)) v.note = kCohabitantNote;
          pv.start_receipt = pv.end_receipt = ReceiptKind::None;
          done[c.provider][job.customer] = b.add_visit(std::move(pv));
          continue;
        }
        std::size_t s = roster.earliest();
        Instant start = std::max(roster.free[s], at_local(date, round.hour, 0));
        // Double staffing ordered: a second staff member joins for the whole visit.
        const bool doubled = orders.doubled(c.id, job.insats);
        std::size_t helper = SIZE_MAX;
        if (doubled && roster.staff.size() > 1) {
          helper = roster.earliest(s);
          start = std::max(start, roster.free[helper]);
        }
        v.staff = roster.staff[s];
        v.start = start;
        v.end = start + minutes{length};
        roster.free[s] = v.end + minutes{10};
        v.insatser.push_back({job.insats, InsatsStatus::Ordered, std::nullopt});
        if (longer && rng.permille(500)) v.note = kLongerNote;
        // Receipts: the door's lock or the customer's tag; now and then none.
        const ReceiptKind kind = c.lock ? ReceiptKind::Lock : ReceiptKind::Nfc;
        pv.start_receipt = pv.end_receipt = kind;
        pv.tag_owner = c.id;
        const int provider_no = std::stoi(c.provider.substr(1)) - 1;
        if (rng.permille(manual_permille[static_cast<std::size_t>(provider_no)] / 2)) {
          (rng.permille(500) ? pv.start_receipt : pv.end_receipt) = ReceiptKind::None;
          if (rng.permille(700))
            v.note += (v.note.empty() ? "" : "\n") + std::string(kNoReceiptNote);
        }
        // Extra insats, with or without a note; an insats the customer declined (4.8).
        if (rng.permille(30)) {
          v.insatser.push_back({"Tvätt", InsatsStatus::Extra, std::nullopt});
          if (rng.permille(500)) v.note += (v.note.empty() ? "" : "\n") + std::string(kExtraNote);
        } else if (rng.permille(10)) {
          v.insatser.front().status = InsatsStatus::Declined;
        }
        if (rng.permille(10)) v.declined_after_start = true;
        if (rng.permille(20)) {
          v.edit = TimeEdit{v.start, v.end + minutes{rng.between(5, 15)},
                            rng.permille(600) ? kEditNote : "", std::nullopt};
        }
        if (helper != SIZE_MAX) {
          roster.free[helper] = v.end + minutes{10};
          DoubleStaffing d{b.next_id("ds"),
                           roster.staff[helper],
                           c.id,
                           v.start,
                           v.end,
                           "",
                           roster.staff[helper] + "/" + format_date(local_date(v.start)),
                           ""};
          // Now and then the helper stays on after the primary insats ended (paid within it).
          if (rng.permille(200)) d.end = d.end + minutes{10}, roster.free[helper] += minutes{10};
          b.add_other(d.end, d, d.staff, Event::Kind::PhoneRegistration);
        }
        // Registered after the fact in Phoniro Care (4.14) instead of with the phone.
        if (rng.permille(manual_permille[static_cast<std::size_t>(provider_no)] / 2)) {
          v.manual = true;
          v.note = kManualNote;
          v.edit.reset();
          v.declined_after_start = false;
          v.shift = v.staff + "/" + format_date(local_date(v.start));
          b.add_other(at_local(date, 21, 0), v, "office", Event::Kind::Office);
          continue;
        }
        done[c.provider][job.customer] = b.add_visit(std::move(pv));
      }
      // Shared shopping: groups of two or three customers, one staff member, one errand.
      for (auto& [provider, list] : shoppers) {
        auto& roster = rosters[provider];
        for (std::size_t k = 0; k < list.size();) {
          const std::size_t n =
              list.size() - k >= 2
                  ? std::min<std::size_t>(list.size() - k == 4 ? 2 : 3, list.size() - k)
                  : 1;
          const std::size_t s = roster.earliest();
          const Instant start = std::max(roster.free[s], at_local(date, round.hour, 0));
          const int total = 20 * static_cast<int>(n) + 15;
          std::string group;
          if (n > 1) {
            SharedInsats sh{
                b.next_id("sh"), roster.staff[s], "Inköp", start, start + minutes{total}, {}, ""};
            for (std::size_t j = 0; j < n; ++j) sh.customers.push_back(w.customers[list[k + j]].id);
            group = sh.id;
            b.add_other(start - minutes{1}, sh, sh.staff, Event::Kind::PhoneRegistration);
          }
          for (std::size_t j = 0; j < n; ++j) {
            const auto& c = w.customers[list[k + j]];
            PlannedVisit pv;
            Visit& v = pv.visit;
            v.id = b.next_id("hv");
            v.staff = roster.staff[s];
            v.customer = c.id;
            v.start = start;
            v.end = start + minutes{total - 10 * static_cast<int>(n - 1 - j)};
            v.start_place = Place::Outside;
            v.insatser.push_back({"Inköp", InsatsStatus::Ordered, std::nullopt});
            v.note = kSharedNote;
            if (n > 1) v.shared_group = group;
            pv.start_receipt = ReceiptKind::None;
            pv.end_receipt = c.lock ? ReceiptKind::Lock : ReceiptKind::Nfc;
            pv.tag_owner = c.id;
            if (n == 1) v.end = start + minutes{35};
            b.add_visit(std::move(pv));
          }
          roster.free[s] = start + minutes{total + 10};
          k += n;
        }
      }
    }
    // Now and then a double staffing is registered where no primary insats exists (4.6).
    for (const auto& o2 : w.orders) {
      if (!o2.double_staffing || !rng.permille(30)) continue;
      const auto& c = w.customers[index[o2.customer]];
      auto& roster = rosters[c.provider];
      const std::size_t s = roster.earliest();
      const Instant start = std::max(roster.free[s], at_local(date, 20, 0));
      DoubleStaffing d{b.next_id("ds"),
                       roster.staff[s],
                       c.id,
                       start,
                       start + minutes{20},
                       "",
                       roster.staff[s] + "/" + format_date(local_date(start)),
                       ""};
      roster.free[s] = d.end + minutes{10};
      b.add_other(d.end, d, d.staff, Event::Kind::PhoneRegistration);
    }
  }
}

void boendestod_month(Part& part, Rng& rng, const Options& o, Builder& b, Roster& roster) {
  const Date first = parse_date(o.first_day);
  auto& w = part.world;
  std::map<std::string, std::pair<Date, Date>> away;
  for (const auto& c : w.customers) {
    if (!rng.permille(60) || o.days < 3) continue;
    const int from = rng.below(o.days - 2), len = rng.between(2, 9);
    const Date start = add_days(first, from), end = add_days(start, len);
    away[c.id] = {start, end};
    const bool planned = rng.permille(400);
    const Instant begins = at_local(start, 8, 0);
    Absence a{b.next_id("ab"),
              c.id,
              begins - std::chrono::hours{planned ? 72 : 2},
              begins,
              rng.permille(800) ? std::optional<Instant>{at_local(end, 8, 0)} : std::nullopt,
              planned ? "away" : "hospital"};
    b.add_other(a.notified_at, a, "office", Event::Kind::Office);
  }
  for (int day = 0; day < o.days; ++day) {
    const Date date = add_days(first, day);
    for (std::size_t ci = 0; ci < w.customers.size(); ++ci) {
      const auto& c = w.customers[ci];
      if ((day + static_cast<int>(ci)) % 7 % 2 != 0) continue;  // about every other day
      if (auto a = away.find(c.id);
          a != away.end() && date >= a->second.first && date < a->second.second)
        continue;
      const std::size_t s = roster.earliest();
      const Instant start = std::max(roster.free[s], at_local(date, 9, 0));
      const int length = 15 * rng.between(3, 6);
      if (rng.permille(50)) {  // declined: at the door, a day before, or days before (B4, B7)
        const int hours_before =
            std::array<int, 3>{0, 24, 72}[static_cast<std::size_t>(rng.below(3))];
        DeclinedVisit d{b.next_id("dv"),
                        roster.staff[s],
                        c.id,
                        start,
                        start + minutes{length},
                        start - std::chrono::hours{hours_before},
                        rng.permille(900) ? "Brukaren avböjde" : "",
                        roster.staff[s] + "/" + format_date(date),
                        ""};
        if (hours_before == 0) roster.free[s] = start + minutes{10};
        b.add_other(d.declined_at, d, "office", Event::Kind::Office);
        continue;
      }
      PlannedVisit pv;
      Visit& v = pv.visit;
      v.id = b.next_id("bv");
      v.staff = roster.staff[s];
      v.customer = c.id;
      v.start = start;
      v.end = start + minutes{length};
      v.insatser.push_back({"Boendestöd", InsatsStatus::Ordered, std::nullopt});
      roster.free[s] = v.end + minutes{15};
      pv.tag_owner = c.id;
      pv.start_receipt = pv.end_receipt = c.nfc_exemption ? ReceiptKind::None : ReceiptKind::Nfc;
      if (rng.permille(60)) {  // outside the home (B2): no receipts, a comment (mostly)
        v.start_place = v.end_place = Place::Outside;
        pv.start_receipt = pv.end_receipt = ReceiptKind::None;
        if (rng.permille(750)) v.note = kOutsideNote;
      }
      if (rng.permille(15)) v.declined_after_start = true;
      if (rng.permille(20))
        v.edit = TimeEdit{v.start, v.end + minutes{10}, rng.permille(600) ? kEditNote : "",
                          std::nullopt};
      b.add_visit(std::move(pv));
    }
  }
}

void approvals(Builder& b, const Options& o, Rng& rng) {
  const Date last = add_days(parse_date(o.first_day), o.days - 1);
  (void)last;
  for (const auto& [staff, day] : b.shifts()) {
    if (rng.permille(5)) continue;  // never approved (3.2)
    const auto month = std::chrono::year_month{day.year(), day.month()} + std::chrono::months{1};
    Instant when = at_local(add_days(day, 1), 9, 0);
    // Late: after the spärrdatum (the 5th of the next month).
    if (rng.permille(20))
      when = at_local(Date{month.year(), month.month(), std::chrono::day{7}}, 9, 0);
    b.add_other(when, ShiftApproval{staff + "/" + format_date(day), when}, "office",
                Event::Kind::Office);
  }
}

}  // namespace

std::size_t Month::registrations() const {
  std::size_t n = 0;
  for (const auto& p : parts) n += p.visits.size() + p.others.size();
  return n;
}

void validate(const Options& o) {
  auto bad = [](const std::string& what) { throw std::invalid_argument(what); };
  if (o.customers < 1 || o.customers > 1'000'000) bad("--customers must be 1..1000000");
  if (o.staff < 1 || o.staff > 100'000) bad("--staff must be 1..100000");
  if (o.days < 1 || o.days > 62) bad("--days must be 1..62");
  if (o.providers < 1) bad("--providers must be at least 1");
  if (o.providers > o.staff)
    bad("--providers (" + std::to_string(o.providers) + ") must not exceed --staff (" +
        std::to_string(o.staff) + ")");
  if (o.providers > o.customers)
    bad("--providers (" + std::to_string(o.providers) + ") must not exceed --customers (" +
        std::to_string(o.customers) + ")");
  try {
    parse_date(o.first_day);
  } catch (const std::exception& e) {
    bad(std::string("--from: ") + e.what());
  }
}

Month generate(const Options& o) {
  validate(o);
  Rng rng(o.seed);
  Month m;
  m.options = o;
  const Date first = parse_date(o.first_day);
  // Boendestöd: about one customer in eight, served by provider p1's boendestöd team.
  int bcust = o.customers >= 8 ? o.customers / 8 : 0;
  int bstaff = bcust > 0 ? std::max(1, o.staff / 8) : 0;
  if (o.staff - bstaff < o.providers || o.customers - bcust < o.providers) bcust = bstaff = 0;
  const int hcust = o.customers - bcust, hstaff = o.staff - bstaff;

  std::vector<Provider> providers;
  for (int i = 0; i < o.providers; ++i)
    providers.push_back({"p" + std::to_string(i + 1), "Omsorg " + std::to_string(i + 1)});
  std::map<std::string, Date> cutoffs;
  for (int d = 0; d < o.days; ++d) {
    const Date day = add_days(first, d);
    const auto next = std::chrono::year_month{day.year(), day.month()} + std::chrono::months{1};
    cutoffs[format_month({day.year(), day.month()})] =
        Date{next.year(), next.month(), std::chrono::day{5}};
  }
  // Manual registrations per provider, around the 10 % line (4.14): odd providers above it.
  std::vector<int> manual_permille;
  for (int i = 0; i < o.providers; ++i) manual_permille.push_back(i % 2 == 0 ? 100 : 140);

  {
    Part part;
    part.rules = o.hemtjanst_rules;
    part.service = ServiceType::Hemtjanst;
    auto& w = part.world;
    w.providers = providers;
    w.cutoff_dates = cutoffs;
    for (int i = 0; i < hcust; ++i) {
      Customer c;
      c.id = numbered("hc", static_cast<std::size_t>(i + 1));
      c.provider = providers[static_cast<std::size_t>(i % o.providers)].id;
      c.name = "Kund " + std::to_string(i + 1);
      c.nfc_tags.push_back(tag_uid(1, static_cast<std::size_t>(i)));
      w.customers.push_back(c);
    }
    // Cohabiting couples: a customer and the next one of the same provider, one in ten.
    for (int i = 0; i + o.providers < hcust; ++i) {
      auto& a = w.customers[static_cast<std::size_t>(i)];
      auto& c = w.customers[static_cast<std::size_t>(i + o.providers)];
      if (a.cohabitant || c.cohabitant || !rng.permille(100)) continue;
      a.cohabitant = c.id;
      c.cohabitant = a.id;
    }
    for (std::size_t i = 0; i < w.customers.size(); ++i) {
      auto& c = w.customers[i];
      if (!c.cohabitant && rng.permille(200)) {
        LockRecord l{lock_address(1, i), "", {c.id}, std::nullopt};
        l.key_hex = key_hex(l.id, o.seed);
        c.lock = l.id;
        w.locks.push_back(l);
      }
      auto order = [&](const char* insats, int minutes, int permille, bool doubled = false) {
        if (!rng.permille(permille)) return false;
        w.orders.push_back(
            {numbered("o", w.orders.size() + 1), c.id, insats, minutes, doubled, {}, {}});
        return true;
      };
      const bool doubled = rng.permille(50);
      bool any = order("Morgon", 30, doubled ? 1000 : 800, doubled);
      any |= order("Lunch", 20, 400);
      any |= order("Kväll", 25, 600);
      any |= order("Dusch", 40, 300);
      any |= order("Städning", 60, 300);
      any |= order("Inköp", 30, 300);
      if (!any) order("Tillsyn", 10, 1000);
    }
    std::map<std::string, Roster> rosters;
    for (int i = 0; i < hstaff; ++i) {
      const auto& p = providers[static_cast<std::size_t>(i % o.providers)].id;
      StaffMember s{numbered("hs", static_cast<std::size_t>(i + 1)),
                    p,
                    "Personal " + std::to_string(i + 1),
                    {},
                    {},
                    ""};
      // One account a month is deactivated part-way (5.2).
      if (i == hstaff - 1 && hstaff > o.providers && o.days > 10)
        s.deactivated_on = add_days(first, o.days - 5);
      w.staff.push_back(s);
      rosters[p].staff.push_back(s.id);
      rosters[p].free.push_back(Instant{});
    }
    part.doors = default_doors(w);
    Builder b(part, rng, 1);
    hemtjanst_month(part, rng, o, b, rosters, manual_permille);
    approvals(b, o, rng);
    m.parts.push_back(std::move(part));
  }
  if (bcust > 0) {
    Part part;
    part.rules = o.boendestod_rules;
    part.service = ServiceType::Boendestod;
    auto& w = part.world;
    w.providers = {providers.front()};
    w.cutoff_dates = cutoffs;
    for (int i = 0; i < bcust; ++i) {
      Customer c;
      c.id = numbered("bc", static_cast<std::size_t>(i + 1));
      c.provider = providers.front().id;
      c.name = "Brukare " + std::to_string(i + 1);
      c.service = ServiceType::Boendestod;
      c.granted_weekly_hours = rng.between(2, 6);
      c.nfc_exemption = rng.permille(150);
      c.nfc_tags.push_back(tag_uid(2, static_cast<std::size_t>(i)));
      w.customers.push_back(c);
    }
    Roster roster;
    for (int i = 0; i < bstaff; ++i) {
      StaffMember s{numbered("bs", static_cast<std::size_t>(i + 1)),
                    providers.front().id,
                    "Boendestödjare " + std::to_string(i + 1),
                    {},
                    {},
                    ""};
      w.staff.push_back(s);
      roster.staff.push_back(s.id);
      roster.free.push_back(Instant{});
    }
    part.doors = default_doors(w);
    Builder b(part, rng, 2);
    boendestod_month(part, rng, o, b, roster);
    m.parts.push_back(std::move(part));
  }
  for (auto& part : m.parts)
    std::stable_sort(part.events.begin(), part.events.end(),
                     [](const Event& a, const Event& b) { return a.at < b.at; });
  return m;
}

namespace {

// Plays one part through its phones and the office, as the scenario runner plays steps.
class Player {
 public:
  Player(const Part& part, BackendClient& backend, Hardware& hw, VirtualClock& clock,
         ActivityLog& log)
      : part_(part),
        backend_(backend),
        hw_(hw),
        clock_(clock),
        log_(log),
        office_(clock, backend, log) {
    for (std::size_t i = 0; i < part.world.staff.size(); ++i) {
      const auto& s = part.world.staff[i];
      auto& ring = keyrings_[s.id];
      for (const auto& l : part.world.locks) {
        LockCredential c;
        c.lock_id = l.id;
        c.key_id = static_cast<std::uint16_t>(i + 1);
        c.key = lock_receipt::from_hex(l.key_hex).value_or(std::vector<std::uint8_t>{});
        ring.push_back(c);
      }
    }
    for (const auto& c : part.world.customers) {
      provider_of_[c.id] = c.provider;
      if (c.lock) lock_of_[c.id] = *c.lock;
      tag_of_[c.id] = c.nfc_tags.empty() ? "" : c.nfc_tags.front();
    }
    for (const auto& o : part.world.orders) orders_[provider_of_[o.customer]].push_back(o);
    for (const auto& s : part.world.staff) staff_provider_[s.id] = s.provider;
  }

  void play(const Event& e) {
    clock_.set(e.at);
    hw_.tick();
    switch (e.kind) {
      case Event::Kind::VisitStart: {
        const auto& pv = part_.visits[e.index];
        const auto& v = pv.visit;
        auto& ph = phone(v.staff);
        receipt(ph, v.staff, pv.start_receipt, pv.tag_owner);
        ph.start_visit(v.id, v.customer, v.start_place);
        if (v.shared_group) ph.join_shared(v.id, *v.shared_group);
        for (const auto& i : v.insatser)
          ph.select_insats(
              v.id, i.insats,
              i.status == InsatsStatus::Ordered ? std::nullopt : std::optional{i.status},
              i.minutes);
        if (!v.note.empty()) ph.note(v.id, v.note);
        if (v.declined_after_start) ph.declined_after_start(v.id);
        break;
      }
      case Event::Kind::VisitEnd: {
        const auto& pv = part_.visits[e.index];
        const auto& v = pv.visit;
        auto& ph = phone(v.staff);
        receipt(ph, v.staff, pv.end_receipt, pv.tag_owner);
        ph.end_visit(v.id, v.end_place);
        ph.send(v.id);
        // The edit follows as a registration of its own, made as the visit ends (4.12).
        if (v.edit) ph.edit_times(v.id, v.edit->start, v.edit->end, v.edit->note);
        break;
      }
      case Event::Kind::Office:
        office_.submit(part_.others[e.index]);
        break;
      case Event::Kind::PhoneRegistration:
        phone(part_.others_by[e.index]).send(part_.others[e.index]);
        break;
    }
  }

 private:
  Phone& phone(const std::string& staff) {
    auto& p = phones_[staff];
    if (!p) {
      Hardware* hw = &hw_;
      p = std::make_unique<Phone>(
          staff, clock_, hw_.reader(staff),
          [hw, staff](const std::string& id) -> Lock& { return hw->lock(staff, id); },
          keyrings_[staff], orders_[staff_provider_[staff]], backend_, log_);
    }
    return *p;
  }

  void receipt(Phone& ph, const std::string& staff, ReceiptKind kind, const std::string& owner) {
    switch (kind) {
      case ReceiptKind::Nfc:
        hw_.present_tag(staff, {tag_of_[owner], owner});
        ph.read_tag();
        hw_.remove_tag(staff);
        break;
      case ReceiptKind::Lock:
        ph.unlock(lock_of_[owner]);
        break;
      case ReceiptKind::None:
        ph.drop_receipt();
        break;
    }
  }

  const Part& part_;
  BackendClient& backend_;
  Hardware& hw_;
  VirtualClock& clock_;
  ActivityLog& log_;
  Office office_;
  std::map<std::string, std::vector<LockCredential>> keyrings_;
  std::map<std::string, std::unique_ptr<Phone>> phones_;
  std::map<std::string, std::string> provider_of_, lock_of_, tag_of_, staff_provider_;
  std::map<std::string, std::vector<Order>> orders_;
};

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

std::vector<PartResult> drive(const Month& month, const BackendFactory& backend_factory,
                              const HardwareFactory& hardware, const Progress& progress) {
  std::vector<PartResult> out;
  const std::size_t total = month.registrations();
  std::size_t done = 0;
  for (const auto& part : month.parts) {
    PartResult r;
    auto backend = backend_factory(part.rules);
    backend->sync_world(part.world);
    VirtualClock clock(part.events.empty() ? Instant{} : part.events.front().at);
    auto hw = hardware(part.world, part.doors, clock, stable_hash(part.rules, month.options.seed));
    Player player(part, *backend, *hw, clock, r.log);
    const auto t0 = std::chrono::steady_clock::now();
    for (const auto& e : part.events) {
      player.play(e);
      if (e.kind != Event::Kind::VisitStart) ++done;
      if (progress && done % 256 == 0) progress(done, total);
    }
    r.submit_seconds = seconds_since(t0);
    const auto t1 = std::chrono::steady_clock::now();
    r.decisions = backend->decisions();
    r.decide_seconds = seconds_since(t1);
    out.push_back(std::move(r));
  }
  if (progress) progress(total, total);
  return out;
}

std::vector<Violation> check_invariants(const Part& part, const Decisions& decisions) {
  std::vector<Violation> out;
  std::map<std::string, const Visit*> visits;
  for (const auto& pv : part.visits) visits[pv.visit.id] = &pv.visit;
  std::map<std::string, const SharedInsats*> shared;
  for (const auto& r : part.others) {
    if (const auto* v = std::get_if<Visit>(&r)) visits[v->id] = v;
    if (const auto* s = std::get_if<SharedInsats>(&r)) shared[s->id] = s;
  }
  std::map<std::string, std::vector<const Order*>> orders;
  for (const auto& o : part.world.orders) orders[o.customer].push_back(&o);
  std::map<std::string, long> shared_paid;

  for (const auto& d : decisions.visits) {
    if (d.kind != "visit") continue;
    const auto it = visits.find(d.id);
    if (it == visits.end()) continue;
    const Visit& v = *it->second;
    if (v.shared_group) shared_paid[*v.shared_group] += d.paid_minutes;
    if (part.service != ServiceType::Hemtjanst || !v.note.empty()) continue;
    for (const auto& i : d.insatser) {
      for (const auto* o : orders[v.customer]) {
        if (o->insats != i.insats) continue;
        if (i.paid_minutes > o->minutes)
          out.push_back({"ordered-time", d.id,
                         i.insats + " paid " + std::to_string(i.paid_minutes) + " min against " +
                             std::to_string(o->minutes) + " ordered, and the visit has no note"});
      }
    }
  }
  for (const auto& ds : decisions.visits) {
    if (ds.kind != "double_staffing" || ds.paid_minutes <= 0) continue;
    long best = 0;
    for (const auto& v : decisions.visits) {
      if (v.kind != "visit" || v.customer != ds.customer || v.staff == ds.staff ||
          v.paid_minutes <= 0)
        continue;
      const auto from = std::max(v.start, ds.start), to = std::min(v.end, ds.end);
      if (to > from) best = std::max(best, minutes_between(from, to));
    }
    if (best == 0)
      out.push_back({"double-staffing", ds.id,
                     "paid " + std::to_string(ds.paid_minutes) +
                         " min without a paid insats by another staff member in its window"});
    else if (ds.paid_minutes > best)
      out.push_back({"double-staffing", ds.id,
                     "paid " + std::to_string(ds.paid_minutes) +
                         " min, the primary insats covers " + std::to_string(best)});
  }
  for (const auto& [id, paid] : shared_paid) {
    const auto s = shared.find(id);
    if (s == shared.end()) continue;
    const long total = minutes_between(s->second->start, s->second->end);
    if (paid > total)
      out.push_back({"shared-total", id,
                     "its visits are paid " + std::to_string(paid) +
                         " min together, the shared insats took " + std::to_string(total)});
  }
  return out;
}

std::string last_rejecting_clause(const VisitDecision& d) {
  for (const auto& i : d.insatser)
    if (i.state == DecisionState::Rejected && !i.trace.empty())
      return std::string(i.trace.back().clause);
  return d.trace.empty() ? "" : std::string(d.trace.back().clause);
}

Summary summarize(const Month& month, const std::vector<PartResult>& results) {
  Summary s;
  std::map<std::string, ProviderSummary> providers;
  for (const auto& part : month.parts)
    for (const auto& p : part.world.providers) providers[p.id] = {p.id, p.name};
  std::map<std::string, int> rejected, refused;
  for (const auto& r : results) {
    for (const auto& sub : r.log.submissions) {
      if (!sub.delivered) continue;
      ++s.registrations;
      if (!sub.result.accepted) {
        ++s.refused;
        ++refused[sub.result.clause];
      }
    }
    for (const auto& d : r.decisions.visits) {
      ++s.decisions;
      auto& p = providers[d.provider];
      ++p.decisions;
      p.paid_minutes += d.paid_minutes;
      if (d.state == DecisionState::Rejected) ++rejected[last_rejecting_clause(d)];
    }
    for (const auto& m : r.decisions.months) {
      auto& p = providers[m.provider];
      p.visits += m.visits;
      p.manual_visits += m.manual_visits;
      p.manual_share_exceeded = p.manual_share_exceeded || m.manual_share_exceeded;
    }
  }
  for (auto& [id, p] : providers) s.providers.push_back(p);
  auto sorted = [](const std::map<std::string, int>& m) {
    std::vector<std::pair<std::string, int>> v(m.begin(), m.end());
    std::stable_sort(v.begin(), v.end(),
                     [](const auto& a, const auto& b) { return a.second > b.second; });
    return v;
  };
  s.rejected_by_clause = sorted(rejected);
  s.refused_by_clause = sorted(refused);
  return s;
}

}  // namespace kvittens::sim::load
