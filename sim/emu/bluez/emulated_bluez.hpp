// The emulated BlueZ: owns org.bluez on a (private) bus and presents what bluetoothd presents —
// ObjectManager at /, Adapter1 hci0, a Device1 with GattService1/GattCharacteristic1 objects per
// emulated lock — plus the control face org.kvittens.Mock at /org/bluez. All D-Bus work runs on
// one loop thread; the C++ control methods below hand their work to it and wait.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kvittens/clock.hpp"
#include "kvittens/model.hpp"
#include "sim/emu/bluez/emulated_lock.hpp"

namespace kvittens::emu {

enum class LockFault {
  OutOfRange,              // device vanishes from the bus and from discovery
  DisconnectDuringUnlock,  // the next UNLOCK write loses the link before the lock acts
  LowBattery,              // arg: percent (default 8)
  WrongKey,                // the lock's key no longer matches the staff credential
  ClockDrift,              // arg: seconds the lock clock jumps
  LogFull,                 // the log has no room: the lock refuses to act (LP-CMD-7)
  NoResponse,              // accepts a link but never resolves its services (until cleared)
  ReplayLastEntry,         // answers the next UNLOCK with the latest Unlock entry it issued
  BadMac,                  // answers the next UNLOCK with an entry whose MAC does not verify
  // Vendor defects (until cleared), one per requirement the certification checks
  // (docs/certification.md): EmulatedLock::Defects, and these of the GATT presentation:
  NoAdvertisedUuid,         // Device1.UUIDs lacks the Receipt Lock service (LP-ADV-2)
  DuplicateCharacteristic,  // a second Status characteristic in the service (LP-GATT-1)
  WrongFlags,               // Control Point says write-without-response (LP-GATT-5)
  NoStatusNotifications,    // Status never notifies (LP-STAT-1)
  BatteryMisreported,
  ReceiptWrongKeyId,
  LockIgnored,
  NoAutoRelock,
  RepeatedNonce,
  StaleNonceAccepted,
  ReplayAccepted,
  WrongKeyAccepted,
  NonAdminTimeSet,
  NoLogReadout,
  LogLostOnReconnect,
  SeqGap,
  NoMac,
  UnlockOnDisconnect,
};

// Every fault, in declaration order.
const std::vector<LockFault>& all_lock_faults();

const char* to_string(LockFault);  // "out-of-range", ...
std::optional<LockFault> parse_lock_fault(std::string_view);

struct EmulatedBluezOptions {
  std::string adapter = "hci0";
  std::string adapter_address = "00:1A:7D:DA:71:01";
  std::string adapter_name = "kvittens-emulated";
  // Nonce source for the locks' challenges; empty = cryptographic random.
  EmulatedLock::NonceSource nonces;
};

class EmulatedBluez {
 public:
  // Connects to the bus at `bus_address`, registers the objects, then owns org.bluez.
  // `clock` is the locks' time base and must outlive this object.
  EmulatedBluez(const std::string& bus_address, const Clock& clock,
                EmulatedBluezOptions options = {});
  ~EmulatedBluez();
  EmulatedBluez(const EmulatedBluez&) = delete;
  EmulatedBluez& operator=(const EmulatedBluez&) = delete;

  // The lock is in range at once: its Device1 object appears (InterfacesAdded).
  // Returns the device object path.
  std::string add_lock(LockConfig config);
  void remove_lock(const std::string& address);

  void inject(const std::string& address, LockFault fault, std::int64_t arg = 0);
  void clear(const std::string& address, LockFault fault);
  void set_lock_time(const std::string& address, std::int64_t unix_seconds);
  // Applies what is due by the clock (auto-relock) and notifies subscribed clients.
  void tick();

  std::vector<LockEvent> log(const std::string& address) const;
  lock_protocol::StatusRecord status(const std::string& address) const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace kvittens::emu
