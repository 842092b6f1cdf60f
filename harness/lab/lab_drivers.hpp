// How the lab's real devices are talked to: the same drivers as the emulated mode (libnfc for
// the readers, BlueZ for the locks), opened on the resources the lab file names, each opened
// once and kept for the run, every crossing written to the run's device log.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <string>

#include "drivers/ble/bluez_lock.hpp"
#include "drivers/nfc/libnfc_reader.hpp"
#include "harness/lab/lab_file.hpp"
#include "kvittens/clock.hpp"
#include "kvittens/device_log.hpp"
#include "kvittens/devices.hpp"

namespace kvittens::harness {

// A real lock; before each operation its clock is set to scenario time with the admin key
// (LP-CMD-5), so its receipts carry the time the backend judges the visit by. Without an admin
// key in the lab file the lock keeps its own time.
class LabLockDevice final : public Lock {
 public:
  LabLockDevice(const LabLock& lab, const Clock& clock);
  LockEvent unlock(const LockCredential& credential, std::chrono::milliseconds timeout) override;
  void relock(const LockCredential& credential, std::chrono::milliseconds timeout) override;
  LockStatus status(std::chrono::milliseconds timeout) override;
  void set_log(DeviceLog* log);

 private:
  void set_time(std::chrono::milliseconds timeout);
  const LabLock& lab_;
  const Clock& clock_;
  ble::BluezLock driver_;
};

// The lab's NFC readers by libnfc connstring, each opened when first read from.
class LabNfcReaders {
 public:
  drivers::LibnfcReader& at(const std::string& connstring);
  // Readers opened from now on log to `log`, and so do those already open.
  void set_log(DeviceLog* log);

 private:
  DeviceLog* log_ = nullptr;
  std::map<std::string, std::unique_ptr<drivers::LibnfcReader>> readers_;
};

}  // namespace kvittens::harness
