// kvittens::Lock over BlueZ's D-Bus API (org.bluez Adapter1/Device1/GattCharacteristic1) with
// sdbus-c++: discovers the lock by address, connects, finds the Receipt Lock service of
// docs/lock-profile.md by UUID, authenticates by challenge-response and returns the lock's
// signed log entry. The bus is given, so the same code runs against bluetoothd on the system
// bus and against any other org.bluez on another bus.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include <sdbus-c++/IConnection.h>

#include "kvittens/device_log.hpp"
#include "kvittens/devices.hpp"

namespace kvittens::ble {

// The system bus when `address` is empty (honours DBUS_SYSTEM_BUS_ADDRESS), else that address.
std::unique_ptr<sdbus::IConnection> open_bus(const std::string& address = "");

struct BluezLockOptions {
  std::string address;  // the lock, "AA:BB:CC:DD:EE:01"
  std::string adapter = "hci0";
  // Upper bound of a discovery; an operation's own timeout may cut it shorter.
  std::chrono::milliseconds discovery_timeout{8000};
  int connect_attempts = 2;  // Connect is retried on org.bluez.Error.Failed/InProgress
  // Where every D-Bus method call, reply, error and signal of this lock is recorded
  // (docs/device-log.md); none when null. Not owned; set_log() changes it later.
  DeviceLog* log = nullptr;
};

class BluezLock : public Lock {
 public:
  // Takes the connection and runs its event loop (signals: InterfacesAdded, PropertiesChanged).
  BluezLock(std::unique_ptr<sdbus::IConnection> bus, BluezLockOptions options);
  ~BluezLock() override;
  BluezLock(const BluezLock&) = delete;
  BluezLock& operator=(const BluezLock&) = delete;

  // Every call connects, does its work and disconnects; each throws DeviceError:
  //   NoDevice (no org.bluez / adapter / powered off), NotFound (not discovered, connect
  //   failed), Disconnected (link lost), NotPermitted (AUTH_FAILED, REPLAY), Busy, Timeout,
  //   Protocol (malformed response, receipt that does not verify), Failed (LOG_FULL, others).
  LockEvent unlock(const LockCredential& credential, std::chrono::milliseconds timeout) override;
  void relock(const LockCredential& credential, std::chrono::milliseconds timeout) override;
  LockStatus status(std::chrono::milliseconds timeout) override;

  // Admin commands (LP-CMD-5/6) with the provider's admin key in `admin.key`.
  LockEvent set_time(const LockCredential& admin, std::int64_t unix_seconds,
                     std::chrono::milliseconds timeout);
  LockEvent read_log(const LockCredential& admin, std::uint32_t seq,
                     std::chrono::milliseconds timeout);

  // The lock's status as last seen in the latest operation: notified (LP-STAT-1) or read
  // after the command.
  std::optional<LockStatus> last_notified_status() const;

  // The device log from now on (null: none). The log must outlive its use here.
  void set_log(DeviceLog* log) { log_.store(log); }

 private:
  class Session;
  struct Shared;

  // Records one D-Bus crossing in the device log, if there is one.
  void note(const char* direction, std::string what, std::string detail, std::string verdict) const;

  LockEvent authenticated(const LockCredential& credential, std::uint8_t opcode, std::uint32_t arg,
                          std::chrono::milliseconds timeout);

  BluezLockOptions options_;
  std::unique_ptr<sdbus::IConnection> bus_;
  std::shared_ptr<Shared> shared_;
  std::atomic<DeviceLog*> log_{nullptr};
};

}  // namespace kvittens::ble
