// The reference of `kvittens certify lock` without --address: a private dbus-daemon with the
// emulated BlueZ and one emulated lock on a clock the bench moves, so the 30 s waits of the
// profile take no wall time. The certification reaches it through the same driver path as a
// lock on the bench; only time passing and fault injection use the emulator's control face.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "harness/certify/lock_certification.hpp"
#include "kvittens/clock.hpp"
#include "sim/emu/bluez/emulated_bluez.hpp"
#include "sim/emu/bluez/private_bus.hpp"

namespace kvittens::certify {

struct ReferenceLockOptions {
  std::string address = "AA:BB:CC:DD:EE:01";
  std::vector<std::uint8_t> key = std::vector<std::uint8_t>(32, 0x42);
  std::vector<std::uint8_t> admin_key = std::vector<std::uint8_t>(32, 0xad);
  std::uint32_t first_seq = 1001;  // a lock in service
  // Vendor defects (or conditions) injected before the certification starts.
  std::vector<std::pair<emu::LockFault, std::int64_t>> faults;
};

class ReferenceLock final : public Bench {
 public:
  explicit ReferenceLock(ReferenceLockOptions options = {});
  ~ReferenceLock() override;

  const std::string& bus_address() const { return bus_.address(); }
  const ReferenceLockOptions& options() const { return options_; }
  // Certification options that reach this lock (short timeouts: the emulator answers at once).
  LockCertifyOptions certify_options() const;

  std::int64_t now() const override;
  void wait(std::chrono::seconds by) override;  // moves the clock, applies auto-relock

 private:
  class VirtualClock final : public Clock {
   public:
    explicit VirtualClock(std::int64_t unix_seconds) : now_(unix_seconds) {}
    Instant now() const override { return Instant(std::chrono::seconds(now_.load())); }
    std::int64_t unix() const { return now_.load(); }
    void advance(std::chrono::seconds by) { now_ += by.count(); }

   private:
    std::atomic<std::int64_t> now_;
  };

  ReferenceLockOptions options_;
  VirtualClock clock_;
  emu::PrivateBus bus_;
  std::unique_ptr<emu::EmulatedBluez> bluez_;
};

}  // namespace kvittens::certify
