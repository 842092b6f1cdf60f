// The scenario clock: time moves only when the runner says so, so a month runs in milliseconds.
#pragma once

#include "kvittens/clock.hpp"

namespace kvittens::sim {

class VirtualClock : public Clock {
 public:
  explicit VirtualClock(Instant start = Instant{}) : now_(start) {}
  Instant now() const override { return now_; }
  // Moves to `t`; time never runs backwards because device logs and retries rely on order.
  void set(Instant t) {
    if (t > now_) now_ = t;
  }
  void advance(std::chrono::seconds d) { now_ += d; }

 private:
  Instant now_;
};

}  // namespace kvittens::sim
