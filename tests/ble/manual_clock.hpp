// A kvittens::Clock the test moves by hand; readable from the emulator's loop thread.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

#include "kvittens/clock.hpp"

namespace kvittens::testing {

class ManualClock final : public Clock {
 public:
  explicit ManualClock(std::int64_t unix_seconds = 1'780'000'000) : now_(unix_seconds) {}
  Instant now() const override { return Instant(std::chrono::seconds(now_.load())); }
  std::int64_t unix() const { return now_.load(); }
  void advance(std::chrono::seconds by) { now_ += by.count(); }

 private:
  std::atomic<std::int64_t> now_;
};

}  // namespace kvittens::testing
