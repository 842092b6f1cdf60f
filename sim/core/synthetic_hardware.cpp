#include "sim/core/synthetic_hardware.hpp"

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

class SyntheticHardware::SignedLock : public Lock {
 public:
  SignedLock(LockRecord record, const Clock& clock, std::uint32_t seq)
      : record_(std::move(record)), clock_(clock), seq_(seq) {
    key_ = lock_receipt::from_hex(record_.key_hex).value_or(std::vector<std::uint8_t>{});
  }
  LockEvent unlock(const LockCredential& credential, std::chrono::milliseconds) override {
    faults.maybe_throw("lock " + record_.id);
    if (credential.key != key_) throw DeviceError(DeviceErrorCode::NotPermitted, "wrong key");
    locked_ = false;
    LockEvent e;
    e.lock_id = record_.id;
    e.seq = ++seq_;
    e.time = clock_.now().time_since_epoch().count();
    e.event = static_cast<std::uint8_t>(lock_receipt::Event::Unlock);
    e.key_id = credential.key_id;
    e.mac_hex = lock_receipt::mac_hex(e, key_);
    return e;
  }
  void relock(const LockCredential& credential, std::chrono::milliseconds) override {
    faults.maybe_throw("lock " + record_.id);
    if (credential.key != key_) throw DeviceError(DeviceErrorCode::NotPermitted, "wrong key");
    locked_ = true;
  }
  LockStatus status(std::chrono::milliseconds) override {
    faults.maybe_throw("lock " + record_.id);
    LockStatus s;
    s.locked = locked_;
    return s;
  }
  FaultQueue faults;

 private:
  LockRecord record_;
  const Clock& clock_;
  std::uint32_t seq_;
  std::vector<std::uint8_t> key_;
  bool locked_ = true;
};

SyntheticHardware::SyntheticHardware(const World& world, const Clock& clock, std::uint64_t seed)
    : clock_(clock) {
  for (const auto& l : world.locks) {
    std::mt19937 rng(static_cast<std::uint32_t>(stable_hash(l.id, seed)));
    const auto first_seq = static_cast<std::uint32_t>(rng() % 1000);
    locks_[l.id] = std::make_unique<SignedLock>(l, clock_, first_seq);
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

Lock& SyntheticHardware::lock(const std::string& lock_id) {
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
  if (it != locks_.end()) it->second->faults.add(fault.error, fault.count);
}

}  // namespace kvittens::sim
