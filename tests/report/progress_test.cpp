// Progress on stderr: redrawn in place on a terminal, plain lines at a modest rate otherwise,
// nothing for a run shorter than one interval; `kvittens run` into a pipe stays plain.
#include "report/progress.hpp"

#include <gtest/gtest.h>

#include <sstream>

#include "../cli/run_cli.hpp"

namespace kvittens::harness {
namespace {

using namespace std::chrono_literals;

struct FakeClock {
  std::chrono::steady_clock::time_point now{};
  Progress::Clock fn() {
    return [this] { return now; };
  }
};

TEST(Progress, ATerminalGetsOneLineRedrawnInPlace) {
  std::ostringstream out;
  FakeClock clock;
  Progress p(out, 4, Progress::Style::Redraw, 5s, clock.fn());
  for (int i = 0; i < 4; ++i) {
    clock.now += 1s;
    p.done(i == 2);
  }
  p.finish();
  const auto s = out.str();
  EXPECT_EQ(s.find('\n'), std::string::npos) << "no new lines on a terminal";
  EXPECT_NE(s.find("\r\x1b[Kkvittens run: 1/4 runs, 1.0/s, 0 failed"), std::string::npos) << s;
  EXPECT_NE(s.find("\r\x1b[Kkvittens run: 4/4 runs, 1.0/s, 1 failed"), std::string::npos) << s;
  EXPECT_TRUE(s.ends_with("\r\x1b[K")) << "the line is cleared at the end";
}

TEST(Progress, RedrawIsLimitedToTenTimesASecond) {
  std::ostringstream out;
  FakeClock clock;
  Progress p(out, 100, Progress::Style::Redraw, 5s, clock.fn());
  for (int i = 0; i < 50; ++i) {
    clock.now += 10ms;
    p.done(false);
  }
  // 500 ms: at most 5 redraws.
  std::size_t n = 0;
  for (auto at = out.str().find('\r'); at != std::string::npos; at = out.str().find('\r', at + 1))
    ++n;
  EXPECT_LE(n, 5u);
  EXPECT_GE(n, 4u);
}

TEST(Progress, PlainLinesComeOncePerIntervalWithoutEscapes) {
  std::ostringstream out;
  FakeClock clock;
  Progress p(out, 12, Progress::Style::Lines, 5s, clock.fn());
  for (int i = 0; i < 12; ++i) {
    clock.now += 1s;
    p.done(i % 4 == 0);
  }
  p.finish();
  EXPECT_EQ(out.str(),
            "kvittens run: 5/12 runs done, 1.0/s, 2 failed\n"
            "kvittens run: 10/12 runs done, 1.0/s, 3 failed\n"
            "kvittens run: 12/12 runs done, 1.0/s, 3 failed\n");
}

TEST(Progress, AShortRunPrintsNoPlainLines) {
  std::ostringstream out;
  FakeClock clock;
  Progress p(out, 3, Progress::Style::Lines, 5s, clock.fn());
  for (int i = 0; i < 3; ++i) {
    clock.now += 1s;
    p.done(true);
  }
  p.finish();
  EXPECT_EQ(out.str(), "");
}

TEST(Progress, RunIntoAPipeHasNoEscapeCodes) {
  const auto r = kvittens::cli_test::run_kvittens(
      "run --hardware none " + std::string(KVITTENS_SOURCE_DIR) + "/scenarios/versions");
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_EQ(r.out.find('\x1b'), std::string::npos);
  EXPECT_EQ(r.out.find('\r'), std::string::npos);
}

}  // namespace
}  // namespace kvittens::harness
