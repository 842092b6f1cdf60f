// Generic GATT inspection over org.bluez, every crossing recorded (gatt_inspector.hpp).
#include "drivers/ble/gatt_inspector.hpp"

#include <sdbus-c++/sdbus-c++.h>

#include <condition_variable>
#include <map>
#include <mutex>

#include "drivers/ble/bluez_names.hpp"
#include "drivers/ble/bluez_proxies.hpp"
#include "kvittens/devices.hpp"
#include "kvittens/lock_receipt.hpp"

namespace kvittens::ble {
namespace {

using dbus::AdapterProxy;
using dbus::CharacteristicProxy;
using dbus::DeviceProxy;
using dbus::Interfaces;
using dbus::ManagedObjects;
using dbus::ObjectManagerProxy;
using dbus::Props;
using dbus::upper;
using Steady = std::chrono::steady_clock;

std::string leaf(const std::string& path) {
  const auto slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
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
  return dbus::props_text(props, short_form);
}

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
    root = std::make_unique<ObjectManagerProxy>(
        *bus, [this](const std::string& path, const Interfaces& ifs) {
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
    recorder(dbus::log_entry(device_label, std::move(direction), std::move(what), std::move(detail),
                             std::move(verdict)));
  }

  // One recorded method call with its own timeout.
  template <class F>
  auto call(const std::string& what, const std::string& detail, std::chrono::milliseconds timeout,
            F f, bool connecting = false) -> decltype(f()) {
    dbus::set_call_timeout(*bus, timeout);
    try {
      return dbus::recorded_call(
          [this](std::string direction, std::string w, std::string detail, std::string verdict) {
            record(std::move(direction), std::move(w), std::move(detail), std::move(verdict));
          },
          what, detail, [this](const auto& r) { return reply_form(r); }, f);
    } catch (const sdbus::Error& e) {
      throw dbus::to_device_error(e, what, connecting);
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
      if (!dbus::is_below(path, device_path)) continue;
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
    dbus::require_adapter(objects, adapter_path);
  }

  CharacteristicProxy& characteristic(const std::string& path) {
    auto& slot = chars[path];
    if (!slot) {
      slot = std::make_unique<CharacteristicProxy>(
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
  std::unique_ptr<ObjectManagerProxy> root;
  std::unique_ptr<AdapterProxy> adapter;
  std::unique_ptr<DeviceProxy> device;
  std::map<std::string, std::unique_ptr<CharacteristicProxy>> chars;

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
    if (s == ifs.end() || !dbus::is_below(path, impl_->device_path)) continue;
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
    if (c == ifs.end() || !dbus::is_below(path, impl_->device_path)) continue;
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
