#include "kvittens/time.hpp"

#include <gtest/gtest.h>

namespace kvittens {
namespace {

TEST(Time, ReadsStockholmWinterAndSummerOffsets) {
  EXPECT_EQ(parse_local("2026-01-15T08:00"), parse_local("2026-01-15T07:00Z"));
  EXPECT_EQ(parse_local("2026-07-15T08:00"), parse_local("2026-07-15T06:00Z"));
}

TEST(Time, NightVisitAcrossSpringChangeIsAnHourShorter) {
  // Clocks go 02:00 -> 03:00 on 2026-03-29.
  EXPECT_EQ(minutes_between(parse_local("2026-03-28T22:00"), parse_local("2026-03-29T06:00")),
            7 * 60);
}

TEST(Time, NightVisitAcrossAutumnChangeIsAnHourLonger) {
  // Clocks go 03:00 -> 02:00 on 2026-10-25.
  EXPECT_EQ(minutes_between(parse_local("2026-10-24T22:00"), parse_local("2026-10-25T06:00")),
            9 * 60);
}

TEST(Time, RefusesLocalTimesThatDoNotExistOrAreAmbiguous) {
  EXPECT_THROW(parse_local("2026-03-29T02:30"), TimeError);
  EXPECT_THROW(parse_local("2026-10-25T02:30"), TimeError);
  EXPECT_NO_THROW(parse_local("2026-10-25T02:30+02:00"));
  EXPECT_EQ(parse_local("2026-10-25T02:30+01:00") - parse_local("2026-10-25T02:30+02:00"),
            std::chrono::hours{1});
}

TEST(Time, RefusesMalformedText) {
  EXPECT_THROW(parse_local("2026-13-01T08:00"), TimeError);
  EXPECT_THROW(parse_local("yesterday"), TimeError);
  EXPECT_THROW(parse_local("2026-01-01T25:00"), TimeError);
  EXPECT_THROW(parse_date("2026-02-30"), TimeError);
}

TEST(Time, FormatsRoundTripIncludingTheAutumnOverlap) {
  for (const char* text : {"2026-01-15T08:00", "2026-10-25T02:30+02:00", "2026-10-25T02:30+01:00",
                           "2026-06-01T23:59"}) {
    EXPECT_EQ(format_local(parse_local(text)), text);
  }
}

TEST(Time, LocalDateFollowsStockholmNotUtc) {
  // 23:30 UTC on 31 Jan is 00:30 on 1 Feb in Stockholm.
  EXPECT_EQ(format_date(local_date(parse_local("2026-01-31T23:30Z"))), "2026-02-01");
  EXPECT_EQ(format_month(local_month(parse_local("2026-01-31T23:30Z"))), "2026-02");
}

}  // namespace
}  // namespace kvittens
