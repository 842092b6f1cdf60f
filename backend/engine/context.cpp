// Indexes over the world, and the rules shared by both services: accounts (5.2), shift
// approval and spärrdatum (3.2, 4.13), and receipts (4.5, 4.10; B2 for boendestöd).
#include "backend/engine/context.hpp"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstring>
#include <initializer_list>
#include <stdexcept>
#include <string_view>

#include <date/tz.h>

#include "kvittens/lock_receipt.hpp"

namespace kvittens::backend::detail {

namespace {
const date::time_zone* stockholm_zone() {
  static const date::time_zone* z = date::locate_zone("Europe/Stockholm");
  return z;
}
// Instants this close to an offset change take the general path (ambiguous local times).
constexpr std::chrono::hours kChangeMargin{3};

void put2(char* p, unsigned v) {
  p[0] = static_cast<char>('0' + v / 10 % 10);
  p[1] = static_cast<char>('0' + v % 10);
}
void put4(char* p, int v) {
  put2(p, static_cast<unsigned>(v / 100));
  put2(p + 2, static_cast<unsigned>(v % 100));
}
// "YYYY-MM-DD" into p[0..10) (a four-digit year: callers check).
void put_date(char* p, Date d) {
  put4(p, int(d.year()));
  p[4] = '-';
  put2(p + 5, unsigned(d.month()));
  p[7] = '-';
  put2(p + 8, unsigned(d.day()));
}
}  // namespace

void LocalTime::refresh(Instant t) {
  if (loaded_ && t >= begin_ && t < end_) return;
  const auto info = stockholm_zone()->get_info(t);
  begin_ = Instant{std::chrono::duration_cast<std::chrono::seconds>(info.begin.time_since_epoch())};
  end_ = Instant{std::chrono::duration_cast<std::chrono::seconds>(info.end.time_since_epoch())};
  offset_ = info.offset;
  loaded_ = true;
}

const Date& LocalTime::civil(std::chrono::sys_days day) {
  if (!civil_loaded_ || day != day_) {
    day_ = day;
    civil_ = Date{day};
    civil_loaded_ = true;
    const int y = int(civil_.year());
    prefix_ok_ = y >= 1000 && y <= 9999;
    if (prefix_ok_) {
      put_date(prefix_, civil_);
      prefix_[10] = 'T';
    }
  }
  return civil_;
}

void LocalTime::locate(Instant t) {
  refresh(t);
  const auto day = std::chrono::floor<std::chrono::days>(t + offset_);
  civil(day);
  midnight_ = Instant{day} - offset_;
  day_from_ = std::max(midnight_, begin_);
  day_to_ = std::min(midnight_ + std::chrono::days{1}, end_);
  text_from_ = std::max(day_from_, begin_ + kChangeMargin);
  text_to_ = prefix_ok_ ? std::min(day_to_, end_ - kChangeMargin) : text_from_;
}

Date LocalTime::date(Instant t) {
  if (!(t >= day_from_ && t < day_to_)) locate(t);
  return civil_;
}

std::chrono::year_month LocalTime::month(Instant t) {
  const Date d = date(t);
  return {d.year(), d.month()};
}

LocalTime::Text LocalTime::text(Instant t) {
  Text out;
  const bool whole_minute = t.time_since_epoch().count() % 60 == 0;
  if (!(t >= text_from_ && t < text_to_) && whole_minute) locate(t);
  if (!(t >= text_from_ && t < text_to_) || !whole_minute) {
    // Near an offset change (ambiguous local times), seconds, or a far year.
    const auto s = format_local(t);
    out.size = s.copy(out.data, sizeof out.data);
    return out;
  }
  const auto secs = (t - midnight_).count();
  char* buf = out.data;
  std::memcpy(buf, prefix_, sizeof prefix_);
  put2(buf + 11, static_cast<unsigned>(secs / 3600));
  buf[13] = ':';
  put2(buf + 14, static_cast<unsigned>(secs / 60 % 60));
  out.size = 16;
  return out;
}

std::size_t TextHash::operator()(std::string_view s) const {
  const std::size_t n = s.size();
  if (n > 16) return std::hash<std::string_view>{}(s);
  // (a, b, n) determine s: the first and last 8 (or 4) bytes cover it, overlapping when
  // shorter; under 4 bytes, the first, middle and last byte are all of it.
  std::uint64_t a = 0, b = 0;
  const char* p = s.data();
  if (n >= 8) {
    std::memcpy(&a, p, 8);
    std::memcpy(&b, p + n - 8, 8);
  } else if (n >= 4) {
    std::uint32_t x = 0, y = 0;
    std::memcpy(&x, p, 4);
    std::memcpy(&y, p + n - 4, 4);
    a = x;
    b = y;
  } else if (n > 0) {
    a = std::uint64_t{static_cast<unsigned char>(p[0])} |
        std::uint64_t{static_cast<unsigned char>(p[n / 2])} << 8 |
        std::uint64_t{static_cast<unsigned char>(p[n - 1])} << 16;
  }
  // One 64 x 64 -> 128-bit multiply of the two words, keyed, its halves folded together: every
  // input bit reaches the middle bits of the product, and the fold brings them to both ends,
  // so a prime or a power-of-two bucket count spreads the result.
  __extension__ typedef unsigned __int128 Wide;
  const Wide m = Wide{a ^ 0x9E3779B97F4A7C15ull} * Wide{b ^ 0xC2B2AE3D27D4EB4Full ^ n};
  return static_cast<std::size_t>(static_cast<std::uint64_t>(m) ^
                                  static_cast<std::uint64_t>(m >> 64));
}

Number::Number(long v) {
  size = static_cast<std::size_t>(std::to_chars(data, data + sizeof data, v).ptr - data);
}

void LocalTime::append_date(std::string& out, Date d) {
  const int y = int(d.year());
  if (y < 1000 || y > 9999) {
    out += format_date(d);
    return;
  }
  char buf[10];
  put_date(buf, d);
  out.append(buf, 10);
}

const std::vector<const Visit*>& Context::visits_of(const std::string& staff_id,
                                                    const std::string& customer) const {
  if (!visits_indexed) {
    for (const auto& v : regs.visits)
      visits_by_staff_customer[v.staff + '\x1f' + v.customer].push_back(&v);
    visits_indexed = true;
  }
  static const std::vector<const Visit*> none;
  const auto it = visits_by_staff_customer.find(staff_id + '\x1f' + customer);
  return it == visits_by_staff_customer.end() ? none : it->second;
}

const std::string* Context::first_use_of(const std::string& lock, std::uint32_t seq) {
  if (!first_use_indexed) {
    for (const auto& v : regs.visits) {
      for (const bool at_start : {true, false}) {
        const auto& rc = at_start ? v.start_receipt : v.end_receipt;
        if (rc.kind == ReceiptKind::Lock && rc.lock)
          first_use.emplace(std::make_pair(rc.lock->lock_id, rc.lock->seq),
                            v.id + (at_start ? "/start" : "/end"));
      }
    }
    first_use_indexed = true;
  }
  const auto it = first_use.find({lock, seq});
  return it == first_use.end() ? nullptr : &it->second;
}

Context::Context(const RulePack& p, const World& w, const Registrations& r)
    : pack(p), world(w), regs(r), stamp(p.stamp()) {
  for (const auto& c : w.customers) customers[c.id].customer = &c;
  for (const auto& s : w.staff) {
    auto& entry = staff[s.id];  // the first of a repeated id counts
    if (!entry.member) entry.member = &s;
  }
  tags_yield_to_locks = pack.clause("7") != nullptr;
  for (const auto& l : w.locks) {
    locks.emplace(l.id, &l);
    for (const auto& c : l.customers) lock_by_customer.emplace(c, &l);
  }
  for (const auto& o : w.orders) customers[o.customer].orders.push_back(&o);
  for (const auto& s : r.shared) shared.emplace(s.id, &s);
  for (const auto& i : p.insatser) catalogue.emplace(i.name, &i);
  for (const auto& a : r.approvals) {
    // The first approval of a shift counts; a later one cannot make it earlier.
    approvals.emplace(a.shift, a.approved_at);
  }
}

namespace {
bool order_valid(const Order& o, Date day) {
  if (o.from && day < *o.from) return false;
  if (o.to && day > *o.to) return false;
  return true;
}
}  // namespace

const InsatsInfo* Context::insats(std::string_view name) const {
  const auto it = catalogue.find(name);
  return it == catalogue.end() ? nullptr : it->second;
}

const Context::CustomerEntry& Context::customer_entry(const std::string& id) const {
  const auto it = customers.find(id);
  if (it == customers.end() || !it->second.customer)
    throw std::out_of_range("unknown customer '" + id + "'");
  return it->second;
}

const Customer* Context::find_customer(const std::string& id) const {
  const auto it = customers.find(id);
  return it == customers.end() ? nullptr : it->second.customer;
}

const Order* Context::order_for(const CustomerEntry& entry, const std::string& insats, Date day) {
  for (const auto* o : entry.orders)
    if (o->insats == insats && order_valid(*o, day)) return o;
  return nullptr;
}

const Order* Context::order_for(const std::string& customer, const std::string& insats,
                                Instant at) const {
  const auto it = customers.find(customer);
  if (it == customers.end()) return nullptr;
  return order_for(it->second, insats, local.date(at));
}

bool Context::has_double_staffing_order(const std::string& customer, Instant at) const {
  const auto it = customers.find(customer);
  if (it == customers.end()) return false;
  const Date day = local.date(at);
  for (const auto* o : it->second.orders)
    if (o->double_staffing && order_valid(*o, day)) return true;
  return false;
}

const LockRecord* Context::lock_of(const Customer& c) const {
  if (c.lock) {
    const auto it = locks.find(*c.lock);
    if (it != locks.end()) return it->second;
  }
  if (lock_by_customer.empty()) return nullptr;
  const auto it = lock_by_customer.find(c.id);
  return it == lock_by_customer.end() ? nullptr : it->second;
}

const std::string& Context::provider_of(const std::string& customer) const {
  static const std::string none;
  const auto* c = find_customer(customer);
  return c ? c->provider : none;
}

std::string_view shift_of(const Context& ctx, const std::string& named, const std::string& staff,
                          Instant start) {
  if (!named.empty()) return named;
  auto& out = ctx.shift_name;
  out.assign(staff);
  out += '/';
  LocalTime::append_date(out, ctx.local.date(start));
  return out;
}

Context::StaffEntry* Context::find_staff(const std::string& id) {
  const auto it = staff.find(id);
  return it == staff.end() ? nullptr : &it->second;
}

namespace {
// 5.2 for one staff member on one local day; `reason` filled when not active.
bool account_active_on(const Context& ctx, const StaffMember& s, Date day, std::string& reason) {
  if (s.deactivated_on && day >= *s.deactivated_on) {
    reason = "the staff account was deactivated on " + format_date(*s.deactivated_on);
    return false;
  }
  if (s.last_login) {
    const int months = static_cast<int>(ctx.pack.number("account_idle_months"));
    const auto last = local_date(*s.last_login);
    // The account is inactivated when `months` have passed since the last login (I-13);
    // from 31 Jan, 1 month on is the last day of February.
    const auto ym =
        std::chrono::year_month{last.year(), last.month()} + std::chrono::months{months};
    std::chrono::year_month_day idle_from{ym.year(), ym.month(), last.day()};
    if (!idle_from.ok())
      idle_from = std::chrono::year_month_day{
          std::chrono::year_month_day_last{ym.year(), std::chrono::month_day_last{ym.month()}}};
    if (day >= idle_from) {
      reason = "the staff account had not logged in since " + format_date(last) + " (" +
               std::to_string(months) + " months: deactivated)";
      return false;
    }
  }
  return true;
}

// 5.2, remembered in the staff entry for the day; `reason` views the entry.
bool account_active(Context& ctx, Context::StaffEntry* staff, Instant at,
                    std::string_view& reason) {
  if (!staff) {
    reason = "unknown staff account";
    return false;
  }
  const auto day = ctx.local.date(at);
  if (!staff->account_asked || staff->account_day != day) {
    staff->inactive_reason.clear();
    staff->active = account_active_on(ctx, *staff->member, day, staff->inactive_reason);
    staff->account_day = day;
    staff->account_asked = true;
  }
  reason = staff->inactive_reason;
  return staff->active;
}
}  // namespace

// 5.2 — "Nacka kommun inaktiverar användare som inte varit inloggade på 18 månader."
bool clause_5_2_account(Context& ctx, Context::StaffEntry* staff, Instant at, VisitDecision& d) {
  std::string_view reason;
  if (account_active(ctx, staff, at, reason)) return true;
  trace(d.trace, "5.2", {reason, "; registration not accepted"});
  return false;
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

namespace {
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
  v.clause = approvals.count(name) ? "4.13" : "3.2";
  list.push_back(std::move(v));
  return list.back();
}

Context::ReceiptVerdict& judge_receipt(Context& ctx, const Receipt& r, const Customer& customer,
                                       Instant at, std::string_view receipt_clause,
                                       const std::string& visit_id, bool at_start) {
  auto& v = ctx.receipt_verdict;
  v.valid = false;
  v.clause = receipt_clause;
  v.reason.clear();
  v.reason.push(at_start ? "start: " : "end: ");
  const auto say = [&](std::initializer_list<std::string_view> parts) {
    for (const auto p : parts) v.reason.push(p);
  };
  const auto fail = [&](std::initializer_list<std::string_view> parts,
                        std::string_view clause = {}) -> Context::ReceiptVerdict& {
    say(parts);
    if (!clause.empty()) v.clause = clause;
    return v;
  };
  switch (r.kind) {
    case ReceiptKind::None:
      return fail({"no receipt"});
    case ReceiptKind::Nfc: {
      // §2.1, §7: kvittensmärken "får enbart användas för de kunder som inte har digitala
      // lås" — from the day a lock is mounted on the customer's door, a tag is no receipt.
      if (ctx.tags_yield_to_locks) {
        const auto* lock = ctx.lock_of(customer);
        const auto* mounted = lock && lock->mounted_on ? &*lock->mounted_on : nullptr;
        if ((lock || customer.lock) && (!mounted || ctx.local.date(at) >= *mounted)) {
          say({"NFC tag ", r.tag_uid, " is no receipt: a trygghetslås (",
               lock ? lock->id : *customer.lock, ") is mounted on the customer's door"});
          if (mounted) {
            v.seq.clear();
            LocalTime::append_date(v.seq, *mounted);
            say({" since ", v.seq});
          }
          return fail({}, "7");
        }
      }
      for (const auto& t : customer.nfc_tags)
        if (t == r.tag_uid) {
          say({"NFC tag ", r.tag_uid, " is the customer's"});
          v.valid = true;
          return v;
        }
      if (customer.cohabitant) {
        if (const auto* cohabitant = ctx.find_customer(*customer.cohabitant))
          for (const auto& t : cohabitant->nfc_tags)
            if (t == r.tag_uid)
              return fail({"NFC tag ", r.tag_uid, " belongs to the cohabitant, not this customer"},
                          ctx.pack.clause("4.5") ? "4.5" : receipt_clause);
      }
      return fail({"NFC tag ", r.tag_uid, " is not registered to the customer"});
    }
    case ReceiptKind::Lock: {
      if (!r.lock) return fail({"lock receipt without its log entry"});
      const auto& e = *r.lock;
      const auto lock = ctx.locks.find(e.lock_id);
      if (lock == ctx.locks.end())
        return fail({"lock ", e.lock_id, " is not known to the backend"});
      bool serves = false;
      for (const auto& c : lock->second->customers) serves = serves || c == customer.id;
      if (!serves) return fail({"lock ", e.lock_id, " is not on this customer's door"});
      const auto key = lock_receipt::from_hex(lock->second->key_hex);
      v.seq = std::to_string(e.seq);
      if (!key || !lock_receipt::verify(e, *key))
        return fail({"lock receipt seq ", v.seq, " has a MAC that does not verify (forged)"});
      const auto* first = ctx.first_use_of(e.lock_id, e.seq);
      if (first && *first != visit_id + (at_start ? "/start" : "/end"))
        return fail({"lock receipt seq ", v.seq, " was already used by ", *first, " (replay)"});
      const auto tolerance = static_cast<long>(ctx.pack.number("lock_receipt_tolerance_minutes"));
      const auto event_time = Instant{std::chrono::seconds{e.time}};
      const long gap = std::labs(minutes_between(event_time, at));
      if (gap > tolerance) {
        v.time = ctx.local.text(event_time);
        v.gap = std::to_string(gap);
        return fail({"lock receipt time ", v.time, " is ", v.gap, " min from the visit time"});
      }
      say({"lock ", e.lock_id, " receipt seq ", v.seq, " verified"});
      v.valid = true;
      return v;
    }
  }
  return fail({"unknown receipt"});
}

VisitDecision decision_for(const Context& ctx, const std::string& id, const char* kind,
                           const std::string& customer, const std::string& staff, Instant start,
                           Instant end) {
  VisitDecision d;
  d.id = id;
  d.kind = kind;
  d.customer = customer;
  d.staff = staff;
  d.provider = ctx.provider_of(customer);
  d.start = start;
  d.end = end;
  d.stamp = ctx.stamp;
  d.registered_minutes = static_cast<int>(minutes_between(start, end));
  return d;
}

}  // namespace kvittens::backend::detail
