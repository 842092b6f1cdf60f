// Indexes over the world and the engine's machinery for its hot path (local time, hashing,
// numbers as text). The rules live in hemtjanst/ and boendestod/, one file per clause.
#include "backend/engine/context.hpp"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstring>
#include <initializer_list>
#include <stdexcept>
#include <string_view>

#include <date/tz.h>

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
  tags_yield_to_locks = clause_7_applies(pack);
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
