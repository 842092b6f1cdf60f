// The seam between the simulated world and the devices the phone talks to. A Hardware gives
// each phone its device face (an NfcReader, and Locks reached by address) and gives the
// runner the control face (hold a tag to a phone, inject a fault). `--hardware none` uses
// SyntheticHardware; the emulated PN532 + BlueZ (sim/emu/) plug in as another Hardware.
#pragma once

#include <string>

#include "kvittens/devices.hpp"
#include "sim/core/doors.hpp"

namespace kvittens::sim {

// A scripted device failure: the next `count` operations of the device fail with `error`.
struct DeviceFault {
  enum class Device { Nfc, Lock };
  Device device = Device::Nfc;
  std::string target;  // Nfc: staff id (that phone's reader); Lock: lock id
  DeviceErrorCode error = DeviceErrorCode::Timeout;
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

  // --- device face (what the phone's drivers give it)
  virtual NfcReader& reader(const std::string& staff) = 0;
  // The lock with BLE address `lock_id`; throws DeviceError(NotFound) if there is none.
  virtual Lock& lock(const std::string& lock_id) = 0;
};

}  // namespace kvittens::sim
