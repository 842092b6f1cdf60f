// The emulated BlueZ: sdbus-c++ adaptors generated from the same introspection XML as the
// driver's proxies, one loop thread that owns every object, and the emulated locks behind them.
#include "sim/emu/bluez/emulated_bluez.hpp"

#include <poll.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include <sdbus-c++/sdbus-c++.h>
#include <algorithm>
#include <cctype>
#include <deque>
#include <functional>
#include <future>
#include <map>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "drivers/ble/bluez_names.hpp"
#include "kvittens/lock_receipt.hpp"
#include "org.bluez.Adapter1_adaptor.h"
#include "org.bluez.AgentManager1_adaptor.h"
#include "org.bluez.Device1_adaptor.h"
#include "org.bluez.GattCharacteristic1_adaptor.h"
#include "org.bluez.GattService1_adaptor.h"
#include "org.kvittens.Mock_adaptor.h"

namespace kvittens::emu {
namespace {

namespace lp = lock_protocol;
namespace err = bluez::error;
using Options = std::map<std::string, sdbus::Variant>;

constexpr std::uint16_t kMtu = 247;
constexpr std::uint8_t kDefaultLowBattery = 8;

std::string upper(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

std::vector<std::uint8_t> key_from_hex(const std::string& hex, const char* what) {
  auto key = lock_receipt::from_hex(hex);
  if (!key || key->size() != 32) {
    throw sdbus::Error(err::kInvalidArguments, std::string(what) + " must be 64 hex digits");
  }
  return *key;
}

std::uint64_t monotonic_usec() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::uint64_t>(ts.tv_sec) * 1'000'000u +
         static_cast<std::uint64_t>(ts.tv_nsec) / 1000u;
}

std::uint16_t offset_of(const Options& options) {
  const auto it = options.find("offset");
  return it == options.end() ? 0 : it->second.get<std::uint16_t>();
}

enum class Role { Control, Response, Status };

}  // namespace

namespace {

struct FaultName {
  LockFault fault;
  const char* name;
};

constexpr FaultName kFaultNames[] = {
    {LockFault::OutOfRange, "out-of-range"},
    {LockFault::DisconnectDuringUnlock, "disconnect-during-unlock"},
    {LockFault::LowBattery, "low-battery"},
    {LockFault::WrongKey, "wrong-key"},
    {LockFault::ClockDrift, "clock-drift"},
    {LockFault::LogFull, "log-full"},
    {LockFault::NoResponse, "no-response"},
    {LockFault::ReplayLastEntry, "replay-last-entry"},
    {LockFault::BadMac, "bad-mac"},
    {LockFault::NoAdvertisedUuid, "no-advertised-uuid"},
    {LockFault::DuplicateCharacteristic, "duplicate-characteristic"},
    {LockFault::WrongFlags, "wrong-flags"},
    {LockFault::NoStatusNotifications, "no-status-notifications"},
    {LockFault::BatteryMisreported, "battery-misreported"},
    {LockFault::ReceiptWrongKeyId, "receipt-wrong-key-id"},
    {LockFault::LockIgnored, "lock-ignored"},
    {LockFault::NoAutoRelock, "no-auto-relock"},
    {LockFault::RepeatedNonce, "repeated-nonce"},
    {LockFault::StaleNonceAccepted, "stale-nonce-accepted"},
    {LockFault::ReplayAccepted, "replay-accepted"},
    {LockFault::WrongKeyAccepted, "wrong-key-accepted"},
    {LockFault::NonAdminTimeSet, "non-admin-time-set"},
    {LockFault::NoLogReadout, "no-log-readout"},
    {LockFault::LogLostOnReconnect, "log-lost-on-reconnect"},
    {LockFault::SeqGap, "seq-gap"},
    {LockFault::NoMac, "no-mac"},
    {LockFault::UnlockOnDisconnect, "unlock-on-disconnect"},
};

// The switch of EmulatedLock::Defects a defect fault turns, or nullptr.
bool* defect_switch(EmulatedLock::Defects& d, LockFault f) {
  switch (f) {
    case LockFault::BatteryMisreported:
      return &d.battery_misreported;
    case LockFault::ReceiptWrongKeyId:
      return &d.receipt_wrong_key_id;
    case LockFault::LockIgnored:
      return &d.lock_ignored;
    case LockFault::NoAutoRelock:
      return &d.no_auto_relock;
    case LockFault::RepeatedNonce:
      return &d.repeated_nonce;
    case LockFault::StaleNonceAccepted:
      return &d.stale_nonce_accepted;
    case LockFault::ReplayAccepted:
      return &d.replay_accepted;
    case LockFault::WrongKeyAccepted:
      return &d.wrong_key_accepted;
    case LockFault::NonAdminTimeSet:
      return &d.non_admin_time_set;
    case LockFault::NoLogReadout:
      return &d.no_log_readout;
    case LockFault::LogLostOnReconnect:
      return &d.log_lost_on_reconnect;
    case LockFault::SeqGap:
      return &d.seq_gap;
    case LockFault::NoMac:
      return &d.no_mac;
    case LockFault::UnlockOnDisconnect:
      return &d.unlock_on_disconnect;
    default:
      return nullptr;
  }
}

}  // namespace

const char* to_string(LockFault f) {
  for (const auto& n : kFaultNames) {
    if (n.fault == f) return n.name;
  }
  return "?";
}

std::optional<LockFault> parse_lock_fault(std::string_view name) {
  for (const auto& n : kFaultNames) {
    if (name == n.name) return n.fault;
  }
  return std::nullopt;
}

const std::vector<LockFault>& all_lock_faults() {
  static const std::vector<LockFault> all = [] {
    std::vector<LockFault> v;
    for (const auto& n : kFaultNames) v.push_back(n.fault);
    return v;
  }();
  return all;
}

class EmulatedBluez::Impl {
 public:
  Impl(const std::string& bus_address, const Clock& clock, EmulatedBluezOptions options);
  ~Impl();

  // Runs `f` on the loop thread and returns its result (or rethrows its exception).
  template <class F>
  auto call(F f) -> decltype(f());

  // ------------------------------------------------ operations; loop thread only
  std::string add_lock(LockConfig config);
  void remove_lock(const std::string& address);
  void inject(const std::string& address, LockFault fault, std::int64_t arg);
  void clear(const std::string& address, LockFault fault);
  void set_lock_time(const std::string& address, std::int64_t unix_seconds);
  void tick();
  std::vector<LockEvent> log(const std::string& address);
  lp::StatusRecord status(const std::string& address);

 private:
  struct Entry;
  class RootObject;
  class BluezObject;
  class AdapterObject;
  class DeviceObject;
  class ServiceObject;
  class CharObject;

  Entry& entry(const std::string& address);
  Entry* entry_at(const std::string& path);
  void show(Entry& e);  // Device1 + GATT objects appear
  void hide(Entry& e);  // ... and vanish
  void show_extra(Entry& e);
  void hide_extra(Entry& e);
  void link_up(Entry& e);
  void link_down(Entry& e);
  void status_may_have_changed(Entry& e, const std::vector<std::uint8_t>& before);
  void set_defect(Entry& e, LockFault fault, bool on);
  void start_discovery();
  void stop_discovery();
  void require_powered() const;
  void loop();

  const Clock& clock_;
  EmulatedBluezOptions options_;
  std::string adapter_path_;
  bool powered_ = true;
  bool discovering_ = false;

  std::unique_ptr<sdbus::IConnection> connection_;
  std::unique_ptr<RootObject> root_;
  std::unique_ptr<BluezObject> bluez_;
  std::unique_ptr<AdapterObject> adapter_;
  std::map<std::string, std::unique_ptr<Entry>> locks_;  // by upper-case address

  int wake_fd_ = -1;
  std::mutex tasks_mutex_;
  std::deque<std::function<void()>> tasks_;
  bool stopping_ = false;
  std::thread thread_;
};

// ------------------------------------------------------------------------ D-Bus objects

class EmulatedBluez::Impl::RootObject final
    : public sdbus::AdaptorInterfaces<sdbus::ObjectManager_adaptor> {
 public:
  explicit RootObject(sdbus::IConnection& c) : AdaptorInterfaces(c, bluez::kRootPath) {
    registerAdaptor();
  }
  ~RootObject() { unregisterAdaptor(); }
};

class EmulatedBluez::Impl::BluezObject final
    : public sdbus::AdaptorInterfaces<org::bluez::AgentManager1_adaptor,
                                      org::kvittens::Mock_adaptor> {
 public:
  BluezObject(sdbus::IConnection& c, Impl& impl)
      : AdaptorInterfaces(c, bluez::kBluezPath), impl_(impl) {
    registerAdaptor();
  }
  ~BluezObject() { unregisterAdaptor(); }

 private:
  // A pairing agent is never needed: the lock profile authenticates at the application layer.
  void RegisterAgent(const sdbus::ObjectPath&, const std::string&) override {}
  void UnregisterAgent(const sdbus::ObjectPath&) override {}
  void RequestDefaultAgent(const sdbus::ObjectPath&) override {}

  sdbus::ObjectPath AddLock(const std::string& address, const std::string& name,
                            const std::string& key_hex, const std::string& admin_hex) override {
    LockConfig config;
    config.address = address;
    if (!name.empty()) config.name = name;
    config.key = key_from_hex(key_hex, "key_hex");
    config.admin_key = admin_hex.empty() ? config.key : key_from_hex(admin_hex, "admin_key_hex");
    return impl_.add_lock(std::move(config));
  }
  void RemoveLock(const std::string& address) override { impl_.remove_lock(address); }
  void InjectFault(const std::string& address, const std::string& fault,
                   const int64_t& arg) override {
    impl_.inject(address, parse(fault), arg);
  }
  void ClearFault(const std::string& address, const std::string& fault) override {
    impl_.clear(address, parse(fault));
  }
  void SetLockTime(const std::string& address, const int64_t& unix_seconds) override {
    impl_.set_lock_time(address, unix_seconds);
  }
  void Tick() override { impl_.tick(); }
  std::vector<std::vector<uint8_t>> GetLog(const std::string& address) override {
    std::vector<std::vector<uint8_t>> out;
    for (const auto& e : impl_.log(address)) out.push_back(lock_receipt::encode(e));
    return out;
  }

  static LockFault parse(const std::string& name) {
    if (auto f = parse_lock_fault(name)) return *f;
    throw sdbus::Error(err::kInvalidArguments, "unknown fault '" + name + "'");
  }

  Impl& impl_;
};

class EmulatedBluez::Impl::AdapterObject final
    : public sdbus::AdaptorInterfaces<org::bluez::Adapter1_adaptor, sdbus::Properties_adaptor> {
 public:
  AdapterObject(sdbus::IConnection& c, Impl& impl)
      : AdaptorInterfaces(c, impl.adapter_path_), impl_(impl) {
    registerAdaptor();
  }
  ~AdapterObject() { unregisterAdaptor(); }

 private:
  void StartDiscovery() override { impl_.start_discovery(); }
  void StopDiscovery() override { impl_.stop_discovery(); }
  void SetDiscoveryFilter(const Options& filter) override {
    if (auto it = filter.find("Transport"); it != filter.end()) {
      const auto t = it->second.get<std::string>();
      if (t != "auto" && t != "le" && t != "bredr") {
        throw sdbus::Error(err::kInvalidArguments, "Transport must be auto, le or bredr");
      }
    }
  }
  std::vector<std::string> GetDiscoveryFilters() override {
    return {"UUIDs", "RSSI", "Pathloss", "Transport", "DuplicateData", "Discoverable", "Pattern"};
  }
  void RemoveDevice(const sdbus::ObjectPath& path) override {
    Entry* e = impl_.entry_at(path);
    if (!e) throw sdbus::Error(err::kDoesNotExist, "Does Not Exist");
    impl_.hide(*e);
  }
  std::string Address() override { return impl_.options_.adapter_address; }
  std::string AddressType() override { return "public"; }
  std::string Name() override { return impl_.options_.adapter_name; }
  std::string Alias() override { return impl_.options_.adapter_name; }
  uint32_t Class() override { return 0; }
  bool Powered() override { return impl_.powered_; }
  void Powered(const bool& value) override {
    impl_.powered_ = value;
    if (!value && impl_.discovering_) impl_.stop_discovery();
  }
  bool Discoverable() override { return false; }
  bool Pairable() override { return false; }
  bool Discovering() override { return impl_.discovering_; }
  std::vector<std::string> UUIDs() override { return {}; }

  Impl& impl_;
};

// One emulated lock: its state machine, fault switches and (while in range) its objects.
struct EmulatedBluez::Impl::Entry {
  Entry(LockConfig config, const Clock& clock, EmulatedLock::NonceSource nonces)
      : lock(std::move(config), clock, std::move(nonces)), key(lock.config().key) {}
  EmulatedLock lock;
  std::vector<std::uint8_t> key;  // the key it was added with, restored when WrongKey clears
  std::string path;
  bool out_of_range = false;
  bool drop_next_unlock = false;
  bool duplicate_characteristic = false;
  bool unresponsive = false;  // NoResponse: linked, services never resolved
  bool no_advertised_uuid = false;
  bool wrong_flags = false;
  bool no_status_notifications = false;
  std::unique_ptr<CharObject> extra;  // DuplicateCharacteristic: a second Status
  bool connected = false;
  std::unique_ptr<DeviceObject> device;
  std::unique_ptr<ServiceObject> service;
  std::unique_ptr<CharObject> control, response, status;
};

class EmulatedBluez::Impl::DeviceObject final
    : public sdbus::AdaptorInterfaces<org::bluez::Device1_adaptor, sdbus::Properties_adaptor,
                                      sdbus::ManagedObject_adaptor> {
 public:
  DeviceObject(sdbus::IConnection& c, Impl& impl, Entry& e)
      : AdaptorInterfaces(c, e.path), impl_(impl), e_(e) {
    registerAdaptor();
  }
  ~DeviceObject() { unregisterAdaptor(); }

 private:
  void Connect() override {
    impl_.require_powered();
    if (e_.out_of_range) throw sdbus::Error(err::kFailed, "le-connection-abort-by-local");
    if (e_.connected) return;
    if (e_.unresponsive) {
      // The link comes up, the GATT database never does: the client waits in vain.
      e_.connected = true;
      e_.lock.link_up();
      emitPropertiesChangedSignal(bluez::kDeviceInterface, {"Connected"});
      return;
    }
    impl_.link_up(e_);
  }
  void Disconnect() override {
    if (e_.connected) impl_.link_down(e_);
  }
  std::string Address() override { return e_.lock.config().address; }
  std::string AddressType() override { return "public"; }
  std::string Name() override { return e_.lock.config().name; }
  std::string Alias() override { return e_.lock.config().name; }
  int16_t RSSI() override { return e_.lock.config().rssi; }
  std::vector<std::string> UUIDs() override {
    if (e_.no_advertised_uuid) return {};
    return {std::string(lp::kServiceUuid)};
  }
  bool Paired() override { return false; }
  bool Trusted() override { return false; }
  bool Blocked() override { return false; }
  bool Connected() override { return e_.connected; }
  bool ServicesResolved() override { return e_.connected && !e_.unresponsive; }
  sdbus::ObjectPath Adapter() override { return impl_.adapter_path_; }

  Impl& impl_;
  Entry& e_;
};

class EmulatedBluez::Impl::ServiceObject final
    : public sdbus::AdaptorInterfaces<org::bluez::GattService1_adaptor,
                                      sdbus::ManagedObject_adaptor> {
 public:
  ServiceObject(sdbus::IConnection& c, Entry& e)
      : AdaptorInterfaces(c, e.path + "/service0010"), e_(e) {
    registerAdaptor();
  }
  ~ServiceObject() { unregisterAdaptor(); }

 private:
  std::string UUID() override { return std::string(lp::kServiceUuid); }
  bool Primary() override { return true; }
  sdbus::ObjectPath Device() override { return e_.path; }
  std::vector<sdbus::ObjectPath> Includes() override { return {}; }
  uint16_t Handle() override { return 0x0010; }

  Entry& e_;
};

class EmulatedBluez::Impl::CharObject final
    : public sdbus::AdaptorInterfaces<org::bluez::GattCharacteristic1_adaptor,
                                      sdbus::Properties_adaptor, sdbus::ManagedObject_adaptor> {
 public:
  CharObject(sdbus::IConnection& c, Impl& impl, Entry& e, Role role, bool extra = false)
      : AdaptorInterfaces(c, extra ? e.path + "/service0010/char0019" : path_for(e, role)),
        impl_(impl),
        e_(e),
        role_(role),
        extra_(extra) {
    registerAdaptor();
  }
  ~CharObject() { unregisterAdaptor(); }

  bool notifying() const { return notifying_; }
  void stop_notifying() {
    if (!notifying_) return;
    notifying_ = false;
    emitPropertiesChangedSignal(bluez::kGattCharacteristicInterface, {"Notifying"});
  }
  void notify_value() {
    if (notifying_) emitPropertiesChangedSignal(bluez::kGattCharacteristicInterface, {"Value"});
  }

 private:
  static std::string path_for(const Entry& e, Role role) {
    const char* leaf = role == Role::Control    ? "/char0011"
                       : role == Role::Response ? "/char0013"
                                                : "/char0016";
    return e.path + "/service0010" + leaf;
  }

  void require_connected() const {
    if (!e_.connected) throw sdbus::Error(err::kNotConnected, "Not connected");
  }

  std::vector<uint8_t> ReadValue(const Options& options) override {
    require_connected();
    if (role_ == Role::Control) throw sdbus::Error(err::kNotPermitted, "Read not permitted");
    const auto value = Value();
    if (role_ == Role::Response) e_.lock.response_read();
    const auto offset = offset_of(options);
    if (offset > value.size()) throw sdbus::Error(err::kInvalidOffset, "Invalid offset");
    return {value.begin() + offset, value.end()};
  }

  void WriteValue(const std::vector<uint8_t>& value, const Options& options) override {
    require_connected();
    if (role_ != Role::Control) throw sdbus::Error(err::kNotPermitted, "Write not permitted");
    if (offset_of(options) != 0 || value.size() > lp::kMaxCommandSize) {
      throw sdbus::Error(err::kInvalidValueLength, "Invalid Attribute Value Length");
    }
    if (e_.drop_next_unlock && !value.empty() &&
        value[0] == static_cast<std::uint8_t>(lp::Opcode::Unlock)) {
      // The link is lost after the write left the phone and before the lock acted.
      e_.drop_next_unlock = false;
      impl_.link_down(e_);
      throw sdbus::Error(err::kFailed, "Not connected");
    }
    const auto before = lp::encode(e_.lock.status());
    e_.lock.write_control(value);
    e_.response->notify_value();
    impl_.status_may_have_changed(e_, before);
  }

  void StartNotify() override {
    require_connected();
    if (role_ == Role::Control)
      throw sdbus::Error(err::kNotSupported, "Operation is not supported");
    if (notifying_) return;
    notifying_ = true;
    emitPropertiesChangedSignal(bluez::kGattCharacteristicInterface, {"Notifying"});
  }
  void StopNotify() override {
    if (!notifying_) throw sdbus::Error(err::kFailed, "No notify session started");
    stop_notifying();
  }

  std::string UUID() override {
    return std::string(role_ == Role::Control    ? lp::kControlPointUuid
                       : role_ == Role::Response ? lp::kResponseUuid
                                                 : lp::kStatusUuid);
  }
  sdbus::ObjectPath Service() override { return e_.path + "/service0010"; }
  std::vector<uint8_t> Value() override {
    switch (role_) {
      case Role::Control:
        return {};
      case Role::Response:
        return e_.lock.response();
      case Role::Status:
        return lp::encode(e_.lock.status());
    }
    return {};
  }
  bool Notifying() override { return notifying_; }
  std::vector<std::string> Flags() override {
    if (role_ == Role::Control) {
      return {e_.wrong_flags ? "write-without-response" : "write"};
    }
    return {"read", "notify"};
  }
  uint16_t MTU() override { return kMtu; }
  uint16_t Handle() override {
    if (extra_) return 0x0019;
    return role_ == Role::Control ? 0x0011 : role_ == Role::Response ? 0x0013 : 0x0016;
  }

  Impl& impl_;
  Entry& e_;
  Role role_;
  bool extra_;
  bool notifying_ = false;
};

// ------------------------------------------------------------------------ Impl

EmulatedBluez::Impl::Impl(const std::string& bus_address, const Clock& clock,
                          EmulatedBluezOptions options)
    : clock_(clock),
      options_(std::move(options)),
      adapter_path_(std::string(bluez::kBluezPath) + "/" + options_.adapter) {
  connection_ = sdbus::createSessionBusConnectionWithAddress(bus_address);
  root_ = std::make_unique<RootObject>(*connection_);
  bluez_ = std::make_unique<BluezObject>(*connection_, *this);
  adapter_ = std::make_unique<AdapterObject>(*connection_, *this);
  // Own the name only once every object answers, so a client that sees org.bluez appear
  // finds the adapter at once.
  connection_->requestName(bluez::kService);
  wake_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (wake_fd_ < 0) throw std::runtime_error("eventfd failed");
  thread_ = std::thread([this] { loop(); });
}

EmulatedBluez::Impl::~Impl() {
  call([this] { stopping_ = true; });
  thread_.join();
  for (auto& [address, e] : locks_) {
    e->control.reset();
    e->response.reset();
    e->status.reset();
    e->extra.reset();
    e->service.reset();
    e->device.reset();
  }
  adapter_.reset();
  bluez_.reset();
  root_.reset();
  connection_->releaseName(bluez::kService);
  connection_.reset();
  close(wake_fd_);
}

template <class F>
auto EmulatedBluez::Impl::call(F f) -> decltype(f()) {
  using R = decltype(f());
  if (std::this_thread::get_id() == thread_.get_id()) return f();
  std::promise<R> promise;
  auto future = promise.get_future();
  {
    std::lock_guard lock(tasks_mutex_);
    tasks_.push_back([&f, &promise] {
      try {
        if constexpr (std::is_void_v<R>) {
          f();
          promise.set_value();
        } else {
          promise.set_value(f());
        }
      } catch (...) {
        promise.set_exception(std::current_exception());
      }
    });
  }
  const std::uint64_t one = 1;
  if (write(wake_fd_, &one, sizeof one) != sizeof one) throw std::runtime_error("eventfd write");
  return future.get();
}

void EmulatedBluez::Impl::loop() {
  while (true) {
    std::deque<std::function<void()>> tasks;
    {
      std::lock_guard lock(tasks_mutex_);
      tasks.swap(tasks_);
    }
    for (auto& t : tasks) t();
    if (stopping_) return;
    while (connection_->processPendingRequest()) {
    }
    const auto poll_data = connection_->getEventLoopPollData();
    pollfd fds[2] = {{poll_data.fd, poll_data.events, 0}, {wake_fd_, POLLIN, 0}};
    int timeout_ms = -1;
    if (poll_data.timeout_usec != UINT64_MAX) {
      const auto now = monotonic_usec();
      timeout_ms = poll_data.timeout_usec <= now
                       ? 0
                       : static_cast<int>((poll_data.timeout_usec - now + 999) / 1000);
    }
    poll(fds, 2, timeout_ms);
    if (fds[1].revents & POLLIN) {
      std::uint64_t n = 0;
      [[maybe_unused]] auto r = read(wake_fd_, &n, sizeof n);
    }
  }
}

EmulatedBluez::Impl::Entry& EmulatedBluez::Impl::entry(const std::string& address) {
  const auto it = locks_.find(upper(address));
  if (it == locks_.end()) throw sdbus::Error(err::kDoesNotExist, "no emulated lock " + address);
  return *it->second;
}

EmulatedBluez::Impl::Entry* EmulatedBluez::Impl::entry_at(const std::string& path) {
  for (auto& [address, e] : locks_) {
    if (e->path == path && e->device) return e.get();
  }
  return nullptr;
}

std::string EmulatedBluez::Impl::add_lock(LockConfig config) {
  config.address = upper(config.address);
  if (!lock_receipt::parse_address(config.address)) {
    throw sdbus::Error(err::kInvalidArguments, "not a BLE address: " + config.address);
  }
  if (locks_.count(config.address)) {
    throw sdbus::Error(err::kFailed, "lock " + config.address + " already exists");
  }
  if (config.admin_key.empty()) config.admin_key = config.key;
  const auto address = config.address;
  auto e = std::make_unique<Entry>(std::move(config), clock_, options_.nonces);
  e->path = bluez::device_path(options_.adapter, address);
  auto& ref = *e;
  locks_.emplace(address, std::move(e));
  show(ref);
  return ref.path;
}

void EmulatedBluez::Impl::remove_lock(const std::string& address) {
  auto& e = entry(address);
  hide(e);
  locks_.erase(e.lock.config().address);
}

void EmulatedBluez::Impl::show(Entry& e) {
  if (e.device || e.out_of_range) return;
  e.device = std::make_unique<DeviceObject>(*connection_, *this, e);
  e.device->emitInterfacesAddedSignal();
  e.service = std::make_unique<ServiceObject>(*connection_, e);
  e.service->emitInterfacesAddedSignal();
  for (auto [slot, role] :
       {std::pair{&e.control, Role::Control}, std::pair{&e.response, Role::Response},
        std::pair{&e.status, Role::Status}}) {
    *slot = std::make_unique<CharObject>(*connection_, *this, e, role);
    (*slot)->emitInterfacesAddedSignal();
  }
  show_extra(e);
}

void EmulatedBluez::Impl::show_extra(Entry& e) {
  if (!e.device || e.extra || !e.duplicate_characteristic) return;
  e.extra = std::make_unique<CharObject>(*connection_, *this, e, Role::Status, true);
  e.extra->emitInterfacesAddedSignal();
}

void EmulatedBluez::Impl::hide_extra(Entry& e) {
  if (!e.extra) return;
  e.extra->emitInterfacesRemovedSignal();
  e.extra.reset();
}

void EmulatedBluez::Impl::hide(Entry& e) {
  if (!e.device) return;
  if (e.connected) link_down(e);
  hide_extra(e);
  for (auto* slot : {&e.status, &e.response, &e.control}) {
    (*slot)->emitInterfacesRemovedSignal();
    slot->reset();
  }
  e.service->emitInterfacesRemovedSignal();
  e.service.reset();
  e.device->emitInterfacesRemovedSignal();
  e.device.reset();
}

void EmulatedBluez::Impl::link_up(Entry& e) {
  e.connected = true;
  e.lock.link_up();
  // bluetoothd reports the link first and the resolved GATT database after it.
  e.device->emitPropertiesChangedSignal(bluez::kDeviceInterface, {"Connected"});
  e.device->emitPropertiesChangedSignal(bluez::kDeviceInterface, {"ServicesResolved"});
}

void EmulatedBluez::Impl::link_down(Entry& e) {
  e.connected = false;
  e.lock.link_down();
  e.response->stop_notifying();
  e.status->stop_notifying();
  e.device->emitPropertiesChangedSignal(bluez::kDeviceInterface, {"ServicesResolved"});
  e.device->emitPropertiesChangedSignal(bluez::kDeviceInterface, {"Connected"});
}

void EmulatedBluez::Impl::status_may_have_changed(Entry& e,
                                                  const std::vector<std::uint8_t>& before) {
  if (e.status && !e.no_status_notifications && lp::encode(e.lock.status()) != before) {
    e.status->notify_value();
  }
}

void EmulatedBluez::Impl::require_powered() const {
  if (!powered_) throw sdbus::Error(err::kNotReady, "Resource Not Ready");
}

void EmulatedBluez::Impl::start_discovery() {
  require_powered();
  if (discovering_) throw sdbus::Error(err::kInProgress, "Operation already in progress");
  discovering_ = true;
  adapter_->emitPropertiesChangedSignal(bluez::kAdapterInterface, {"Discovering"});
  for (auto& [address, e] : locks_) show(*e);
}

void EmulatedBluez::Impl::stop_discovery() {
  if (!discovering_) throw sdbus::Error(err::kFailed, "No discovery started");
  discovering_ = false;
  adapter_->emitPropertiesChangedSignal(bluez::kAdapterInterface, {"Discovering"});
}

void EmulatedBluez::Impl::inject(const std::string& address, LockFault fault, std::int64_t arg) {
  auto& e = entry(address);
  const auto before = lp::encode(e.lock.status());
  switch (fault) {
    case LockFault::OutOfRange:
      hide(e);
      e.out_of_range = true;
      break;
    case LockFault::DisconnectDuringUnlock:
      e.drop_next_unlock = true;
      break;
    case LockFault::LowBattery:
      e.lock.set_battery(arg > 0 ? static_cast<std::uint8_t>(std::min<std::int64_t>(arg, 100))
                                 : kDefaultLowBattery);
      break;
    case LockFault::WrongKey: {
      auto other = e.key;
      for (auto& b : other) b ^= 0x5a;
      e.lock.set_key(std::move(other));
      break;
    }
    case LockFault::ClockDrift:
      e.lock.drift(std::chrono::seconds(arg));
      break;
    case LockFault::LogFull:
      e.lock.fill_log();
      break;
    case LockFault::NoResponse:
      e.unresponsive = true;
      break;
    case LockFault::ReplayLastEntry:
      e.lock.replay_next_unlock(true);
      break;
    case LockFault::BadMac:
      e.lock.corrupt_next_receipt(true);
      break;
    default:
      set_defect(e, fault, true);
      break;
  }
  status_may_have_changed(e, before);
}

void EmulatedBluez::Impl::set_defect(Entry& e, LockFault fault, bool on) {
  if (bool* d = defect_switch(e.lock.defects(), fault)) {
    *d = on;
    return;
  }
  switch (fault) {
    case LockFault::NoAdvertisedUuid:
      e.no_advertised_uuid = on;
      break;
    case LockFault::DuplicateCharacteristic:
      e.duplicate_characteristic = on;
      if (on) {
        show_extra(e);
      } else {
        hide_extra(e);
      }
      break;
    case LockFault::WrongFlags:
      e.wrong_flags = on;
      break;
    case LockFault::NoStatusNotifications:
      e.no_status_notifications = on;
      break;
    default:
      break;
  }
}

void EmulatedBluez::Impl::clear(const std::string& address, LockFault fault) {
  auto& e = entry(address);
  const auto before = lp::encode(e.lock.status());
  switch (fault) {
    case LockFault::OutOfRange:
      e.out_of_range = false;
      if (discovering_) show(e);  // otherwise it is found by the next discovery
      break;
    case LockFault::DisconnectDuringUnlock:
      e.drop_next_unlock = false;
      break;
    case LockFault::LowBattery:
      e.lock.set_battery(100);
      break;
    case LockFault::WrongKey:
      e.lock.set_key(e.key);
      break;
    case LockFault::ClockDrift:
      e.lock.set_lock_time(clock_.now().time_since_epoch().count());
      break;
    case LockFault::LogFull:
      e.lock.restore_log_capacity();
      break;
    case LockFault::NoResponse:
      e.unresponsive = false;
      break;
    case LockFault::ReplayLastEntry:
      e.lock.replay_next_unlock(false);
      break;
    case LockFault::BadMac:
      e.lock.corrupt_next_receipt(false);
      break;
    default:
      set_defect(e, fault, false);
      break;
  }
  status_may_have_changed(e, before);
}

std::vector<LockEvent> EmulatedBluez::Impl::log(const std::string& address) {
  return entry(address).lock.log();
}

lp::StatusRecord EmulatedBluez::Impl::status(const std::string& address) {
  return entry(address).lock.status();
}

void EmulatedBluez::Impl::set_lock_time(const std::string& address, std::int64_t unix_seconds) {
  entry(address).lock.set_lock_time(unix_seconds);
}

void EmulatedBluez::Impl::tick() {
  for (auto& [address, e] : locks_) {
    const auto before = lp::encode(e->lock.status());
    e->lock.tick();
    status_may_have_changed(*e, before);
  }
}

// ------------------------------------------------------------------------ public face

EmulatedBluez::EmulatedBluez(const std::string& bus_address, const Clock& clock,
                             EmulatedBluezOptions options)
    : impl_(std::make_unique<Impl>(bus_address, clock, std::move(options))) {}

EmulatedBluez::~EmulatedBluez() = default;

std::string EmulatedBluez::add_lock(LockConfig config) {
  return impl_->call([&] { return impl_->add_lock(std::move(config)); });
}
void EmulatedBluez::remove_lock(const std::string& address) {
  impl_->call([&] { impl_->remove_lock(address); });
}
void EmulatedBluez::inject(const std::string& address, LockFault fault, std::int64_t arg) {
  impl_->call([&] { impl_->inject(address, fault, arg); });
}
void EmulatedBluez::clear(const std::string& address, LockFault fault) {
  impl_->call([&] { impl_->clear(address, fault); });
}
void EmulatedBluez::set_lock_time(const std::string& address, std::int64_t unix_seconds) {
  impl_->call([&] { impl_->set_lock_time(address, unix_seconds); });
}
void EmulatedBluez::tick() {
  impl_->call([&] { impl_->tick(); });
}
std::vector<LockEvent> EmulatedBluez::log(const std::string& address) const {
  return impl_->call([&] { return impl_->log(address); });
}
lock_protocol::StatusRecord EmulatedBluez::status(const std::string& address) const {
  return impl_->call([&] { return impl_->status(address); });
}

}  // namespace kvittens::emu
