// The device contracts the staff app (sim::Phone) uses to obtain receipts: an NFC reader
// for kvittensmärken and a BLE receipt lock (trygghetslås). Implementations live in
// drivers/; they talk to real transports (libnfc, BlueZ over D-Bus) and never know
// whether the device on the other end is a lab device or an emulator.
#pragma once

#include <chrono>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "kvittens/model.hpp"

namespace kvittens {

// What went wrong with a device, in terms the app can act on.
enum class DeviceErrorCode {
  NoDevice,      // reader/adapter not found or cannot be opened
  NoTag,         // no tag in the field within the timeout
  TagRemoved,    // tag left the field during the read
  Timeout,       // device did not answer in time
  Protocol,      // malformed frame / reply (bad checksum, wrong length, ...)
  Disconnected,  // device vanished (pty closed, BLE link lost)
  NotFound,      // lock not discoverable / out of range
  NotPermitted,  // authentication refused (wrong key, replay)
  Busy,          // operation already in progress
  Failed,        // any other failure reported by the device stack
};

const char* to_string(DeviceErrorCode);

class DeviceError : public std::runtime_error {
 public:
  DeviceError(DeviceErrorCode code, const std::string& what)
      : std::runtime_error(what), code_(code) {}
  DeviceErrorCode code() const { return code_; }

 private:
  DeviceErrorCode code_;
};

// A kvittensmärke read at the door.
struct TagRead {
  std::string uid;  // "04:A1:B2:C3:D4:E5:80"
  std::uint16_t atqa = 0;
  std::uint8_t sak = 0;
  std::vector<std::uint8_t> memory;  // user memory pages read (NTAG), may be empty
  std::string ndef_text;             // payload of the first NDEF text/URI record, if any
};

class NfcReader {
 public:
  virtual ~NfcReader() = default;
  // Waits up to `timeout` for an ISO14443A tag and reads it. Throws DeviceError.
  virtual TagRead read_tag(std::chrono::milliseconds timeout) = 0;
};

// The lock's status characteristic.
struct LockStatus {
  bool locked = true;
  std::uint8_t battery_percent = 100;
  bool low_battery = false;
};

// What the app holds to open one lock: the staff key id and the key the lock shares.
struct LockCredential {
  std::string lock_id;  // BLE address
  std::uint16_t key_id = 0;
  std::vector<std::uint8_t> key;  // 32 bytes
};

class Lock {
 public:
  virtual ~Lock() = default;
  // Authenticated unlock; returns the lock's signed log entry for the unlock (the receipt).
  // Throws DeviceError.
  virtual LockEvent unlock(const LockCredential& credential, std::chrono::milliseconds timeout) = 0;
  virtual void relock(const LockCredential& credential, std::chrono::milliseconds timeout) = 0;
  virtual LockStatus status(std::chrono::milliseconds timeout) = 0;
};

}  // namespace kvittens
