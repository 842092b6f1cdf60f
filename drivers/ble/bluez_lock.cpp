// The BLE receipt-lock driver over org.bluez (docs/lock-profile.md, section 9 is the sequence).
#include "drivers/ble/bluez_lock.hpp"

#include <sdbus-c++/sdbus-c++.h>
#include <algorithm>
#include <condition_variable>
#include <filesystem>
#include <functional>

#include "drivers/ble/bluez_names.hpp"
#include "drivers/ble/bluez_proxies.hpp"
#include "drivers/ble/lock_protocol.hpp"
#include "kvittens/lock_receipt.hpp"

namespace kvittens::ble {
namespace {

namespace lp = lock_protocol;
using Clock = std::chrono::steady_clock;
using dbus::AdapterProxy;
using dbus::CharacteristicProxy;
using dbus::DeviceProxy;
using dbus::Interfaces;
using dbus::kObjectManager;
using dbus::kProperties;
using dbus::ManagedObjects;
using dbus::ObjectManagerProxy;
using dbus::Props;
using dbus::upper;

constexpr auto kCleanupTimeout = std::chrono::seconds(2);

[[noreturn]] void fail(DeviceErrorCode code, const std::string& what) {
  throw DeviceError(code, what);
}

// The lock's answer to an authenticated command, in terms the app can act on.
DeviceErrorCode code_for(lp::Status s) {
  switch (s) {
    case lp::Status::AuthFailed:
    case lp::Status::Replay:
    case lp::Status::BadKeyId:
      return DeviceErrorCode::NotPermitted;
    case lp::Status::UnknownOpcode:
    case lp::Status::BadLength:
    case lp::Status::NoChallenge:
      return DeviceErrorCode::Protocol;
    default:
      return DeviceErrorCode::Failed;
  }
}

// --- short forms of D-Bus values for the device log (docs/device-log.md) ---
// Byte arrays as "[n] hex" (first kShortBytes bytes, then "…"); strings never by value (a
// lock's Alias may name a person), only their length; containers by count.
constexpr std::size_t kShortBytes = 32;

std::string short_bytes(const std::vector<std::uint8_t>& v) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "[" + std::to_string(v.size()) + "]";
  if (!v.empty()) out += ' ';
  for (std::size_t i = 0; i < v.size() && i < kShortBytes; ++i) {
    out += kHex[v[i] >> 4];
    out += kHex[v[i] & 0xF];
  }
  if (v.size() > kShortBytes) out += "…";
  return out;
}

std::string short_variant(const sdbus::Variant& v) {
  try {
    if (v.containsValueOfType<bool>()) return v.get<bool>() ? "true" : "false";
    if (v.containsValueOfType<std::vector<std::uint8_t>>()) {
      return short_bytes(v.get<std::vector<std::uint8_t>>());
    }
    if (v.containsValueOfType<std::int16_t>()) return std::to_string(v.get<std::int16_t>());
    if (v.containsValueOfType<std::uint8_t>()) return std::to_string(v.get<std::uint8_t>());
    if (v.containsValueOfType<std::uint16_t>()) return std::to_string(v.get<std::uint16_t>());
    if (v.containsValueOfType<std::uint32_t>()) return std::to_string(v.get<std::uint32_t>());
    if (v.containsValueOfType<std::int32_t>()) return std::to_string(v.get<std::int32_t>());
    if (v.containsValueOfType<std::string>()) {
      return "s[" + std::to_string(v.get<std::string>().size()) + "]";
    }
  } catch (const sdbus::Error&) {
  }
  return std::string("<") + v.peekValueType() + ">";
}

std::string short_props(const Props& props) {
  return dbus::props_text(props, short_variant);
}

// A method's reply in short form.
std::string short_reply(bool v) {
  return v ? "true" : "false";
}
std::string short_reply(const std::vector<std::uint8_t>& v) {
  return short_bytes(v);
}
std::string short_reply(const ManagedObjects& m) {
  return std::to_string(m.size()) + " objects";
}

LockStatus to_lock_status(const lp::StatusRecord& s) {
  return LockStatus{s.locked, s.battery_percent, s.low_battery};
}

}  // namespace

// What the bus's event-loop thread tells the calling thread.
struct BluezLock::Shared {
  std::mutex mutex;
  std::condition_variable changed;
  std::optional<std::string> discovered;  // device path announced by InterfacesAdded
  bool connected = false;
  bool resolved = false;
  bool link_lost = false;
  std::optional<LockStatus> last_status;
};

// One connection to the lock: discover, connect, resolve, find the characteristics; the
// destructor unsubscribes and disconnects whatever happened.
class BluezLock::Session {
 public:
  Session(BluezLock& owner, std::chrono::milliseconds timeout)
      : owner_(owner),
        bus_(*owner.bus_),
        shared_(*owner.shared_),
        deadline_(Clock::now() + timeout) {
    {
      std::lock_guard lock(shared_.mutex);
      shared_.discovered.reset();
      shared_.connected = shared_.resolved = shared_.link_lost = false;
      shared_.last_status.reset();
    }
    const auto adapter_path = std::string(bluez::kBluezPath) + "/" + owner_.options_.adapter;
    objects_ = std::make_unique<ObjectManagerProxy>(
        bus_, [this, adapter_path](const std::string& path, const Interfaces& ifs) {
          std::string names;
          for (const auto& [name, props] : ifs) names += (names.empty() ? "" : ",") + name;
          owner_.note("signal", "org.freedesktop.DBus.ObjectManager.InterfacesAdded",
                      path + " " + names, "ok");
          if (is_our_device(path, ifs, adapter_path)) {
            std::lock_guard lock(shared_.mutex);
            shared_.discovered = path;
            shared_.changed.notify_all();
          }
        });
    const auto managed = call({kObjectManager, "GetManagedObjects", "/", ""}, "GetManagedObjects",
                              [&] { return objects_->GetManagedObjects(); });
    dbus::require_adapter(managed, adapter_path);
    std::string device_path;
    for (const auto& [path, ifs] : managed) {
      if (is_our_device(path, ifs, adapter_path)) device_path = path;
    }
    if (device_path.empty()) device_path = discover(adapter_path);
    connect(device_path);
    find_characteristics(device_path);
  }

  ~Session() {
    try {
      dbus::set_call_timeout(*owner_.bus_, kCleanupTimeout);
      if (status_) {
        const bool notifying =
            logged({kProperties, "Get", status_->getObjectPath(),
                    std::string(bluez::kGattCharacteristicInterface) + " Notifying"},
                   [&] { return status_->Notifying(); });
        if (notifying) {
          logged({bluez::kGattCharacteristicInterface, "StopNotify", status_->getObjectPath(), ""},
                 [&] { status_->StopNotify(); });
        }
      }
    } catch (const sdbus::Error&) {
      // The link may already be gone; the disconnect below is what matters.
    }
    try {
      if (device_) {
        logged({bluez::kDeviceInterface, "Disconnect", device_->getObjectPath(), ""},
               [&] { device_->Disconnect(); });
      }
    } catch (const sdbus::Error&) {
    }
  }

  // Write a command to Control Point and read the lock's Response (LP-GATT-2).
  lp::Response exchange(const lp::Command& command) {
    const auto bytes = lp::encode(command);
    const std::string what = std::string(lp::to_string(command.opcode));
    call({bluez::kGattCharacteristicInterface, "WriteValue", control_->getObjectPath(),
          short_bytes(bytes) + " type=request"},
         "WriteValue " + what, [&] {
           control_->WriteValue(bytes, Props{{"type", sdbus::Variant(std::string("request"))}});
         });
    const auto value =
        call({bluez::kGattCharacteristicInterface, "ReadValue", response_->getObjectPath(), "{}"},
             "ReadValue Response", [&] { return response_->ReadValue(Props{}); });
    const auto decoded = lp::decode_response(value, command.opcode);
    if (!decoded)
      fail(DeviceErrorCode::Protocol, "lock response to " + what + ": " + decoded.reason);
    return *decoded.value;
  }

  lp::StatusRecord read_status() {
    const auto value =
        call({bluez::kGattCharacteristicInterface, "ReadValue", status_->getObjectPath(), "{}"},
             "ReadValue Status", [&] { return status_->ReadValue(Props{}); });
    const auto decoded = lp::decode_status(value);
    if (!decoded) fail(DeviceErrorCode::Protocol, "lock status: " + decoded.reason);
    return *decoded.value;
  }

 private:
  bool is_our_device(const std::string& path, const Interfaces& ifs,
                     const std::string& adapter_path) const {
    const auto dev = ifs.find(bluez::kDeviceInterface);
    if (dev == ifs.end() || !dbus::is_below(path, adapter_path)) return false;
    const auto address = dev->second.find("Address");
    return address != dev->second.end() &&
           upper(address->second.get<std::string>()) == upper(owner_.options_.address);
  }

  std::chrono::milliseconds left() const {
    return std::chrono::duration_cast<std::chrono::milliseconds>(deadline_ - Clock::now());
  }

  // One method call as it goes on the wire: interface, member, object path, short arguments.
  struct Wire {
    const char* interface;
    const char* member;
    std::string path;
    std::string args;
  };

  // The one place a method call crosses the bus: the call, then its reply or error, go to the
  // device log. Rethrows sdbus::Error.
  template <class F>
  auto logged(const Wire& w, F f) -> decltype(f()) {
    return dbus::recorded_call(
        [this](const char* direction, const std::string& what, std::string detail,
               std::string verdict) {
          owner_.note(direction, what, std::move(detail), std::move(verdict));
        },
        std::string(w.interface) + "." + w.member, w.path + (w.args.empty() ? "" : " " + w.args),
        [](const auto& result) { return short_reply(result); }, f);
  }

  // Every D-Bus call gets what is left of the operation's time (at least 1 ms).
  template <class F>
  auto call(const Wire& w, const std::string& where, F f, bool connecting = false)
      -> decltype(f()) {
    const auto remaining = left();
    if (remaining.count() <= 0) fail(DeviceErrorCode::Timeout, where + ": timed out");
    dbus::set_call_timeout(bus_, remaining);
    try {
      return logged(w, f);
    } catch (const sdbus::Error& e) {
      auto mapped = dbus::to_device_error(e, where, connecting);
      // A failed GATT call on a link bluetoothd has just reported down is a lost link.
      std::lock_guard lock(shared_.mutex);
      if (shared_.link_lost && mapped.code() == DeviceErrorCode::Failed) {
        throw DeviceError(DeviceErrorCode::Disconnected, mapped.what());
      }
      throw mapped;
    }
  }

  std::string discover(const std::string& adapter_path) {
    adapter_ = std::make_unique<AdapterProxy>(bus_, adapter_path);
    call({bluez::kAdapterInterface, "SetDiscoveryFilter", adapter_path, "Transport=le"},
         "SetDiscoveryFilter", [&] {
           adapter_->SetDiscoveryFilter(Props{{"Transport", sdbus::Variant(std::string("le"))}});
         });
    bool started = false;
    try {
      call({bluez::kAdapterInterface, "StartDiscovery", adapter_path, ""}, "StartDiscovery",
           [&] { adapter_->StartDiscovery(); });
      started = true;
    } catch (const DeviceError& e) {
      if (e.code() != DeviceErrorCode::Busy) throw;  // someone else's discovery serves us too
    }
    const auto until = std::min(deadline_, Clock::now() + owner_.options_.discovery_timeout);
    std::optional<std::string> found;
    {
      std::unique_lock lock(shared_.mutex);
      shared_.changed.wait_until(lock, until, [&] { return shared_.discovered.has_value(); });
      found = shared_.discovered;
    }
    if (started) {
      try {
        call({bluez::kAdapterInterface, "StopDiscovery", adapter_path, ""}, "StopDiscovery",
             [&] { adapter_->StopDiscovery(); });
      } catch (const DeviceError&) {
        // Not fatal: the adapter stops discovering when this client leaves the bus.
      }
    }
    if (!found) {
      fail(Clock::now() >= deadline_ ? DeviceErrorCode::Timeout : DeviceErrorCode::NotFound,
           "lock " + owner_.options_.address + " not discovered within " +
               std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(
                                  owner_.options_.discovery_timeout)
                                  .count()) +
               " ms");
    }
    return *found;
  }

  void on_device_changed(const std::string& path, const std::string& interface,
                         const Props& changed) {
    owner_.note("signal", std::string(kProperties) + ".PropertiesChanged",
                path + " " + interface + " " + short_props(changed), "ok");
    if (interface != bluez::kDeviceInterface) return;
    std::lock_guard lock(shared_.mutex);
    if (auto c = changed.find("Connected"); c != changed.end()) {
      shared_.connected = c->second.get<bool>();
      if (!shared_.connected) shared_.link_lost = true;
    }
    if (auto r = changed.find("ServicesResolved"); r != changed.end()) {
      shared_.resolved = r->second.get<bool>();
    }
    shared_.changed.notify_all();
  }

  void connect(const std::string& path) {
    // Subscribed before Connect, so no change can slip between the call and the wait.
    device_ = std::make_unique<DeviceProxy>(
        bus_, path, [this](const std::string& p, const std::string& i, const Props& c) {
          on_device_changed(p, i, c);
        });
    for (int attempt = 1;; ++attempt) {
      try {
        call(
            {bluez::kDeviceInterface, "Connect", path, ""}, "Connect", [&] { device_->Connect(); },
            true);
        break;
      } catch (const DeviceError& e) {
        const bool retry =
            e.code() == DeviceErrorCode::NotFound || e.code() == DeviceErrorCode::Busy;
        if (!retry || attempt >= owner_.options_.connect_attempts) throw;
      }
    }
    const bool resolved =
        call({kProperties, "Get", path, std::string(bluez::kDeviceInterface) + " ServicesResolved"},
             "ServicesResolved", [&] { return device_->ServicesResolved(); });
    std::unique_lock lock(shared_.mutex);
    if (resolved) shared_.resolved = true;
    shared_.link_lost = false;
    if (!shared_.changed.wait_until(lock, deadline_,
                                    [&] { return shared_.resolved || shared_.link_lost; })) {
      fail(DeviceErrorCode::Timeout, "lock " + owner_.options_.address + ": services not resolved");
    }
    if (shared_.link_lost) {
      fail(DeviceErrorCode::Disconnected, "lock " + owner_.options_.address + " dropped the link");
    }
  }

  void find_characteristics(const std::string& device_path) {
    const auto managed = call({kObjectManager, "GetManagedObjects", "/", ""}, "GetManagedObjects",
                              [&] { return objects_->GetManagedObjects(); });
    std::string service_path;
    for (const auto& [path, ifs] : managed) {
      const auto s = ifs.find(bluez::kGattServiceInterface);
      if (s == ifs.end() || !dbus::is_below(path, device_path)) continue;
      const auto uuid = s->second.find("UUID");
      if (uuid != s->second.end() && uuid->second.get<std::string>() == lp::kServiceUuid) {
        service_path = path;
      }
    }
    if (service_path.empty()) {
      fail(DeviceErrorCode::Protocol,
           "lock " + owner_.options_.address + " has no Receipt Lock service");
    }
    std::map<std::string, std::string> by_uuid;
    for (const auto& [path, ifs] : managed) {
      const auto c = ifs.find(bluez::kGattCharacteristicInterface);
      if (c == ifs.end()) continue;
      const auto service = c->second.find("Service");
      const auto uuid = c->second.find("UUID");
      if (service == c->second.end() || uuid == c->second.end()) continue;
      if (service->second.get<sdbus::ObjectPath>() == service_path) {
        by_uuid[uuid->second.get<std::string>()] = path;
      }
    }
    const auto need = [&](std::string_view uuid) {
      const auto it = by_uuid.find(std::string(uuid));
      if (it == by_uuid.end()) {
        fail(DeviceErrorCode::Protocol,
             "lock " + owner_.options_.address + " lacks characteristic " + std::string(uuid));
      }
      return it->second;
    };
    control_ = std::make_unique<CharacteristicProxy>(bus_, need(lp::kControlPointUuid));
    response_ = std::make_unique<CharacteristicProxy>(bus_, need(lp::kResponseUuid));
    const auto status_path = need(lp::kStatusUuid);
    status_ = std::make_unique<CharacteristicProxy>(
        bus_, status_path,
        [this](const std::string& path, const std::string& interface, const Props& changed) {
          owner_.note("signal", std::string(kProperties) + ".PropertiesChanged",
                      path + " " + interface + " " + short_props(changed), "ok");
          if (interface != bluez::kGattCharacteristicInterface) return;
          const auto v = changed.find("Value");
          if (v == changed.end()) return;
          const auto decoded = lp::decode_status(v->second.get<std::vector<std::uint8_t>>());
          if (!decoded) return;  // a malformed notification is not a status
          std::lock_guard lock(shared_.mutex);
          shared_.last_status = to_lock_status(*decoded.value);
        });
    call({bluez::kGattCharacteristicInterface, "StartNotify", status_->getObjectPath(), ""},
         "StartNotify Status", [&] { status_->StartNotify(); });
  }

  BluezLock& owner_;
  sdbus::IConnection& bus_;
  Shared& shared_;
  Clock::time_point deadline_;
  std::unique_ptr<ObjectManagerProxy> objects_;
  std::unique_ptr<AdapterProxy> adapter_;
  std::unique_ptr<DeviceProxy> device_;
  std::unique_ptr<CharacteristicProxy> control_, response_, status_;
};

std::unique_ptr<sdbus::IConnection> open_bus(const std::string& address) {
  // The commonest bench mistake, a socket path that does not exist, is answered before
  // sd-bus is asked: it names the path, and sdbus-c++ 1.2 does not free its half-made bus
  // when the open fails.
  if (const std::string unix_path = "unix:path=";
      address.rfind(unix_path, 0) == 0 && address.find_first_of(",;") == std::string::npos) {
    const std::string path = address.substr(unix_path.size());
    if (!std::filesystem::exists(path))
      throw DeviceError(DeviceErrorCode::NoDevice,
                        "cannot open D-Bus " + address + ": no socket at " + path);
  }
  try {
    if (address.empty()) return sdbus::createSystemBusConnection();
    return sdbus::createSessionBusConnectionWithAddress(address);
  } catch (const sdbus::Error& e) {
    throw DeviceError(DeviceErrorCode::NoDevice,
                      "cannot open D-Bus " +
                          (address.empty() ? std::string("system bus") : address) + ": " +
                          e.getMessage());
  }
}

void BluezLock::note(const char* direction, std::string what, std::string detail,
                     std::string verdict) const {
  DeviceLog* log = log_.load();
  if (log == nullptr) return;
  log->record(dbus::log_entry("lock:" + options_.address, direction, std::move(what),
                              std::move(detail), std::move(verdict)));
}

BluezLock::BluezLock(std::unique_ptr<sdbus::IConnection> bus, BluezLockOptions options)
    : options_(std::move(options)),
      bus_(std::move(bus)),
      shared_(std::make_shared<Shared>()),
      log_(options_.log) {
  if (!lock_receipt::parse_address(options_.address)) {
    throw std::invalid_argument("BluezLock: not a BLE address: '" + options_.address + "'");
  }
  bus_->enterEventLoopAsync();
}

BluezLock::~BluezLock() {
  bus_->leaveEventLoop();
}

LockEvent BluezLock::authenticated(const LockCredential& credential, std::uint8_t opcode,
                                   std::uint32_t arg, std::chrono::milliseconds timeout) {
  if (upper(credential.lock_id) != upper(options_.address)) {
    fail(DeviceErrorCode::Failed,
         "credential is for lock " + credential.lock_id + ", not " + options_.address);
  }
  Session session(*this, timeout);
  const auto challenge = session.exchange(lp::Command{lp::Opcode::GetChallenge});
  if (challenge.status != lp::Status::Ok) {
    fail(code_for(challenge.status),
         std::string("lock refused GET_CHALLENGE: ") + lp::to_string(challenge.status));
  }
  lp::Command command{static_cast<lp::Opcode>(opcode), credential.key_id, arg, {}};
  command = lp::sign(command, credential.key, lp::nonce_of(challenge));
  const auto answer = session.exchange(command);
  if (answer.status != lp::Status::Ok) {
    fail(code_for(answer.status), std::string("lock refused ") + lp::to_string(command.opcode) +
                                      ": " + lp::to_string(answer.status));
  }
  auto entry = lock_receipt::decode(answer.payload);
  if (!entry) fail(DeviceErrorCode::Protocol, "log entry of the wrong size");
  // The receipt must be what we asked for, from this lock, signed with its key.
  if (upper(entry->lock_id) != upper(options_.address)) {
    fail(DeviceErrorCode::Protocol, "log entry names lock " + entry->lock_id);
  }
  if (command.opcode == lp::Opcode::Unlock || command.opcode == lp::Opcode::Lock) {
    const auto want = command.opcode == lp::Opcode::Unlock ? lock_receipt::Event::Unlock
                                                           : lock_receipt::Event::Lock;
    if (entry->event != static_cast<std::uint8_t>(want) || entry->key_id != credential.key_id) {
      fail(DeviceErrorCode::Protocol,
           "log entry is not this " + std::string(lp::to_string(command.opcode)));
    }
    if (!lock_receipt::verify(*entry, credential.key)) {
      fail(DeviceErrorCode::Protocol, "log entry MAC does not verify with the lock key");
    }
  }
  // Catch the status notification the action caused, if it already came.
  try {
    const auto s = session.read_status();
    std::lock_guard lock(shared_->mutex);
    if (!shared_->last_status) shared_->last_status = to_lock_status(s);
  } catch (const DeviceError&) {
    // The receipt is in hand; a status read that fails now does not undo it.
  }
  return *entry;
}

LockEvent BluezLock::unlock(const LockCredential& credential, std::chrono::milliseconds timeout) {
  return authenticated(credential, static_cast<std::uint8_t>(lp::Opcode::Unlock), 0, timeout);
}

void BluezLock::relock(const LockCredential& credential, std::chrono::milliseconds timeout) {
  authenticated(credential, static_cast<std::uint8_t>(lp::Opcode::Lock), 0, timeout);
}

LockEvent BluezLock::set_time(const LockCredential& admin, std::int64_t unix_seconds,
                              std::chrono::milliseconds timeout) {
  return authenticated(admin, static_cast<std::uint8_t>(lp::Opcode::SetTime),
                       static_cast<std::uint32_t>(unix_seconds), timeout);
}

LockEvent BluezLock::read_log(const LockCredential& admin, std::uint32_t seq,
                              std::chrono::milliseconds timeout) {
  return authenticated(admin, static_cast<std::uint8_t>(lp::Opcode::ReadLog), seq, timeout);
}

LockStatus BluezLock::status(std::chrono::milliseconds timeout) {
  Session session(*this, timeout);
  return to_lock_status(session.read_status());
}

std::optional<LockStatus> BluezLock::last_notified_status() const {
  std::lock_guard lock(shared_->mutex);
  return shared_->last_status;
}

}  // namespace kvittens::ble
