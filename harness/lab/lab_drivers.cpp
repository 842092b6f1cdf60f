#include "harness/lab/lab_drivers.hpp"

namespace kvittens::harness {

using std::chrono::milliseconds;

LabLockDevice::LabLockDevice(const LabLock& lab, const Clock& clock)
    : lab_(lab),
      clock_(clock),
      driver_(ble::open_bus(lab.bus),
              ble::BluezLockOptions{.address = lab.lock, .adapter = lab.adapter}) {}

LockEvent LabLockDevice::unlock(const LockCredential& credential, milliseconds timeout) {
  set_time(timeout);
  return driver_.unlock(credential, timeout);
}

void LabLockDevice::relock(const LockCredential& credential, milliseconds timeout) {
  set_time(timeout);
  driver_.relock(credential, timeout);
}

LockStatus LabLockDevice::status(milliseconds timeout) {
  return driver_.status(timeout);
}

void LabLockDevice::set_log(DeviceLog* log) {
  driver_.set_log(log);
}

void LabLockDevice::set_time(milliseconds timeout) {
  if (lab_.admin_key.empty()) return;
  driver_.set_time({lab_.lock, lab_.admin_key_id, lab_.admin_key},
                   clock_.now().time_since_epoch().count(), timeout);
}

drivers::LibnfcReader& LabNfcReaders::at(const std::string& connstring) {
  auto& d = readers_[connstring];
  if (!d) {
    drivers::LibnfcReaderOptions options;
    options.log = log_;
    d = std::make_unique<drivers::LibnfcReader>(connstring, options);
  }
  return *d;
}

void LabNfcReaders::set_log(DeviceLog* log) {
  log_ = log;
  for (auto& [c, d] : readers_) d->set_log(log);
}

}  // namespace kvittens::harness
