#include "sim/emulated/emulated_hardware.hpp"

#include <algorithm>
#include <deque>
#include <mutex>
#include <optional>
#include <stdexcept>

#include "drivers/ble/bluez_lock.hpp"
#include "kvittens/lock_receipt.hpp"
#include "sim/core/synthetic_hardware.hpp"
#include "sim/emu/bluez/emulated_bluez.hpp"
#include "sim/emu/bluez/private_bus.hpp"
#include "sim/emu/pn532/nfc_station.hpp"

namespace kvittens::sim {
namespace {

using std::chrono::milliseconds;

emu::LockFault emulated(LockCondition c) {
  switch (c) {
    case LockCondition::OutOfRange:
      return emu::LockFault::OutOfRange;
    case LockCondition::DisconnectDuringUnlock:
      return emu::LockFault::DisconnectDuringUnlock;
    case LockCondition::NoResponse:
      return emu::LockFault::NoResponse;
    case LockCondition::WrongKey:
      return emu::LockFault::WrongKey;
    case LockCondition::LogFull:
      return emu::LockFault::LogFull;
    case LockCondition::ReplayLastEntry:
      return emu::LockFault::ReplayLastEntry;
    case LockCondition::BadMac:
      return emu::LockFault::BadMac;
    case LockCondition::LowBattery:
      return emu::LockFault::LowBattery;
    case LockCondition::ClockDrift:
      return emu::LockFault::ClockDrift;
  }
  throw std::invalid_argument("unknown lock condition");
}

// Opening a reader through libnfc costs ~50 ms (most of an emulated run), so readers outlive
// their run: a phone takes an idle one and gives it back with an empty field when the run ends.
// A reader keeps no scenario state between reads (faults are armed per read and cleared after
// it), so which run had it before changes nothing. An unplugged one is not given back.
class StationPool {
 public:
  static StationPool& instance() {
    static StationPool pool;
    return pool;
  }
  std::unique_ptr<emu::pn532::NfcStation> take(std::chrono::milliseconds command_timeout) {
    std::lock_guard lock(mutex_);
    auto& idle = idle_[command_timeout.count()];
    if (idle.empty()) return nullptr;
    auto s = std::move(idle.back());
    idle.pop_back();
    return s;
  }
  void give_back(std::unique_ptr<emu::pn532::NfcStation> s,
                 std::chrono::milliseconds command_timeout) {
    s->remove();
    std::lock_guard lock(mutex_);
    idle_[command_timeout.count()].push_back(std::move(s));
  }

 private:
  std::mutex mutex_;
  std::map<long, std::vector<std::unique_ptr<emu::pn532::NfcStation>>> idle_;
};

// Errors after which the reader is gone: the staff member plugs it in again.
bool unplugs(DeviceErrorCode e) {
  return e == DeviceErrorCode::Disconnected || e == DeviceErrorCode::NoDevice;
}

}  // namespace

// One phone's NFC: an NfcStation (emulator + libnfc driver), started at first use.
class EmulatedHardware::PhoneNfc final : public NfcReader {
 public:
  PhoneNfc(const EmulatedHardwareOptions& options, DeviceLog* log) : options_(options), log_(log) {}
  ~PhoneNfc() override {
    if (station_) station_->driver().set_log(nullptr);  // the log ends with this run
    if (station_ && options_.reuse_readers) {
      StationPool::instance().give_back(std::move(station_), options_.nfc_command_timeout);
    }
  }
  PhoneNfc(const PhoneNfc&) = delete;
  PhoneNfc& operator=(const PhoneNfc&) = delete;

  TagRead read_tag(milliseconds timeout) override {
    auto& s = station();
    std::optional<DeviceErrorCode> fault;
    if (!faults_.empty()) {
      fault = faults_.front();
      faults_.pop_front();
      s.inject(*fault, 1);
    }
    try {
      return s.read_tag(std::min(timeout, options_.device_timeout_cap));
    } catch (...) {
      if (fault && unplugs(*fault)) station_.reset();
      throw;
    }
  }

  void present(const std::string& uid) {
    in_field_ = uid;
    station().present(uid);
  }
  void remove() {
    in_field_.reset();
    if (station_) station_->remove();
  }
  void inject(DeviceErrorCode error, int count) {
    if (!nfc_reader_can_fail_with(error)) {
      throw std::invalid_argument(std::string("an NFC reader cannot fail with ") +
                                  to_string(error));
    }
    for (int i = 0; i < count; ++i) faults_.push_back(error);
  }
  int started() const { return started_; }
  void set_log(DeviceLog* log) {
    log_ = log;
    if (station_) station_->driver().set_log(log);
  }

 private:
  emu::pn532::NfcStation& station() {
    if (station_) return *station_;
    if (options_.reuse_readers) {
      station_ = StationPool::instance().take(options_.nfc_command_timeout);
    }
    if (!station_) {
      drivers::LibnfcReaderOptions driver;
      driver.command_timeout = options_.nfc_command_timeout;
      driver.log = log_;  // the reader's opening (wakeup, SAMConfiguration) is in the log too
      station_ = std::make_unique<emu::pn532::NfcStation>(emu::pn532::ChipTiming{}, driver);
      ++started_;
    }
    station_->driver().set_log(log_);
    if (in_field_) station_->present(*in_field_);
    return *station_;
  }

  const EmulatedHardwareOptions& options_;
  DeviceLog* log_;
  std::unique_ptr<emu::pn532::NfcStation> station_;
  std::optional<std::string> in_field_;
  std::deque<DeviceErrorCode> faults_;
  int started_ = 0;
};

// The private bus and the emulated BlueZ with every lock of the world.
struct EmulatedHardware::Ble {
  Ble(const std::vector<LockRecord>& locks, const Clock& clock, std::uint64_t seed)
      : bluez(bus.address(), clock) {
    for (const auto& l : locks) {
      emu::LockConfig config;
      config.address = l.id;
      config.key = lock_receipt::from_hex(l.key_hex).value_or(std::vector<std::uint8_t>{});
      config.first_seq = first_lock_seq(l.id, seed);
      bluez.add_lock(std::move(config));
    }
  }
  emu::PrivateBus bus;
  emu::EmulatedBluez bluez;
};

// One phone's way to one lock: the BLE driver on its own bus connection. Each operation goes
// through EmulatedHardware::operate, which arms the lock's next condition around it.
class EmulatedHardware::PhoneLock final : public Lock {
 public:
  PhoneLock(EmulatedHardware& hw, const std::string& lock_id)
      : hw_(hw),
        lock_id_(lock_id),
        driver_(ble::open_bus(hw.ble().bus.address()),
                ble::BluezLockOptions{.address = lock_id,
                                      .discovery_timeout = hw.options_.discovery_timeout,
                                      .log = hw.device_log_}) {}

  LockEvent unlock(const LockCredential& credential, milliseconds timeout) override {
    return hw_.operate(lock_id_, [&] { return driver_.unlock(credential, cap(timeout)); });
  }
  void relock(const LockCredential& credential, milliseconds timeout) override {
    hw_.operate(lock_id_, [&] { driver_.relock(credential, cap(timeout)); });
  }
  LockStatus status(milliseconds timeout) override {
    return hw_.operate(lock_id_, [&] { return driver_.status(cap(timeout)); });
  }
  void set_log(DeviceLog* log) { driver_.set_log(log); }

 private:
  milliseconds cap(milliseconds t) const { return std::min(t, hw_.options_.device_timeout_cap); }

  EmulatedHardware& hw_;
  std::string lock_id_;
  ble::BluezLock driver_;
};

EmulatedHardware::EmulatedHardware(const World& world, const Clock& clock, std::uint64_t seed,
                                   EmulatedHardwareOptions options)
    : locks_(world.locks), clock_(clock), seed_(seed), options_(options) {}

EmulatedHardware::~EmulatedHardware() {
  // The drivers leave the bus before the emulated BlueZ and the daemon stop.
  phone_locks_.clear();
  readers_.clear();
  ble_.reset();
}

EmulatedHardware::Ble& EmulatedHardware::ble() {
  if (!ble_) {
    ble_ = std::make_unique<Ble>(locks_, clock_, seed_);
    ++buses_started_;
  }
  return *ble_;
}

const LockRecord& EmulatedHardware::lock_record(const std::string& lock_id) const {
  const auto it = std::find_if(locks_.begin(), locks_.end(),
                               [&](const LockRecord& l) { return l.id == lock_id; });
  if (it == locks_.end()) {
    throw DeviceError(DeviceErrorCode::NotFound, "no lock " + lock_id + " in range");
  }
  return *it;
}

template <class F>
auto EmulatedHardware::operate(const std::string& lock_id, F&& f) -> decltype(f()) {
  auto& pending = pending_[lock_id];
  if (pending.empty()) return f();
  const auto fault = emulated(pending.front());
  pending.erase(pending.begin());
  auto& bluez = ble().bluez;
  bluez.inject(lock_id, fault);
  // The condition lasts for this operation only, whatever its outcome.
  struct Clear {
    emu::EmulatedBluez& bluez;
    const std::string& lock_id;
    emu::LockFault fault;
    ~Clear() { bluez.clear(lock_id, fault); }
  } clear{bluez, lock_id, fault};
  return f();
}

void EmulatedHardware::present_tag(const std::string& staff, const TagOnDoor& tag) {
  static_cast<PhoneNfc&>(reader(staff)).present(tag.uid);
}

void EmulatedHardware::remove_tag(const std::string& staff) {
  static_cast<PhoneNfc&>(reader(staff)).remove();
}

void EmulatedHardware::inject(const DeviceFault& fault) {
  if (fault.device == DeviceFault::Device::Nfc) {
    static_cast<PhoneNfc&>(reader(fault.target)).inject(fault.error, fault.count);
    return;
  }
  lock_record(fault.target);
  const auto condition = fault.condition ? fault.condition : lock_condition_for(fault.error);
  if (!condition) {
    throw std::invalid_argument(std::string("a receipt lock cannot fail with ") +
                                to_string(fault.error));
  }
  if (*condition == LockCondition::LowBattery || *condition == LockCondition::ClockDrift) {
    ble().bluez.inject(fault.target, emulated(*condition), fault.arg);
    return;
  }
  auto& pending = pending_[fault.target];
  for (int i = 0; i < fault.count; ++i) pending.push_back(*condition);
}

void EmulatedHardware::set_device_log(DeviceLog* log) {
  device_log_ = log;
  for (auto& [staff, r] : readers_) r->set_log(log);
  for (auto& [key, l] : phone_locks_) l->set_log(log);
}

void EmulatedHardware::tick() {
  if (ble_) ble_->bluez.tick();
}

NfcReader& EmulatedHardware::reader(const std::string& staff) {
  auto& r = readers_[staff];
  if (!r) r = std::make_unique<PhoneNfc>(options_, device_log_);
  return *r;
}

Lock& EmulatedHardware::lock(const std::string& staff, const std::string& lock_id) {
  lock_record(lock_id);
  auto& l = phone_locks_[{staff, lock_id}];
  if (!l) l = std::make_unique<PhoneLock>(*this, lock_id);
  return *l;
}

std::vector<LockEvent> EmulatedHardware::lock_log(const std::string& lock_id) {
  return ble().bluez.log(lock_id);
}

int EmulatedHardware::readers_started() const {
  int n = 0;
  for (const auto& [staff, r] : readers_) n += r->started();
  return n;
}

}  // namespace kvittens::sim
