#include "sim/core/synthetic_hardware.hpp"

#include <algorithm>
#include <deque>
#include <optional>
#include <random>

#include "kvittens/lock_receipt.hpp"

namespace kvittens::sim {

std::uint64_t stable_hash(const std::string& text, std::uint64_t seed) {
  std::uint64_t h = 14695981039346656037ull ^ seed;
  for (unsigned char c : text) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

namespace {

// Failures queued by inject(): consumed one per operation, in order.
struct FaultQueue {
  std::vector<DeviceErrorCode> pending;
  void add(DeviceErrorCode e, int count) {
    for (int i = 0; i < count; ++i) pending.push_back(e);
  }
  void maybe_throw(const std::string& device) {
    if (pending.empty()) return;
    const auto e = pending.front();
    pending.erase(pending.begin());
    throw DeviceError(e, device + ": injected fault " + to_string(e));
  }
};

}  // namespace

class SyntheticHardware::Reader : public NfcReader {
 public:
  explicit Reader(std::string staff) : staff_(std::move(staff)) {}
  TagRead read_tag(std::chrono::milliseconds) override {
    faults.maybe_throw("nfc reader of " + staff_);
    if (!in_field) throw DeviceError(DeviceErrorCode::NoTag, "no tag in the field");
    TagRead r;
    r.uid = in_field->uid;
    r.atqa = 0x0044;  // NTAG21x answers ATQA 0x0044, SAK 0x00
    r.sak = 0x00;
    return r;
  }
  std::string staff_;
  std::optional<TagOnDoor> in_field;
  FaultQueue faults;
};

// The lock's side of docs/lock-profile.md as far as the evidence goes, mirroring the emulated
// lock (sim/emu/bluez) so both modes give the same receipts: every log entry takes the next
// sequence number (unlocks, the auto-relock 30 s of lock time later, refused attempts, a low
// battery), the lock's clock can drift, and the lock conditions act as the emulated lock's.
class SyntheticHardware::SignedLock : public Lock {
 public:
  SignedLock(LockRecord record, const Clock& clock, std::uint32_t first_seq)
      : record_(std::move(record)), clock_(clock), next_seq_(first_seq) {
    key_ = lock_receipt::from_hex(record_.key_hex).value_or(std::vector<std::uint8_t>{});
  }

  LockEvent unlock(const LockCredential& credential, std::chrono::milliseconds) override {
    const auto condition = begin_operation();
    authenticate(credential, condition);
    locked_ = false;
    unlocked_by_ = credential.key_id;
    relock_due_ = lock_time() + kAutoRelock;
    if (condition == LockCondition::ReplayLastEntry && last_unlock_) return *last_unlock_;
    last_unlock_ = append(lock_receipt::Event::Unlock, credential.key_id, lock_time());
    if (condition == LockCondition::BadMac) {
      throw DeviceError(DeviceErrorCode::Protocol,
                        "lock " + record_.id + ": log entry MAC does not verify with the lock key");
    }
    return *last_unlock_;
  }

  void relock(const LockCredential& credential, std::chrono::milliseconds) override {
    const auto condition = begin_operation();
    authenticate(credential, condition);
    locked_ = true;
    relock_due_.reset();
    append(lock_receipt::Event::Lock, credential.key_id, lock_time());
  }

  LockStatus status(std::chrono::milliseconds) override {
    const auto condition = begin_operation();
    if (condition == LockCondition::OutOfRange || condition == LockCondition::NoResponse) {
      unreachable(*condition);
    }
    LockStatus s;
    s.locked = locked_;
    s.battery_percent = battery_;
    s.low_battery = battery_ < kLowBattery;
    return s;
  }

  // LP-CMD-4: the bolt closes 30 s of lock time after an unlock, logged at the time it was due.
  void tick() {
    if (locked_ || !relock_due_ || lock_time() < *relock_due_) return;
    locked_ = true;
    append(lock_receipt::Event::AutoRelock, unlocked_by_, *relock_due_);
    relock_due_.reset();
  }

  void inject(const DeviceFault& fault) {
    const auto condition = fault.condition ? fault.condition : lock_condition_for(fault.error);
    if (!condition) {
      errors.add(fault.error, fault.count);
      return;
    }
    switch (*condition) {
      case LockCondition::LowBattery: {
        const bool was_low = battery_ < kLowBattery;
        battery_ = fault.arg > 0 ? static_cast<std::uint8_t>(std::min<std::int64_t>(fault.arg, 100))
                                 : std::uint8_t{8};
        if (!was_low && battery_ < kLowBattery) {
          append(lock_receipt::Event::LowBattery, 0, lock_time());
        }
        break;
      }
      case LockCondition::ClockDrift:
        offset_ += fault.arg;
        if (relock_due_) *relock_due_ += fault.arg;
        break;
      default:
        for (int i = 0; i < fault.count; ++i) pending_.push_back(*condition);
    }
  }

  FaultQueue errors;  // errors no lock condition stands for (tests)

 private:
  static constexpr std::int64_t kAutoRelock = 30;
  static constexpr std::uint8_t kLowBattery = 15;

  std::int64_t lock_time() const { return clock_.now().time_since_epoch().count() + offset_; }

  std::optional<LockCondition> begin_operation() {
    errors.maybe_throw("lock " + record_.id);
    tick();
    if (pending_.empty()) return std::nullopt;
    const auto c = pending_.front();
    pending_.pop_front();
    return c;
  }

  [[noreturn]] void unreachable(LockCondition c) const {
    if (c == LockCondition::OutOfRange) {
      throw DeviceError(DeviceErrorCode::NotFound, "lock " + record_.id + " not in range");
    }
    throw DeviceError(DeviceErrorCode::Timeout, "lock " + record_.id + " does not answer");
  }

  void authenticate(const LockCredential& credential, std::optional<LockCondition> c) {
    if (c) {
      switch (*c) {
        case LockCondition::OutOfRange:
        case LockCondition::NoResponse:
          unreachable(*c);
        case LockCondition::DisconnectDuringUnlock:
          throw DeviceError(DeviceErrorCode::Disconnected,
                            "lock " + record_.id + " dropped the link");
        case LockCondition::LogFull:
          throw DeviceError(DeviceErrorCode::Failed, "lock " + record_.id + " refused: LOG_FULL");
        case LockCondition::WrongKey:
          append(lock_receipt::Event::AuthFailed, credential.key_id, lock_time());
          throw DeviceError(DeviceErrorCode::NotPermitted,
                            "lock " + record_.id + " refused: AUTH_FAILED");
        default:
          break;
      }
    }
    if (credential.key != key_) {
      append(lock_receipt::Event::AuthFailed, credential.key_id, lock_time());
      throw DeviceError(DeviceErrorCode::NotPermitted,
                        "lock " + record_.id + " refused: AUTH_FAILED");
    }
  }

  LockEvent append(lock_receipt::Event event, std::uint16_t key_id, std::int64_t time) {
    LockEvent e;
    e.lock_id = record_.id;
    e.seq = next_seq_++;
    e.time = time;
    e.event = static_cast<std::uint8_t>(event);
    e.key_id = key_id;
    e.mac_hex = lock_receipt::mac_hex(e, key_);
    return e;
  }

  LockRecord record_;
  const Clock& clock_;
  std::uint32_t next_seq_;
  std::vector<std::uint8_t> key_;
  bool locked_ = true;
  std::optional<std::int64_t> relock_due_;
  std::uint16_t unlocked_by_ = 0;
  std::uint8_t battery_ = 100;
  std::int64_t offset_ = 0;  // lock clock minus scenario clock
  std::deque<LockCondition> pending_;
  std::optional<LockEvent> last_unlock_;
};

std::uint32_t first_lock_seq(const std::string& lock_id, std::uint64_t seed) {
  std::mt19937 rng(static_cast<std::uint32_t>(stable_hash(lock_id, seed)));
  return static_cast<std::uint32_t>(rng() % 1000) + 1;
}

SyntheticHardware::SyntheticHardware(const World& world, const Clock& clock, std::uint64_t seed)
    : clock_(clock) {
  for (const auto& l : world.locks) {
    locks_[l.id] = std::make_unique<SignedLock>(l, clock_, first_lock_seq(l.id, seed));
  }
}

SyntheticHardware::~SyntheticHardware() = default;

NfcReader& SyntheticHardware::reader(const std::string& staff) {
  auto& r = readers_[staff];
  if (!r) r = std::make_unique<Reader>(staff);
  return *r;
}

void SyntheticHardware::present_tag(const std::string& staff, const TagOnDoor& tag) {
  static_cast<Reader&>(reader(staff)).in_field = tag;
}

void SyntheticHardware::remove_tag(const std::string& staff) {
  static_cast<Reader&>(reader(staff)).in_field.reset();
}

Lock& SyntheticHardware::lock(const std::string& /*staff*/, const std::string& lock_id) {
  auto it = locks_.find(lock_id);
  if (it == locks_.end()) {
    throw DeviceError(DeviceErrorCode::NotFound, "no lock " + lock_id + " in range");
  }
  return *it->second;
}

void SyntheticHardware::inject(const DeviceFault& fault) {
  if (fault.device == DeviceFault::Device::Nfc) {
    static_cast<Reader&>(reader(fault.target)).faults.add(fault.error, fault.count);
    return;
  }
  auto it = locks_.find(fault.target);
  if (it != locks_.end()) it->second->inject(fault);
}

void SyntheticHardware::tick() {
  for (auto& [id, l] : locks_) l->tick();
}

}  // namespace kvittens::sim
