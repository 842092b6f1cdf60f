// `--hardware emulated`: the devices of one run are emulators behind the real drivers. Each
// staff phone reads tags through its own PN532 emulator and the libnfc driver (NfcStation); the
// world's locks are emulated receipt locks in one emulated BlueZ on a private dbus-daemon, on
// the scenario clock, and each phone reaches each lock through its own BluezLock (sdbus-c++).
// The control face (a tag held to a phone, a fault) goes to the emulators' control faces, so
// every failure the phone sees is the driver's own error.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "kvittens/clock.hpp"
#include "kvittens/model.hpp"
#include "sim/core/hardware.hpp"

namespace kvittens::sim {

struct EmulatedHardwareOptions {
  // Longest wall time of one device call. An emulated device answers within milliseconds and
  // nothing changes while the scenario clock stands still, so the app's longer wait (2 s)
  // would change no outcome; it would only cost time whenever a fault lets a call run out.
  std::chrono::milliseconds device_timeout_cap{500};
  // How long the BLE driver looks for a lock that is not in range (then NotFound).
  std::chrono::milliseconds discovery_timeout{200};
  // The libnfc driver's wait for one answer of the reader (a silent reader: Timeout).
  std::chrono::milliseconds nfc_command_timeout{300};
  // Readers (PN532 emulator + libnfc, ~50 ms to open) go back to a process-wide pool at the end
  // of a run and serve the next one, with an empty field.
  bool reuse_readers = true;
};

class EmulatedHardware : public Hardware {
 public:
  // `seed` chooses each lock's first sequence number, as SyntheticHardware does.
  EmulatedHardware(const World& world, const Clock& clock, std::uint64_t seed,
                   EmulatedHardwareOptions options = {});
  ~EmulatedHardware() override;
  EmulatedHardware(const EmulatedHardware&) = delete;
  EmulatedHardware& operator=(const EmulatedHardware&) = delete;

  void present_tag(const std::string& staff, const TagOnDoor& tag) override;
  void remove_tag(const std::string& staff) override;
  // NFC: the next `count` reads fail on the wire as `error` (an unplugged reader is plugged in
  // again after its failed reads). Locks: the condition (or the one standing for `error`) is
  // injected into the emulated lock around each of its next `count` operations; low battery
  // and clock drift at once. Throws std::invalid_argument for a fault no emulator can produce.
  void inject(const DeviceFault& fault) override;
  void tick() override;  // the emulated locks' auto-relock by the scenario clock
  // Every phone's reader (its serial tap) and BLE driver record into `log` from now on.
  void set_device_log(DeviceLog* log) override;

  NfcReader& reader(const std::string& staff) override;
  Lock& lock(const std::string& staff, const std::string& lock_id) override;

  // The emulated lock's own log (what a READ_LOG would give), for tests.
  std::vector<LockEvent> lock_log(const std::string& lock_id);
  // How many dbus-daemons / PN532 emulators (not taken from the pool) this run started, for
  // tests.
  int buses_started() const { return buses_started_; }
  int readers_started() const;

 private:
  class PhoneNfc;
  class PhoneLock;
  struct Ble;

  Ble& ble();
  const LockRecord& lock_record(const std::string& lock_id) const;
  template <class F>
  auto operate(const std::string& lock_id, F&& f) -> decltype(f());

  std::vector<LockRecord> locks_;
  const Clock& clock_;
  std::uint64_t seed_;
  EmulatedHardwareOptions options_;
  DeviceLog* device_log_ = nullptr;
  int buses_started_ = 0;
  std::unique_ptr<Ble> ble_;                                   // started at the first use of a lock
  std::map<std::string, std::vector<LockCondition>> pending_;  // per lock, in order
  std::map<std::string, std::unique_ptr<PhoneNfc>> readers_;
  std::map<std::pair<std::string, std::string>, std::unique_ptr<PhoneLock>> phone_locks_;
};

}  // namespace kvittens::sim
