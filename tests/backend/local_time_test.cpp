// The engine's LocalTime (a cached UTC offset, digits written by hand) must give the same
// text and dates as kvittens/time.hpp, which asks the zone database every time.
#include "backend/engine/context.hpp"

#include <gtest/gtest.h>

#include <string>

#include "kvittens/time.hpp"

namespace kvittens::backend::detail {
namespace {

void expect_same(LocalTime& local, Instant t) {
  EXPECT_EQ(std::string(std::string_view(local.text(t))), format_local(t))
      << t.time_since_epoch().count();
  EXPECT_EQ(local.date(t), local_date(t)) << t.time_since_epoch().count();
}

TEST(LocalTime, MatchesTheZoneDatabaseAcrossAYearAndBothOffsetChanges) {
  LocalTime local;
  const Instant from = parse_local("2026-01-01T00:00");
  const Instant to = parse_local("2027-01-01T00:00");
  int checked = 0;
  for (Instant t = from; t < to; t += std::chrono::minutes{53}, ++checked) expect_same(local, t);
  EXPECT_GT(checked, 9000);
  // Around the changes minute by minute, with seconds, and going back in time.
  for (const char* change : {"2026-03-29T01:00", "2026-10-25T01:00"}) {
    const Instant c = parse_local(change);
    for (int m = -200; m <= 200; ++m) expect_same(local, c + std::chrono::minutes{m});
    for (int s = 200 * 60; s >= -200 * 60; s -= 61) expect_same(local, c + std::chrono::seconds{s});
  }
}

TEST(LocalTime, FarYearsTakeTheGeneralPath) {
  LocalTime local;
  for (const char* t : {"0999-12-31T23:59", "1000-01-01T00:00", "9999-12-31T23:00"})
    expect_same(local, parse_local(t));
}

TEST(Number, WritesWhatToStringWrites) {
  for (const long v : {0L, 7L, -1L, 45L, 1440L, 2147483647L, -9223372036854775807L - 1})
    EXPECT_EQ(std::string(std::string_view(Number(v))), std::to_string(v));
}

TEST(ReasonParts, RefusesMorePartsThanItHolds) {
  ReasonParts parts;
  for (std::size_t i = 0; i < parts.items.size(); ++i) parts.push("x");
  EXPECT_EQ(parts.view().size(), parts.items.size());
  EXPECT_THROW(parts.push("one too many"), std::out_of_range);
}

}  // namespace
}  // namespace kvittens::backend::detail
