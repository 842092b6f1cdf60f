#include "wire/canonical_line.hpp"

#include <cstdint>
#include <cstring>
#include <limits>

#include "wire/wire.hpp"

namespace kvittens::wire {
namespace {

// RFC 3629 UTF-8, as the strict parser checks it: no overlong forms, no surrogates, nothing
// beyond U+10FFFF.
bool valid_utf8(std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const auto* end = p + s.size();
  while (p < end) {
    const unsigned c = *p;
    if (c < 0x80) {
      ++p;
      continue;
    }
    int n = 0;
    unsigned lo = 0x80, hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) {
      n = 1;
    } else if (c >= 0xe0 && c <= 0xef) {
      n = 2;
      if (c == 0xe0) lo = 0xa0;
      if (c == 0xed) hi = 0x9f;
    } else if (c >= 0xf0 && c <= 0xf4) {
      n = 3;
      if (c == 0xf0) lo = 0x90;
      if (c == 0xf4) hi = 0x8f;
    } else {
      return false;
    }
    if (end - p <= n) return false;
    if (p[1] < lo || p[1] > hi) return false;
    for (int i = 2; i <= n; ++i)
      if (p[i] < 0x80 || p[i] > 0xbf) return false;
    p += n + 1;
  }
  return true;
}

// parse_local of "YYYY-MM-DDTHH:MM" within the wire's years, remembering the last day: a
// month's lines hold a few thousand days and millions of times, and on a day without a clock
// change a local time is that day's midnight plus the time of day. A day with a change, and
// anything parse_local refuses, is left to parse_local itself (or to the strict decoder).
bool local_time(std::string_view s, Instant& out) {
  struct Day {
    char text[10] = {};
    bool known = false, usable = false;
    Instant midnight;
  };
  thread_local Day day;
  const auto digit = [&](std::size_t i) { return s[i] >= '0' && s[i] <= '9'; };
  if (s[13] != ':' || !digit(11) || !digit(12) || !digit(14) || !digit(15)) return false;
  const int hh = (s[11] - '0') * 10 + (s[12] - '0'), mm = (s[14] - '0') * 10 + (s[15] - '0');
  if (hh > 23 || mm > 59) return false;
  if (!day.known || std::memcmp(day.text, s.data(), 10) != 0) {
    std::memcpy(day.text, s.data(), 10);
    day.known = true;
    day.usable = false;
    try {
      const std::string date(s.substr(0, 10));
      const Instant first = parse_local(date + "T00:00"), last = parse_local(date + "T23:59");
      const auto y = static_cast<int>(local_date(first).year());
      // The same offset at both ends: no clock change that day.
      day.usable = last - first == std::chrono::minutes(23 * 60 + 59) && y >= Limits::first_year &&
                   y <= Limits::last_year;
      day.midnight = first;
    } catch (const std::exception&) {
      return false;
    }
  }
  if (day.usable) {
    out = day.midnight + std::chrono::minutes(hh * 60 + mm);
    return true;
  }
  try {
    out = parse_local(s);
  } catch (const std::exception&) {
    return false;
  }
  const auto y = static_cast<int>(local_date(out).year());
  return y >= Limits::first_year && y <= Limits::last_year;
}

class Cursor {
 public:
  explicit Cursor(std::string_view text) : p_(text.data()), end_(text.data() + text.size()) {}
  bool done() const { return p_ == end_; }

  // The exact text `s`.
  bool lit(std::string_view s) {
    if (static_cast<std::size_t>(end_ - p_) < s.size() || std::memcmp(p_, s.data(), s.size()) != 0)
      return false;
    p_ += s.size();
    return true;
  }
  // `,"KEY":` when it is next (an optional key that is present).
  bool key(std::string_view k) {
    const auto n = k.size();
    if (static_cast<std::size_t>(end_ - p_) < n + 4 || p_[0] != ',' || p_[1] != '"' ||
        std::memcmp(p_ + 2, k.data(), n) != 0 || p_[n + 2] != '"' || p_[n + 3] != ':')
      return false;
    p_ += n + 4;
    return true;
  }

  // A string without escapes or control characters, in valid UTF-8.
  bool str(std::string_view& out) {
    if (p_ == end_ || *p_ != '"') return false;
    const char* b = ++p_;
    bool ascii = true;
    for (; p_ < end_; ++p_) {
      const auto c = static_cast<unsigned char>(*p_);
      if (c == '"') {
        out = std::string_view(b, static_cast<std::size_t>(p_ - b));
        ++p_;
        return ascii || valid_utf8(out);
      }
      if (c == '\\' || c < 0x20 || c == 0x7f) return false;
      if (c >= 0x80) ascii = false;
    }
    return false;
  }
  // JsonReader::id's rules: 1..Limits::id_bytes bytes, no space at either end.
  bool id(std::string& out) {
    std::string_view s;
    if (!str(s) || s.empty() || s.size() > Limits::id_bytes || s.front() == ' ' || s.back() == ' ')
      return false;
    out.assign(s);
    return true;
  }
  bool text(std::string& out, std::size_t max_bytes) {
    std::string_view s;
    if (!str(s) || s.size() > max_bytes) return false;
    out.assign(s);
    return true;
  }
  // A time as the encoder writes one on the minute, within the wire's years.
  bool time(Instant& out) {
    std::string_view s;
    if (!str(s) || s.size() != 16 || s[10] != 'T') return false;
    return local_time(s, out);
  }
  // A JSON integer within [min, max]; no fraction, exponent or "-0".
  bool integer(std::int64_t& out, std::int64_t min, std::int64_t max) {
    const bool negative = p_ < end_ && *p_ == '-';
    if (negative) ++p_;
    const char* b = p_;
    std::int64_t v = 0;
    for (; p_ < end_ && *p_ >= '0' && *p_ <= '9'; ++p_) {
      if (p_ - b >= 18) return false;
      v = v * 10 + (*p_ - '0');
    }
    const auto digits = p_ - b;
    if (digits == 0 || (digits > 1 && *b == '0') || (negative && v == 0)) return false;
    if (p_ < end_ && (*p_ == '.' || *p_ == 'e' || *p_ == 'E')) return false;
    out = negative ? -v : v;
    return out >= min && out <= max;
  }
  bool boolean(bool& out) {
    if (lit("true")) return out = true, true;
    if (lit("false")) return out = false, true;
    return false;
  }

 private:
  const char* p_;
  const char* end_;
};

bool receipt(Cursor& c, Receipt& out) {
  out = Receipt{};
  if (c.lit("\"none\"")) return true;
  if (c.lit("{\"nfc\":")) {
    out.kind = ReceiptKind::Nfc;
    return c.id(out.tag_uid) && c.lit("}");
  }
  LockEvent e;
  std::int64_t seq = 0, time = 0, event = 0, key_id = 0;
  if (!(c.lit("{\"lock\":{\"lock_id\":") && c.id(e.lock_id) && c.lit(",\"seq\":") &&
        c.integer(seq, 0, 0xffffffffLL) && c.lit(",\"time\":") &&
        c.integer(time, 0, 4102444800LL) && c.lit(",\"event\":") && c.integer(event, 0, 255) &&
        c.lit(",\"key_id\":") && c.integer(key_id, 0, 0xffff) && c.lit(",\"mac\":") &&
        c.id(e.mac_hex) && c.lit("}}")))
    return false;
  e.seq = static_cast<std::uint32_t>(seq);
  e.time = time;
  e.event = static_cast<std::uint8_t>(event);
  e.key_id = static_cast<std::uint16_t>(key_id);
  out.kind = ReceiptKind::Lock;
  out.lock = std::move(e);
  return true;
}

bool place(Cursor& c, Place& out) {
  if (c.lit("\"door\"")) return out = Place::Door, true;
  if (c.lit("\"outside\"")) return out = Place::Outside, true;
  if (c.lit("\"pickup\"")) return out = Place::Pickup, true;
  return false;
}

bool insats(Cursor& c, PerformedInsats& out) {
  if (!(c.lit("{\"insats\":") && c.id(out.insats) && c.lit(",\"status\":"))) return false;
  if (c.lit("\"ordered\""))
    out.status = InsatsStatus::Ordered;
  else if (c.lit("\"extra\""))
    out.status = InsatsStatus::Extra;
  else if (c.lit("\"declined\""))
    out.status = InsatsStatus::Declined;
  else
    return false;
  if (c.key("minutes")) {
    std::int64_t m = 0;
    if (!c.integer(m, std::numeric_limits<int>::min(), std::numeric_limits<int>::max()))
      return false;
    out.minutes = static_cast<int>(m);
  }
  return c.lit("}");
}

bool note_about(Cursor& c, std::uint8_t& bits) {
  if (!c.lit("[")) return false;
  do {
    std::string_view name;
    if (!c.str(name)) return false;
    const auto about = note_about_from(name);
    if (!about) return false;
    bits |= static_cast<std::uint8_t>(*about);
  } while (c.lit(","));
  return c.lit("]");
}

bool optional_time(Cursor& c, const char* key, std::optional<Instant>& out) {
  if (!c.key(key)) return true;
  Instant t;
  if (!c.time(t)) return false;
  out = t;
  return true;
}

// The optional keys the encoder leaves out when empty: present means not empty.
bool optional_id(Cursor& c, const char* key, std::string& out) {
  return !c.key(key) || c.id(out);
}

bool optional_note(Cursor& c, std::string& out) {
  return !c.key("note") || c.text(out, Limits::note_bytes);
}

bool visit(Cursor& c, Visit& v) {
  if (!(c.lit("{\"id\":") && c.id(v.id) && c.lit(",\"staff\":") && c.id(v.staff) &&
        c.lit(",\"customer\":") && c.id(v.customer) && c.lit(",\"start\":") && c.time(v.start) &&
        c.lit(",\"end\":") && c.time(v.end) && c.lit(",\"start_receipt\":") &&
        receipt(c, v.start_receipt) && c.lit(",\"end_receipt\":") && receipt(c, v.end_receipt) &&
        c.lit(",\"start_place\":") && place(c, v.start_place) && c.lit(",\"end_place\":") &&
        place(c, v.end_place) && c.lit(",\"insatser\":[")))
    return false;
  if (!c.lit("]")) {
    do {
      if (!insats(c, v.insatser.emplace_back())) return false;
    } while (c.lit(","));
    if (!c.lit("]")) return false;
  }
  if (!optional_note(c, v.note)) return false;
  if (c.key("note_about") && !note_about(c, v.note_about)) return false;
  if (!(c.lit(",\"manual\":") && c.boolean(v.manual) && c.lit(",\"declined_after_start\":") &&
        c.boolean(v.declined_after_start)))
    return false;
  if (c.key("edit")) {
    TimeEdit e;
    if (!(c.lit("{\"start\":") && c.time(e.start) && c.lit(",\"end\":") && c.time(e.end) &&
          optional_note(c, e.note) && optional_time(c, "made_at", e.made_at) && c.lit("}")))
      return false;
    v.edit = std::move(e);
  }
  if (c.key("shared_group")) {
    std::string g;
    if (!c.id(g)) return false;
    v.shared_group = std::move(g);
  }
  return optional_id(c, "shift", v.shift) && optional_time(c, "notice_at", v.notice_at) &&
         optional_id(c, "cause", v.cause) && optional_time(c, "registered_at", v.registered_at) &&
         optional_id(c, "phone", v.phone) && c.lit("}");
}

bool double_staffing(Cursor& c, DoubleStaffing& d) {
  return c.lit("{\"id\":") && c.id(d.id) && c.lit(",\"staff\":") && c.id(d.staff) &&
         c.lit(",\"customer\":") && c.id(d.customer) && c.lit(",\"start\":") && c.time(d.start) &&
         c.lit(",\"end\":") && c.time(d.end) && optional_note(c, d.note) &&
         optional_id(c, "shift", d.shift) && optional_id(c, "phone", d.phone) && c.lit("}");
}

bool visit_edit(Cursor& c, VisitEdit& e) {
  return c.lit("{\"id\":") && c.id(e.id) && c.lit(",\"visit\":") && c.id(e.visit) &&
         c.lit(",\"start\":") && c.time(e.edit.start) && c.lit(",\"end\":") && c.time(e.edit.end) &&
         optional_note(c, e.edit.note) && optional_time(c, "made_at", e.edit.made_at) &&
         optional_id(c, "phone", e.phone) && c.lit("}");
}

bool body(Cursor& c, Registration& out) {
  if (c.lit("{\"visit\":")) return visit(c, out.emplace<Visit>()) && c.lit("}");
  if (c.lit("{\"double_staffing\":"))
    return double_staffing(c, out.emplace<DoubleStaffing>()) && c.lit("}");
  if (c.lit("{\"visit_edit\":")) return visit_edit(c, out.emplace<VisitEdit>()) && c.lit("}");
  if (c.lit("{\"shift_approval\":{\"shift\":")) {
    auto& s = out.emplace<ShiftApproval>();
    return c.id(s.shift) && c.lit(",\"approved_at\":") && c.time(s.approved_at) && c.lit("}}");
  }
  if (c.lit("{\"payment\":{\"visit\":")) {
    auto& p = out.emplace<Payment>();
    std::int64_t m = 0;
    if (!(c.id(p.visit) && c.lit(",\"paid_minutes\":") && c.integer(m, 0, Limits::max_minutes) &&
          c.lit("}}")))
      return false;
    p.paid_minutes = static_cast<int>(m);
    return true;
  }
  return false;
}

}  // namespace

bool read_canonical_line(std::string_view line, std::string& provider, Registration& out) {
  Cursor c(line);
  if (!c.lit("{\"provider\":")) return false;
  std::string_view p;
  // A provider is an id, or "" for a scope stored before providers.
  if (!c.str(p) || p.size() > Limits::id_bytes ||
      (!p.empty() && (p.front() == ' ' || p.back() == ' ')))
    return false;
  provider.assign(p);
  return c.lit(",\"registration\":") && body(c, out) && c.lit("}") && c.done();
}

}  // namespace kvittens::wire
