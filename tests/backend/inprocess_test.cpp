// The in-process backend keeps every accepted registration exactly once.
#include "backend/inprocess.hpp"

#include <gtest/gtest.h>

#include <thread>

#include "builders.hpp"

namespace kvittens {
namespace {

using namespace kvittens::fixtures;

TEST(InProcessBackend, ConcurrentSubmitsWithRetriesStoreEachRegistrationOnce) {
  WorldBuilder b;
  b.customer("c1", {"04:00:00:00:00:00:01"}).order("c1", "Dusch", 30);
  Session run(b.w);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      for (int day = 1; day <= 28; ++day) {
        char s[32], e[32];
        std::snprintf(s, sizeof s, "2026-02-%02dT08:00", day);
        std::snprintf(e, sizeof e, "2026-02-%02dT08:20", day);
        EXPECT_TRUE(run.add(visit("v" + std::to_string(day), "c1", s, e, {"Dusch"})).accepted);
      }
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(run.backend->registrations().visits.size(), 28u);
}

TEST(InProcessBackend, UnknownRuleVersionIsRefusedAtConstruction) {
  EXPECT_THROW(backend::make_inprocess_backend("nacka-hemtjanst@1.0"), backend::RulePackError);
}

}  // namespace
}  // namespace kvittens
