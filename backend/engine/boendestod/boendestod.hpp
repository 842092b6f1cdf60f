// Boendestöd's rules (seed 003_e1069df00f465e0f.txt; clause ids B1..B7 follow its
// paragraphs), one file per clause or tight group, and what their reasons share. Each file
// registers the clauses it cites (backend/engine/clause.hpp). Engine-internal.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>

#include "backend/engine/context.hpp"

namespace kvittens::backend::detail {

// A figure as a reason shows it: hours and percentages from the pack, weekly hours. With %g,
// 48 reads 48, 12.5 reads 12.5 and a rate of 0.29 reads 29 % (a cast to int would say 28).
inline std::string figure_text(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", x);
  return buf;
}

// How long before something a notice came, as a reason states it against a limit in hours:
// "30 h", or "48 h 30 min" where whole hours alone would read as the limit itself. Whole
// minutes, rounded down; a negative span (told after the start) reads as 0 h.
inline std::string notice_text(Instant notice, Instant at) {
  const long minutes = std::max(0L, minutes_between(notice, at));
  std::string out = std::to_string(minutes / 60) + " h";
  if (minutes % 60) out += " " + std::to_string(minutes % 60) + " min";
  return out;
}

inline int daily_average_minutes(const Customer& c) {
  return static_cast<int>(std::floor(c.granted_weekly_hours * 60.0 / 7.0));
}

}  // namespace kvittens::backend::detail
