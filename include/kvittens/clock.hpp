// A source of "now". Scenarios run on a virtual clock; emulated devices read the same one.
#pragma once

#include "kvittens/time.hpp"

namespace kvittens {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual Instant now() const = 0;
};

}  // namespace kvittens
