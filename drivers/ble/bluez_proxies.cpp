// The org.bluez client parts BluezLock and GattInspector share (bluez_proxies.hpp).
#include "drivers/ble/bluez_proxies.hpp"

#include <algorithm>
#include <cctype>
#include <cstdint>

namespace kvittens::ble::dbus {

std::string upper(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

bool is_below(const std::string& path, const std::string& parent) {
  return path.rfind(parent + "/", 0) == 0;
}

std::string props_text(const Props& props, std::string (*form)(const sdbus::Variant&)) {
  std::string out;
  for (const auto& [name, value] : props) {
    if (!out.empty()) out += ' ';
    out += name + "=" + form(value);
  }
  return out;
}

DeviceError to_device_error(const sdbus::Error& e, const std::string& where, bool connecting) {
  const auto& name = e.getName();
  const std::string what = where + ": " + name + ": " + e.getMessage();
  const auto is = [&](const char* n) { return name == n; };
  namespace err = bluez::error;
  if (is(err::kNotConnected)) return {DeviceErrorCode::Disconnected, what};
  if (is(err::kFailed)) {
    if (connecting) return {DeviceErrorCode::NotFound, what};
    if (e.getMessage() == "Not connected") return {DeviceErrorCode::Disconnected, what};
    return {DeviceErrorCode::Failed, what};
  }
  if (is(err::kInProgress)) return {DeviceErrorCode::Busy, what};
  if (is(err::kNotPermitted) || is(err::kNotAuthorized)) {
    return {DeviceErrorCode::NotPermitted, what};
  }
  if (is(err::kNotReady)) return {DeviceErrorCode::NoDevice, what};
  if (is(err::kDoesNotExist) || is("org.freedesktop.DBus.Error.UnknownObject") ||
      is("org.freedesktop.DBus.Error.UnknownMethod")) {
    return {DeviceErrorCode::NotFound, what};
  }
  if (is("org.freedesktop.DBus.Error.ServiceUnknown") ||
      is("org.freedesktop.DBus.Error.NameHasNoOwner")) {
    return {DeviceErrorCode::NoDevice, what + " (is bluetoothd running?)"};
  }
  if (is("org.freedesktop.DBus.Error.Timeout") || is("org.freedesktop.DBus.Error.NoReply") ||
      name.find("ETIMEDOUT") != std::string::npos) {
    return {DeviceErrorCode::Timeout, what};
  }
  return {DeviceErrorCode::Failed, what};
}

void require_adapter(const ManagedObjects& objects, const std::string& adapter_path) {
  const auto adapter = objects.find(sdbus::ObjectPath(adapter_path));
  if (adapter == objects.end() || !adapter->second.count(bluez::kAdapterInterface)) {
    throw DeviceError(DeviceErrorCode::NoDevice, "no Bluetooth adapter " + adapter_path);
  }
  const auto& props = adapter->second.at(bluez::kAdapterInterface);
  if (auto p = props.find("Powered"); p != props.end() && !p->second.get<bool>()) {
    throw DeviceError(DeviceErrorCode::NoDevice,
                      "Bluetooth adapter " + adapter_path + " is powered off");
  }
}

void set_call_timeout(sdbus::IConnection& bus, std::chrono::milliseconds timeout) {
  bus.setMethodCallTimeout(
      static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                     std::max(timeout, std::chrono::milliseconds(1)))
                                     .count()));
}

DeviceLogEntry log_entry(std::string device, std::string direction, std::string what,
                         std::string detail, std::string verdict) {
  DeviceLogEntry e;
  e.device = std::move(device);
  e.transport = "dbus";
  e.direction = std::move(direction);
  e.what = std::move(what);
  e.detail = std::move(detail);
  e.verdict = std::move(verdict);
  e.wall = std::chrono::system_clock::now();
  return e;
}

ObjectManagerProxy::ObjectManagerProxy(sdbus::IConnection& bus, OnAdded on_added)
    : ProxyInterfaces(bus, bluez::kService, bluez::kRootPath), on_added_(std::move(on_added)) {
  registerProxy();
}

ObjectManagerProxy::~ObjectManagerProxy() {
  unregisterProxy();
}

void ObjectManagerProxy::onInterfacesAdded(const sdbus::ObjectPath& path,
                                           const Interfaces& interfaces) {
  on_added_(path, interfaces);
}

AdapterProxy::AdapterProxy(sdbus::IConnection& bus, const std::string& path)
    : ProxyInterfaces(bus, bluez::kService, path) {
  registerProxy();
}

AdapterProxy::~AdapterProxy() {
  unregisterProxy();
}

}  // namespace kvittens::ble::dbus
