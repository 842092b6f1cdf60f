// Scenario and rule time: UTC instants, shown and read as Europe/Stockholm local time.
//
// Every time in kvittens is a UTC instant (Instant). People write local Swedish time
// ("2026-03-29T01:30"); conversion goes through the IANA zone database, so a night visit
// across the March/October change has its true length. Local times that do not exist
// (spring gap) or exist twice (autumn overlap, unless an offset is given) are errors,
// never guessed.
#pragma once

#include <chrono>
#include <stdexcept>
#include <string>
#include <string_view>

namespace kvittens {

using Instant = std::chrono::sys_seconds;
using Minutes = std::chrono::minutes;
using Date = std::chrono::year_month_day;

// Raised for a time text that cannot be read or does not name one instant.
class TimeError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Reads "YYYY-MM-DDTHH:MM[:SS]" as Stockholm local time, or with an explicit offset
// ("...+02:00", "...Z"). Throws TimeError naming what was expected.
Instant parse_local(std::string_view text);
// "YYYY-MM-DD"
Date parse_date(std::string_view text);
// "YYYY-MM"
std::chrono::year_month parse_month(std::string_view text);

// "YYYY-MM-DDTHH:MM" in Stockholm local time, with the offset appended only when the
// local time is ambiguous (autumn overlap), so the text reads back to the same instant.
std::string format_local(Instant t);
std::string format_date(Date d);
std::string format_month(std::chrono::year_month m);

// The Stockholm calendar date and month an instant falls in.
Date local_date(Instant t);
std::chrono::year_month local_month(Instant t);
// First instant of a Stockholm local date (00:00 local).
Instant start_of_local_day(Date d);

// Whole minutes between two instants (floor), negative when b < a.
long minutes_between(Instant a, Instant b);

}  // namespace kvittens
