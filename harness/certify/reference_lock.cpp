// The emulated reference lock of `kvittens certify lock`.
#include "harness/certify/reference_lock.hpp"

namespace kvittens::certify {
namespace {

std::int64_t wall_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

ReferenceLock::ReferenceLock(ReferenceLockOptions options)
    : options_(std::move(options)), clock_(wall_now()) {
  bluez_ = std::make_unique<emu::EmulatedBluez>(bus_.address(), clock_);
  emu::LockConfig config;
  config.address = options_.address;
  config.key = options_.key;
  config.admin_key = options_.admin_key;
  config.first_seq = options_.first_seq;
  bluez_->add_lock(config);
  for (const auto& [fault, arg] : options_.faults) bluez_->inject(options_.address, fault, arg);
}

ReferenceLock::~ReferenceLock() = default;

LockCertifyOptions ReferenceLock::certify_options() const {
  LockCertifyOptions o;
  o.address = options_.address;
  o.bus = bus_.address();
  o.key = options_.key;
  o.admin_key = options_.admin_key;
  o.call_timeout = std::chrono::milliseconds(2000);
  o.discovery_timeout = std::chrono::milliseconds(300);
  o.connect_timeout = std::chrono::milliseconds(500);
  o.notify_within = std::chrono::milliseconds(1000);
  o.relock_grace = std::chrono::milliseconds(0);  // the clock moves only when the bench says
  o.target = "reference: emulated lock on a private bus (" + bus_.address() + ")";
  return o;
}

std::int64_t ReferenceLock::now() const {
  return clock_.unix();
}

void ReferenceLock::wait(std::chrono::seconds by) {
  clock_.advance(by);
  bluez_->tick();
}

}  // namespace kvittens::certify
