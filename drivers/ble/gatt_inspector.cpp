// Generic GATT inspection over org.bluez, every crossing recorded (gatt_inspector.hpp).
#include "drivers/ble/gatt_inspector.hpp"

#include <sdbus-c++/sdbus-c++.h>

#include <algorithm>
#include <cctype>
#include <condition_variable>
#include <map>
#include <mutex>

#include "drivers/ble/bluez_names.hpp"
#include "kvittens/devices.hpp"
#include "kvittens/lock_receipt.hpp"
#include "org.bluez.Adapter1_proxy.h"
#include "org.bluez.Device1_proxy.h"
#include "org.bluez.GattCharacteristic1_proxy.h"

namespace kvittens::ble {
namespace {

using Props = std::map<std::string, sdbus::Variant>;
using Interfaces = std::map<std::string, Props>;
using ManagedObjects = std::map<sdbus::ObjectPath, Interfaces>;
using Steady = std::chrono::steady_clock;

std::string upper(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

std::string leaf(const std::string& path) {
  const auto slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

// BlueZ's error names as DeviceError codes (the subset a bench meets).
DeviceErrorCode code_of(const sdbus::Error& e, bool connecting) {
  const auto& n = e.getName();
  namespace err = bluez::error;
  if (n == err::kNotConnected) return DeviceErrorCode::Disconnected;
  if (n == err::kFailed) {
    if (connecting) return DeviceErrorCode::NotFound;
    return e.getMessage() == "Not connected" ? DeviceErrorCode::Disconnected
                                             : DeviceErrorCode::Failed;
  }
  if (n == err::kInProgress) return DeviceErrorCode::Busy;
  if (n == err::kNotPermitted || n == err::kNotAuthorized) return DeviceErrorCode::NotPermitted;
  if (n == err::kNotReady || n == "org.freedesktop.DBus.Error.ServiceUnknown" ||
      n == "org.freedesktop.DBus.Error.NameHasNoOwner") {
    return DeviceErrorCode::NoDevice;
  }
  if (n == err::kDoesNotExist || n == "org.freedesktop.DBus.Error.UnknownObject" ||
      n == "org.freedesktop.DBus.Error.UnknownMethod") {
    return DeviceErrorCode::NotFound;
  }
  if (n == "org.freedesktop.DBus.Error.Timeout" || n == "org.freedesktop.DBus.Error.NoReply" ||
      n.find("ETIMEDOUT") != std::string::npos) {
    return DeviceErrorCode::Timeout;
  }
  return DeviceErrorCode::Failed;
}

std::string short_form(const sdbus::Variant& v) {
  const auto sig = v.peekValueType();
  if (sig == "b") return v.get<bool>() ? "true" : "false";
  if (sig == "s") return v.get<std::string>();
  if (sig == "ay") return lock_receipt::to_hex(v.get<std::vector<std::uint8_t>>());
  if (sig == "as") {
    std::string out;
    for (const auto& x : v.get<std::vector<std::string>>()) out += (out.empty() ? "" : ",") + x;
    return "[" + out + "]";
  }
  if (sig == "q") return std::to_string(v.get<std::uint16_t>());
  if (sig == "n") return std::to_string(v.get<std::int16_t>());
  return "(" + sig + ")";
}

std::string props_form(const Props& props) {
  std::string out;
  for (const auto& [name, value] : props) {
    if (!out.empty()) out += " ";
    out += name + "=" + short_form(value);
  }
  return out;
}

class RootProxy final : public sdbus::ProxyInterfaces<sdbus::ObjectManager_proxy> {
 public:
  using OnAdded = std::function<void(const std::string&, const Interfaces&)>;
  RootProxy(sdbus::IConnection& bus, OnAdded on_added)
      : ProxyInterfaces(bus, bluez::kService, bluez::kRootPath), on_added_(std::move(on_added)) {
    registerProxy();
  }
  ~RootProxy() { unregisterProxy(); }

 private:
  void onInterfacesAdded(const sdbus::ObjectPath& path, const Interfaces& ifs) override {
    on_added_(path, ifs);
  }
  void onInterfacesRemoved(const sdbus::ObjectPath&, const std::vector<std::string>&) override {}
  OnAdded on_added_;
};

class AdapterProxy final : public sdbus::ProxyInterfaces<org::bluez::Adapter1_proxy> {
 public:
  AdapterProxy(sdbus::IConnection& bus, const std::string& path)
      : ProxyInterfaces(bus, bluez::kService, path) {
    registerProxy();
  }
  ~AdapterProxy() { unregisterProxy(); }
};

using OnChanged = std::function<void(const std::string& path, const std::string& interface,
                                     const Props& changed)>;

template <class Interface>
class WatchedProxy final : public sdbus::ProxyInterfaces<Interface, sdbus::Properties_proxy> {
  using Base = sdbus::ProxyInterfaces<Interface, sdbus::Properties_proxy>;

 public:
  WatchedProxy(sdbus::IConnection& bus, std::string path, OnChanged on_changed)
      : Base(bus, bluez::kService, path),
        path_(std::move(path)),
        on_changed_(std::move(on_changed)) {
    this->registerProxy();
  }
  ~WatchedProxy() { this->unregisterProxy(); }

 private:
  void onPropertiesChanged(const std::string& interface, const Props& changed,
                           const std::vector<std::string>&) override {
    on_changed_(path_, interface, changed);
  }
  std::string path_;
  OnChanged on_changed_;
};

using DeviceProxy = WatchedProxy<org::bluez::Device1_proxy>;
using CharProxy = WatchedProxy<org::bluez::GattCharacteristic1_proxy>;

}  // namespace

struct GattInspector::Impl {
  Impl(std::unique_ptr<sdbus::IConnection> b, std::string addr, std::string adapter_name,
       Recorder rec)
      : bus(std::move(b)),
        address(upper(std::move(addr))),
        adapter_path(std::string(bluez::kBluezPath) + "/" + adapter_name),
        device_path(bluez::device_path(adapter_name, address)),
        device_label("lock:" + address),
        recorder(std::move(rec)) {
    root =
        std::make_unique<RootProxy>(*bus, [this](const std::string& path, const Interfaces& ifs) {
          const auto dev = ifs.find(bluez::kDeviceInterface);
          if (dev == ifs.end()) return;
          const auto a = dev->second.find("Address");
          if (a == dev->second.end() || upper(a->second.get<std::string>()) != address) return;
          record("signal", "org.freedesktop.DBus.ObjectManager.InterfacesAdded",
                 leaf(path) + " " + props_form(dev->second), "ok");
          std::lock_guard lock(mutex);
          announced = true;
          changed.notify_all();
        });
    device = std::make_unique<DeviceProxy>(
        *bus, device_path, [this](const std::string& p, const std::string& i, const Props& c) {
          on_changed(p, i, c);
        });
    bus->enterEventLoopAsync();
  }

  ~Impl() {
    bus->leaveEventLoop();
    chars.clear();
    device.reset();
    adapter.reset();
    root.reset();
  }

  void record(std::string direction, std::string what, std::string detail, std::string verdict) {
    if (!recorder) return;
    DeviceLogEntry e;
    e.device = device_label;
    e.transport = "dbus";
    e.direction = std::move(direction);
    e.what = std::move(what);
    e.detail = std::move(detail);
    e.verdict = std::move(verdict);
    e.wall = std::chrono::system_clock::now();
    recorder(std::move(e));
  }

  // One recorded method call with its own timeout.
  template <class F>
  auto call(const std::string& what, const std::string& detail, std::chrono::milliseconds timeout,
            F f, bool connecting = false) -> decltype(f()) {
    record("call", what, detail, "");
    bus->setMethodCallTimeout(
        static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                       std::max(timeout, std::chrono::milliseconds(1)))
                                       .count()));
    try {
      if constexpr (std::is_void_v<decltype(f())>) {
        f();
        record("reply", what, "", "ok");
      } else {
        auto r = f();
        record("reply", what, reply_form(r), "ok");
        return r;
      }
    } catch (const sdbus::Error& e) {
      record("error", what, e.getMessage(), e.getName());
      throw DeviceError(code_of(e, connecting), what + ": " + e.getName() + ": " + e.getMessage());
    }
  }

  static std::string reply_form(const std::vector<std::uint8_t>& v) {
    return lock_receipt::to_hex(v);
  }
  static std::string reply_form(bool b) { return b ? "true" : "false"; }
  // The object count, and this device's Device1 properties when it is among them.
  std::string reply_form(const ManagedObjects& m) const {
    std::string out = std::to_string(m.size()) + " objects";
    const auto it = m.find(sdbus::ObjectPath(device_path));
    if (it != m.end()) {
      const auto dev = it->second.find(bluez::kDeviceInterface);
      if (dev != it->second.end()) out += "; " + leaf(device_path) + " " + props_form(dev->second);
    }
    // Its GATT objects with the properties a bench judges.
    for (const auto& [path, ifs] : m) {
      if (std::string(path).rfind(device_path + "/", 0) != 0) continue;
      for (const char* iface :
           {bluez::kGattServiceInterface, bluez::kGattCharacteristicInterface}) {
        const auto found = ifs.find(iface);
        if (found == ifs.end()) continue;
        Props shown;
        for (const char* name : {"UUID", "Primary", "Flags"}) {
          if (auto p = found->second.find(name); p != found->second.end()) shown[name] = p->second;
        }
        out += "; " + leaf(path) + " " + props_form(shown);
      }
    }
    return out;
  }

  void on_changed(const std::string& path, const std::string& interface, const Props& c) {
    record("signal", "org.freedesktop.DBus.Properties.PropertiesChanged",
           leaf(path) + " " + interface + " " + props_form(c), "ok");
    std::lock_guard lock(mutex);
    if (interface == bluez::kDeviceInterface) {
      if (auto it = c.find("Connected"); it != c.end()) link_up = it->second.get<bool>();
      if (auto it = c.find("ServicesResolved"); it != c.end()) {
        resolved = it->second.get<bool>();
      }
    }
    if (interface == bluez::kGattCharacteristicInterface) {
      if (auto it = c.find("Value"); it != c.end()) {
        notes.push_back({path, it->second.get<std::vector<std::uint8_t>>(), Steady::now()});
      }
    }
    changed.notify_all();
  }

  ManagedObjects managed(std::chrono::milliseconds timeout) {
    return call("org.freedesktop.DBus.ObjectManager.GetManagedObjects", "", timeout,
                [&] { return root->GetManagedObjects(); });
  }

  std::optional<GattDevice> device_in(const ManagedObjects& objects) const {
    const auto it = objects.find(sdbus::ObjectPath(device_path));
    if (it == objects.end()) return std::nullopt;
    const auto dev = it->second.find(bluez::kDeviceInterface);
    if (dev == it->second.end()) return std::nullopt;
    GattDevice d;
    d.path = device_path;
    const auto& p = dev->second;
    const auto get = [&](const char* name) -> const sdbus::Variant* {
      const auto f = p.find(name);
      return f == p.end() ? nullptr : &f->second;
    };
    if (auto v = get("Address")) d.address = v->get<std::string>();
    if (auto v = get("Name")) d.name = v->get<std::string>();
    if (auto v = get("UUIDs")) d.uuids = v->get<std::vector<std::string>>();
    if (auto v = get("Connected")) d.connected = v->get<bool>();
    if (auto v = get("ServicesResolved")) d.services_resolved = v->get<bool>();
    return d;
  }

  void require_adapter(const ManagedObjects& objects) const {
    const auto a = objects.find(sdbus::ObjectPath(adapter_path));
    if (a == objects.end() || !a->second.count(bluez::kAdapterInterface)) {
      throw DeviceError(DeviceErrorCode::NoDevice, "no Bluetooth adapter " + adapter_path);
    }
    const auto& props = a->second.at(bluez::kAdapterInterface);
    if (auto p = props.find("Powered"); p != props.end() && !p->second.get<bool>()) {
      throw DeviceError(DeviceErrorCode::NoDevice,
                        "Bluetooth adapter " + adapter_path + " is powered off");
    }
  }

  CharProxy& characteristic(const std::string& path) {
    auto& slot = chars[path];
    if (!slot) {
      slot = std::make_unique<CharProxy>(
          *bus, path, [this](const std::string& p, const std::string& i, const Props& c) {
            on_changed(p, i, c);
          });
    }
    return *slot;
  }

  std::unique_ptr<sdbus::IConnection> bus;
  std::string address;
  std::string adapter_path;
  std::string device_path;
  std::string device_label;
  Recorder recorder;
  std::unique_ptr<RootProxy> root;
  std::unique_ptr<AdapterProxy> adapter;
  std::unique_ptr<DeviceProxy> device;
  std::map<std::string, std::unique_ptr<CharProxy>> chars;

  mutable std::mutex mutex;
  std::condition_variable changed;
  bool announced = false;
  bool link_up = false;
  bool resolved = false;
  std::vector<GattNotification> notes;
};

GattInspector::GattInspector(std::unique_ptr<sdbus::IConnection> bus, std::string address,
                             std::string adapter, Recorder recorder) {
  if (!lock_receipt::parse_address(address)) {
    throw std::invalid_argument("GattInspector: not a BLE address: '" + address + "'");
  }
  impl_ = std::make_unique<Impl>(std::move(bus), std::move(address), std::move(adapter),
                                 std::move(recorder));
}

GattInspector::~GattInspector() = default;

std::optional<GattDevice> GattInspector::find(std::chrono::milliseconds timeout) {
  const auto objects = impl_->managed(timeout);
  impl_->require_adapter(objects);
  return impl_->device_in(objects);
}

std::optional<GattDevice> GattInspector::discover(std::chrono::milliseconds timeout) {
  const auto deadline = Steady::now() + timeout;
  {
    std::lock_guard lock(impl_->mutex);
    impl_->announced = false;
  }
  auto objects = impl_->managed(timeout);
  impl_->require_adapter(objects);
  if (!impl_->adapter)
    impl_->adapter = std::make_unique<AdapterProxy>(*impl_->bus, impl_->adapter_path);
  auto& adapter = *impl_->adapter;
  impl_->call("org.bluez.Adapter1.SetDiscoveryFilter", "Transport=le", timeout, [&] {
    adapter.SetDiscoveryFilter(Props{{"Transport", sdbus::Variant(std::string("le"))}});
  });
  bool started = false;
  try {
    impl_->call("org.bluez.Adapter1.StartDiscovery", "", timeout,
                [&] { adapter.StartDiscovery(); });
    started = true;
  } catch (const DeviceError& e) {
    if (e.code() != DeviceErrorCode::Busy) throw;  // another client's discovery serves too
  }
  std::optional<GattDevice> found = impl_->device_in(objects);
  if (!found) {
    std::unique_lock lock(impl_->mutex);
    impl_->changed.wait_until(lock, deadline, [&] { return impl_->announced; });
  }
  if (started) {
    try {
      impl_->call("org.bluez.Adapter1.StopDiscovery", "", std::chrono::seconds(2),
                  [&] { adapter.StopDiscovery(); });
    } catch (const DeviceError&) {
      // The adapter stops discovering when this client leaves the bus.
    }
  }
  if (!found) found = impl_->device_in(impl_->managed(std::chrono::seconds(2)));
  return found;
}

void GattInspector::connect(std::chrono::milliseconds timeout) {
  const auto deadline = Steady::now() + timeout;
  {
    std::lock_guard lock(impl_->mutex);
    impl_->resolved = false;
  }
  impl_->call(
      "org.bluez.Device1.Connect", "", timeout, [&] { impl_->device->Connect(); }, true);
  const bool resolved = impl_->call("org.bluez.Device1.ServicesResolved (Get)", "", timeout,
                                    [&] { return impl_->device->ServicesResolved(); });
  std::unique_lock lock(impl_->mutex);
  impl_->link_up = true;
  if (resolved) impl_->resolved = true;
  if (!impl_->changed.wait_until(lock, deadline,
                                 [&] { return impl_->resolved || !impl_->link_up; })) {
    throw DeviceError(DeviceErrorCode::Timeout, "services of " + impl_->address +
                                                    " not resolved within " +
                                                    std::to_string(timeout.count()) + " ms");
  }
  if (!impl_->link_up) {
    throw DeviceError(DeviceErrorCode::Disconnected, impl_->address + " dropped the link");
  }
}

void GattInspector::disconnect(std::chrono::milliseconds timeout) {
  const auto deadline = Steady::now() + timeout;
  impl_->call("org.bluez.Device1.Disconnect", "", timeout, [&] { impl_->device->Disconnect(); });
  std::unique_lock lock(impl_->mutex);
  impl_->changed.wait_until(lock, deadline, [&] { return !impl_->link_up; });
  impl_->link_up = false;
  impl_->resolved = false;
}

bool GattInspector::connected() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->link_up;
}

bool GattInspector::wait_link(bool up, std::chrono::milliseconds timeout) {
  std::unique_lock lock(impl_->mutex);
  return impl_->changed.wait_for(lock, timeout, [&] { return impl_->link_up == up; });
}

std::vector<GattService> GattInspector::services(std::chrono::milliseconds timeout) {
  std::vector<GattService> out;
  for (const auto& [path, ifs] : impl_->managed(timeout)) {
    const auto s = ifs.find(bluez::kGattServiceInterface);
    if (s == ifs.end() || std::string(path).rfind(impl_->device_path + "/", 0) != 0) continue;
    GattService svc;
    svc.path = path;
    if (auto u = s->second.find("UUID"); u != s->second.end())
      svc.uuid = u->second.get<std::string>();
    if (auto p = s->second.find("Primary"); p != s->second.end())
      svc.primary = p->second.get<bool>();
    out.push_back(std::move(svc));
  }
  return out;
}

std::vector<GattCharacteristic> GattInspector::characteristics(std::chrono::milliseconds timeout) {
  std::vector<GattCharacteristic> out;
  for (const auto& [path, ifs] : impl_->managed(timeout)) {
    const auto c = ifs.find(bluez::kGattCharacteristicInterface);
    if (c == ifs.end() || std::string(path).rfind(impl_->device_path + "/", 0) != 0) continue;
    GattCharacteristic ch;
    ch.path = path;
    const auto& p = c->second;
    if (auto u = p.find("UUID"); u != p.end()) ch.uuid = u->second.get<std::string>();
    if (auto s = p.find("Service"); s != p.end()) ch.service = s->second.get<sdbus::ObjectPath>();
    if (auto f = p.find("Flags"); f != p.end())
      ch.flags = f->second.get<std::vector<std::string>>();
    out.push_back(std::move(ch));
  }
  return out;
}

void GattInspector::write(const std::string& characteristic, const std::vector<std::uint8_t>& value,
                          std::chrono::milliseconds timeout) {
  auto& proxy = impl_->characteristic(characteristic);
  impl_->call("org.bluez.GattCharacteristic1.WriteValue",
              leaf(characteristic) + " " + lock_receipt::to_hex(value), timeout, [&] {
                proxy.WriteValue(value, Props{{"type", sdbus::Variant(std::string("request"))}});
              });
}

std::vector<std::uint8_t> GattInspector::read(const std::string& characteristic,
                                              std::chrono::milliseconds timeout) {
  auto& proxy = impl_->characteristic(characteristic);
  return impl_->call("org.bluez.GattCharacteristic1.ReadValue", leaf(characteristic), timeout,
                     [&] { return proxy.ReadValue(Props{}); });
}

void GattInspector::start_notify(const std::string& characteristic,
                                 std::chrono::milliseconds timeout) {
  auto& proxy = impl_->characteristic(characteristic);
  impl_->call("org.bluez.GattCharacteristic1.StartNotify", leaf(characteristic), timeout,
              [&] { proxy.StartNotify(); });
}

void GattInspector::stop_notify(const std::string& characteristic,
                                std::chrono::milliseconds timeout) {
  auto& proxy = impl_->characteristic(characteristic);
  impl_->call("org.bluez.GattCharacteristic1.StopNotify", leaf(characteristic), timeout,
              [&] { proxy.StopNotify(); });
}

std::size_t GattInspector::notification_count() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->notes.size();
}

std::optional<GattNotification> GattInspector::wait_notification(
    const std::string& characteristic, std::size_t from, std::chrono::milliseconds timeout) {
  std::unique_lock lock(impl_->mutex);
  std::optional<GattNotification> hit;
  impl_->changed.wait_for(lock, timeout, [&] {
    for (std::size_t i = from; i < impl_->notes.size(); ++i) {
      if (impl_->notes[i].path == characteristic) {
        hit = impl_->notes[i];
        return true;
      }
    }
    return false;
  });
  return hit;
}

}  // namespace kvittens::ble
