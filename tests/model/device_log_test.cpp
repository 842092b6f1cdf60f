#include "kvittens/device_log.hpp"

#include <gtest/gtest.h>

#include <thread>

namespace kvittens {
namespace {

DeviceLogEntry entry(std::string what) {
  DeviceLogEntry e;
  e.device = "lock:AA:BB:CC:DD:EE:01";
  e.transport = "dbus";
  e.direction = "call";
  e.what = std::move(what);
  return e;
}

TEST(DeviceLog, StampsStepTimeAndOrderFromItsContext) {
  DeviceLog log;
  log.record(entry("a"));
  const Instant t = parse_local("2026-03-02 08:00");
  log.set_context("s1 start_visit v1", t);
  log.record(entry("b"));
  log.set_context("s2 end_visit v1", std::nullopt);
  log.record(entry("c"));
  const auto e = log.entries();
  ASSERT_EQ(e.size(), 3u);
  EXPECT_EQ(e[0].step, "");
  EXPECT_FALSE(e[0].scenario_time);
  EXPECT_EQ(e[1].step, "s1 start_visit v1");
  EXPECT_EQ(e[1].scenario_time, t);
  EXPECT_EQ(e[2].step, "s2 end_visit v1");
  EXPECT_FALSE(e[2].scenario_time);
  for (std::size_t i = 0; i < e.size(); ++i) {
    EXPECT_EQ(e[i].seq, i + 1);
    EXPECT_NE(e[i].wall, std::chrono::system_clock::time_point{});
  }
}

TEST(DeviceLog, KeepsTheRecordersWallTime) {
  DeviceLog log;
  auto e = entry("a");
  e.wall = std::chrono::system_clock::time_point{std::chrono::seconds(1'800'000'000)};
  log.record(e);
  EXPECT_EQ(log.entries().at(0).wall, e.wall);
}

TEST(DeviceLog, RecordsFromManyThreadsWithoutLoss) {
  DeviceLog log;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 250; ++i) log.record(entry("x"));
    });
  }
  for (auto& t : threads) t.join();
  const auto e = log.entries();
  ASSERT_EQ(e.size(), 1000u);
  for (std::size_t i = 0; i < e.size(); ++i) EXPECT_EQ(e[i].seq, i + 1);
}

}  // namespace
}  // namespace kvittens
