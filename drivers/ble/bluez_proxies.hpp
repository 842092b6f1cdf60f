// What the two org.bluez clients of this driver (BluezLock, GattInspector) share: sdbus-c++
// proxy classes over the interfaces generated from dbus/*.xml, BlueZ's D-Bus error names as
// DeviceError, and the device-log record of a D-Bus crossing. Internal to drivers/ble: the
// generated proxy headers are on this library's include path only.
#pragma once

#include <sdbus-c++/sdbus-c++.h>

#include <chrono>
#include <functional>
#include <map>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "drivers/ble/bluez_names.hpp"
#include "kvittens/device_log.hpp"
#include "kvittens/devices.hpp"
#include "org.bluez.Adapter1_proxy.h"
#include "org.bluez.Device1_proxy.h"
#include "org.bluez.GattCharacteristic1_proxy.h"

namespace kvittens::ble::dbus {

using Props = std::map<std::string, sdbus::Variant>;
using Interfaces = std::map<std::string, Props>;
using ManagedObjects = std::map<sdbus::ObjectPath, Interfaces>;

inline constexpr const char* kProperties = "org.freedesktop.DBus.Properties";
inline constexpr const char* kObjectManager = "org.freedesktop.DBus.ObjectManager";

// "AA:bb:..." -> "AA:BB:...": BLE addresses compare case-insensitively.
std::string upper(std::string s);

// Whether object `path` lies below `parent` ("/org/bluez/hci0/dev_X/service0001" below
// "/org/bluez/hci0/dev_X").
bool is_below(const std::string& path, const std::string& parent);

// "Name=value Name=value" of a property map, each value in `form` (the device log's short
// forms differ between the lock driver and the inspector).
std::string props_text(const Props& props, std::string (*form)(const sdbus::Variant&));

// BlueZ's error names in terms the app can act on, with the message "where: name: message".
// `connecting`: during Device1.Connect a plain Failed means the device did not answer the
// connection request (out of range), so it is NotFound.
DeviceError to_device_error(const sdbus::Error& e, const std::string& where,
                            bool connecting = false);

// Throws DeviceError NoDevice unless `objects` has the adapter at `adapter_path` and it is not
// powered off.
void require_adapter(const ManagedObjects& objects, const std::string& adapter_path);

// The bus's timeout for the next method calls (at least 1 ms).
void set_call_timeout(sdbus::IConnection& bus, std::chrono::milliseconds timeout);

// A device-log entry of one D-Bus crossing (transport "dbus", wall time now).
DeviceLogEntry log_entry(std::string device, std::string direction, std::string what,
                         std::string detail, std::string verdict);

// One method call `f` as the device log sees it: `note(direction, what, detail, verdict)` is
// told of the call, then of its reply (a result in `reply_form(result)`) or its error.
// sdbus::Error is rethrown for the caller to map.
template <class Note, class ReplyForm, class F>
auto recorded_call(const Note& note, const std::string& what, std::string detail,
                   const ReplyForm& reply_form, F&& f) -> decltype(f()) {
  note("call", what, std::move(detail), "");
  try {
    if constexpr (std::is_void_v<decltype(f())>) {
      f();
      note("reply", what, "", "ok");
    } else {
      auto result = f();
      note("reply", what, reply_form(result), "ok");
      return result;
    }
  } catch (const sdbus::Error& e) {
    note("error", what, e.getMessage(), e.getName());
    throw;
  }
}

// org.freedesktop.DBus.ObjectManager of org.bluez at "/"; InterfacesAdded goes to `on_added`.
class ObjectManagerProxy final : public sdbus::ProxyInterfaces<sdbus::ObjectManager_proxy> {
 public:
  using OnAdded = std::function<void(const std::string& path, const Interfaces& interfaces)>;
  ObjectManagerProxy(sdbus::IConnection& bus, OnAdded on_added);
  ~ObjectManagerProxy();

 private:
  void onInterfacesAdded(const sdbus::ObjectPath& path, const Interfaces& interfaces) override;
  void onInterfacesRemoved(const sdbus::ObjectPath&, const std::vector<std::string>&) override {}
  OnAdded on_added_;
};

class AdapterProxy final : public sdbus::ProxyInterfaces<org::bluez::Adapter1_proxy> {
 public:
  AdapterProxy(sdbus::IConnection& bus, const std::string& path);
  ~AdapterProxy();
};

using OnChanged = std::function<void(const std::string& path, const std::string& interface,
                                     const Props& changed)>;

// A BlueZ object's `Interface` with its PropertiesChanged signals going to `on_changed` (with
// the object's path), or nowhere when it is empty.
template <class Interface>
class WatchedProxy final : public sdbus::ProxyInterfaces<Interface, sdbus::Properties_proxy> {
  using Base = sdbus::ProxyInterfaces<Interface, sdbus::Properties_proxy>;

 public:
  WatchedProxy(sdbus::IConnection& bus, std::string path, OnChanged on_changed = {})
      : Base(bus, bluez::kService, path),
        path_(std::move(path)),
        on_changed_(std::move(on_changed)) {
    this->registerProxy();
  }
  ~WatchedProxy() { this->unregisterProxy(); }

 private:
  void onPropertiesChanged(const std::string& interface, const Props& changed,
                           const std::vector<std::string>&) override {
    if (on_changed_) on_changed_(path_, interface, changed);
  }
  std::string path_;
  OnChanged on_changed_;
};

using DeviceProxy = WatchedProxy<org::bluez::Device1_proxy>;
using CharacteristicProxy = WatchedProxy<org::bluez::GattCharacteristic1_proxy>;

}  // namespace kvittens::ble::dbus
