// Generic GATT inspection of one BLE device through BlueZ's D-Bus API: what a conformance
// bench needs beyond the Lock contract — discovery with the advertised service UUIDs, the GATT
// database (services, characteristics and their flags), raw reads and writes, notifications
// with their arrival time, and link control. It knows no lock protocol. Every D-Bus call,
// reply, error and signal it sees is handed to the recorder as a DeviceLogEntry, so a
// certification can show the frames a verdict rests on.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <sdbus-c++/IConnection.h>

#include "kvittens/device_log.hpp"

namespace kvittens::ble {

struct GattDevice {
  std::string path;
  std::string address;
  std::string name;
  std::vector<std::string> uuids;  // Device1.UUIDs: the advertised / resolved service UUIDs
  bool connected = false;
  bool services_resolved = false;
};

struct GattService {
  std::string path;
  std::string uuid;
  bool primary = false;
};

struct GattCharacteristic {
  std::string path;
  std::string uuid;
  std::string service;             // object path of its service
  std::vector<std::string> flags;  // BlueZ's names: "read", "write", "notify", ...
};

struct GattNotification {
  std::string path;  // the characteristic
  std::vector<std::uint8_t> value;
  std::chrono::steady_clock::time_point at;
};

class GattInspector {
 public:
  using Recorder = std::function<void(DeviceLogEntry)>;  // called from any thread

  // Takes the connection and runs its event loop (InterfacesAdded, PropertiesChanged).
  GattInspector(std::unique_ptr<sdbus::IConnection> bus, std::string address,
                std::string adapter = "hci0", Recorder recorder = {});
  ~GattInspector();
  GattInspector(const GattInspector&) = delete;
  GattInspector& operator=(const GattInspector&) = delete;

  // The device as BlueZ knows it now, or nullopt. Throws DeviceError NoDevice when there is no
  // org.bluez, no such adapter, or it is powered off.
  std::optional<GattDevice> find(std::chrono::milliseconds timeout);
  // An LE discovery until the device is announced (or already known) or `timeout` passes.
  std::optional<GattDevice> discover(std::chrono::milliseconds timeout);

  // Device1.Connect, then waits for ServicesResolved. Throws DeviceError: NotFound (no device
  // object, connect refused), Timeout (services not resolved in time), Disconnected.
  void connect(std::chrono::milliseconds timeout);
  // Device1.Disconnect, then waits for Connected to turn false.
  void disconnect(std::chrono::milliseconds timeout);
  bool connected() const;  // as last signalled by BlueZ
  // Waits until BlueZ has signalled the link `up` (or down); false when `timeout` passed first.
  // For a link another client brought up or down.
  bool wait_link(bool up, std::chrono::milliseconds timeout);

  // The device's GATT database (its objects below the device path).
  std::vector<GattService> services(std::chrono::milliseconds timeout);
  std::vector<GattCharacteristic> characteristics(std::chrono::milliseconds timeout);

  // GattCharacteristic1.WriteValue (type "request": write with response) / ReadValue. Throw
  // DeviceError mapped from BlueZ's error (Disconnected, NotPermitted, Failed, Timeout ...).
  void write(const std::string& characteristic, const std::vector<std::uint8_t>& value,
             std::chrono::milliseconds timeout);
  std::vector<std::uint8_t> read(const std::string& characteristic,
                                 std::chrono::milliseconds timeout);
  void start_notify(const std::string& characteristic, std::chrono::milliseconds timeout);
  void stop_notify(const std::string& characteristic, std::chrono::milliseconds timeout);

  // Value notifications received since construction, in order of arrival.
  std::size_t notification_count() const;
  // The first notification on `characteristic` with index >= `from`, waiting up to `timeout`.
  std::optional<GattNotification> wait_notification(const std::string& characteristic,
                                                    std::size_t from,
                                                    std::chrono::milliseconds timeout);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace kvittens::ble
