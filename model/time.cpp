// Stockholm local time through the IANA zone database (Howard Hinnant's date/tz, OS tzdata).
#include "kvittens/time.hpp"

#include <date/date.h>
#include <date/tz.h>

#include <cstdio>
#include <sstream>

namespace kvittens {
namespace {

// std::chrono calendar date -> date::local_days (the zone library has its own types).
date::local_days to_local_days(Date d) {
  return date::local_days{date::days{std::chrono::sys_days{d}.time_since_epoch().count()}};
}

const date::time_zone* stockholm() {
  static const date::time_zone* zone = date::locate_zone("Europe/Stockholm");
  return zone;
}

bool all_digits(std::string_view s) {
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return !s.empty();
}

int to_int(std::string_view s) {
  int v = 0;
  for (char c : s) v = v * 10 + (c - '0');
  return v;
}

// Reads "YYYY-MM-DD" at the front of text; throws with `what` context.
Date read_date(std::string_view text, std::string_view whole) {
  if (text.size() < 10 || text[4] != '-' || text[7] != '-' || !all_digits(text.substr(0, 4)) ||
      !all_digits(text.substr(5, 2)) || !all_digits(text.substr(8, 2)))
    throw TimeError("expected a date YYYY-MM-DD, got '" + std::string(whole) + "'");
  Date d{std::chrono::year{to_int(text.substr(0, 4))},
         std::chrono::month{static_cast<unsigned>(to_int(text.substr(5, 2)))},
         std::chrono::day{static_cast<unsigned>(to_int(text.substr(8, 2)))}};
  if (!d.ok()) throw TimeError("'" + std::string(whole) + "' is not a calendar date");
  return d;
}

}  // namespace

Date parse_date(std::string_view text) {
  if (text.size() != 10)
    throw TimeError("expected a date YYYY-MM-DD, got '" + std::string(text) + "'");
  return read_date(text, text);
}

std::chrono::year_month parse_month(std::string_view text) {
  if (text.size() != 7 || text[4] != '-' || !all_digits(text.substr(0, 4)) ||
      !all_digits(text.substr(5, 2)))
    throw TimeError("expected a month YYYY-MM, got '" + std::string(text) + "'");
  std::chrono::year_month ym{std::chrono::year{to_int(text.substr(0, 4))},
                             std::chrono::month{static_cast<unsigned>(to_int(text.substr(5, 2)))}};
  if (!ym.ok()) throw TimeError("'" + std::string(text) + "' is not a month");
  return ym;
}

Instant parse_local(std::string_view text) {
  const std::string whole(text);
  const auto expected = [&] {
    return TimeError("expected a local time YYYY-MM-DDTHH:MM[:SS][+HH:MM|Z], got '" + whole + "'");
  };
  if (text.size() < 16 || (text[10] != 'T' && text[10] != ' ')) throw expected();
  const Date d = read_date(text, whole);
  std::string_view rest = text.substr(11);
  if (rest.size() < 5 || rest[2] != ':' || !all_digits(rest.substr(0, 2)) ||
      !all_digits(rest.substr(3, 2)))
    throw expected();
  int hh = to_int(rest.substr(0, 2)), mm = to_int(rest.substr(3, 2)), ss = 0;
  rest.remove_prefix(5);
  if (!rest.empty() && rest[0] == ':') {
    if (rest.size() < 3 || !all_digits(rest.substr(1, 2))) throw expected();
    ss = to_int(rest.substr(1, 2));
    rest.remove_prefix(3);
  }
  if (hh > 23 || mm > 59 || ss > 59) throw TimeError("'" + whole + "' has no such time of day");
  const auto local = to_local_days(d) + std::chrono::hours{hh} + std::chrono::minutes{mm} +
                     std::chrono::seconds{ss};
  if (rest.empty()) {
    const auto info = stockholm()->get_info(local);
    if (info.result == date::local_info::nonexistent)
      throw TimeError("'" + whole +
                      "' does not exist in Europe/Stockholm (clocks skip that hour in spring)");
    if (info.result == date::local_info::ambiguous)
      throw TimeError("'" + whole +
                      "' happens twice in Europe/Stockholm (autumn change); add +02:00 or +01:00");
    return Instant{local.time_since_epoch() - info.first.offset};
  }
  std::chrono::seconds offset{0};
  if (rest == "Z") {
  } else if (rest.size() == 6 && (rest[0] == '+' || rest[0] == '-') && rest[3] == ':' &&
             all_digits(rest.substr(1, 2)) && all_digits(rest.substr(4, 2))) {
    offset = std::chrono::hours{to_int(rest.substr(1, 2))} +
             std::chrono::minutes{to_int(rest.substr(4, 2))};
    if (rest[0] == '-') offset = -offset;
  } else {
    throw expected();
  }
  return Instant{local.time_since_epoch() - offset};
}

std::string format_local(Instant t) {
  const auto zoned = date::make_zoned(stockholm(), t);
  const auto local = zoned.get_local_time();
  const auto days = date::floor<date::days>(local);
  const date::year_month_day ymd{days};
  const date::hh_mm_ss hms{local - days};
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d", int(ymd.year()), unsigned(ymd.month()),
                unsigned(ymd.day()), int(hms.hours().count()), int(hms.minutes().count()));
  std::string out = buf;
  if (hms.seconds().count() != 0) {
    std::snprintf(buf, sizeof buf, ":%02d", int(hms.seconds().count()));
    out += buf;
  }
  if (stockholm()->get_info(local).result == date::local_info::ambiguous) {
    const auto off = zoned.get_info().offset;
    std::snprintf(buf, sizeof buf, "%+03d:00", int(off.count() / 3600));
    out += buf;
  }
  return out;
}

std::string format_date(Date d) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", int(d.year()), unsigned(d.month()),
                unsigned(d.day()));
  return buf;
}

std::string format_month(std::chrono::year_month m) {
  char buf[12];
  std::snprintf(buf, sizeof buf, "%04d-%02u", int(m.year()), unsigned(m.month()));
  return buf;
}

Date local_date(Instant t) {
  const auto local = date::make_zoned(stockholm(), t).get_local_time();
  const date::year_month_day ymd{date::floor<date::days>(local)};
  return Date{std::chrono::year{int(ymd.year())}, std::chrono::month{unsigned(ymd.month())},
              std::chrono::day{unsigned(ymd.day())}};
}

std::chrono::year_month local_month(Instant t) {
  const Date d = local_date(t);
  return {d.year(), d.month()};
}

Instant start_of_local_day(Date d) {
  const date::local_days local = to_local_days(d);
  // Midnight always exists in Stockholm (changes happen at 02:00/03:00).
  return date::make_zoned(stockholm(), local, date::choose::earliest).get_sys_time();
}

long minutes_between(Instant a, Instant b) {
  return static_cast<long>(std::chrono::floor<std::chrono::minutes>(b - a).count());
}

}  // namespace kvittens
