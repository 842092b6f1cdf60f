// The seam between the simulated world and the devices the phone talks to. A Hardware gives
// each phone its device face (an NfcReader, and Locks reached by address) and gives the
// runner the control face (hold a tag to a phone, inject a fault). `--hardware none` uses
// SyntheticHardware; the emulated PN532 + BlueZ (sim/emu/) plug in as another Hardware.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "kvittens/device_log.hpp"
#include "kvittens/devices.hpp"
#include "sim/core/doors.hpp"

namespace kvittens::sim {

// What a receipt lock can do wrong (docs/lock-profile.md), as the emulated lock does it.
enum class LockCondition {
  // For the next `count` operations:
  OutOfRange,              // not discoverable, the connection fails → NotFound
  DisconnectDuringUnlock,  // the link drops between UNLOCK and its answer → Disconnected
  NoResponse,              // links up, never resolves its services → Timeout
  WrongKey,                // the lock's key no longer matches the phone's; AuthFailed logged
  LogFull,                 // no room in the log: the lock refuses to act (LP-CMD-7) → Failed
  ReplayLastEntry,         // opens, but answers with the latest Unlock entry it already issued
  BadMac,                  // opens, logs, answers with the entry under a MAC that does not verify
  // From now on (`arg`):
  LowBattery,  // battery drops to `arg` % (default 8): flagged, logged, unlock still works
  ClockDrift,  // the lock's clock jumps by `arg` seconds; its receipts carry that time
};

const char* to_string(LockCondition c);  // "out-of-range", ...
std::optional<LockCondition> parse_lock_condition(std::string_view name);
// How a lock produces a plain device error: not-found is out of range, timeout a lock that does
// not answer, not-permitted a wrong key, failed a full log, protocol a bad MAC. nullopt for
// errors a lock cannot give (no-tag, ...).
std::optional<LockCondition> lock_condition_for(DeviceErrorCode error);
// Errors an NFC reader can give: no-device, no-tag, tag-removed, timeout, protocol, disconnected.
bool nfc_reader_can_fail_with(DeviceErrorCode error);

// A scripted device failure, armed when scenario time reaches it: the next `count` operations
// of the device fail with `error`, or (locks) the lock shows `condition`.
struct DeviceFault {
  enum class Device { Nfc, Lock };
  Device device = Device::Nfc;
  std::string target;  // Nfc: staff id (that phone's reader); Lock: lock id
  DeviceErrorCode error = DeviceErrorCode::Timeout;
  std::optional<LockCondition> condition;  // Lock only; replaces `error`
  std::int64_t arg = 0;                    // LowBattery: percent; ClockDrift: seconds
  int count = 1;
};

class Hardware {
 public:
  virtual ~Hardware() = default;

  // --- control face (the world acting on devices; never used by the phone)
  // The staff member holds the phone to `tag`: it is in that phone's reader field until removed.
  virtual void present_tag(const std::string& staff, const TagOnDoor& tag) = 0;
  virtual void remove_tag(const std::string& staff) = 0;
  virtual void inject(const DeviceFault& fault) = 0;
  // Scenario time moved: devices on the scenario clock catch up (a lock's auto-relock).
  virtual void tick() {}
  // Where the drivers record what crosses their transports (docs/device-log.md); null: nowhere.
  // Hardware without real transports records nothing.
  virtual void set_device_log(DeviceLog* /*log*/) {}

  // --- device face (what the phone's drivers give it)
  virtual NfcReader& reader(const std::string& staff) = 0;
  // The lock with BLE address `lock_id` as `staff`'s phone reaches it; throws
  // DeviceError(NotFound) if there is none.
  virtual Lock& lock(const std::string& staff, const std::string& lock_id) = 0;
};

}  // namespace kvittens::sim
