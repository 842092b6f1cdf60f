// `--hardware none`: receipts without devices. Tag reads return the UID held to the phone;
// lock unlocks return a log entry signed with the lock's key from the world, timed by the
// scenario clock — the same evidence, sequence numbers included, as the emulated lock gives, for
// fast rule-only suites.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "kvittens/clock.hpp"
#include "kvittens/model.hpp"
#include "sim/core/hardware.hpp"

namespace kvittens::sim {

class SyntheticHardware : public Hardware {
 public:
  // `seed` chooses each lock's starting sequence number, as a lock in service would have one.
  SyntheticHardware(const World& world, const Clock& clock, std::uint64_t seed);
  ~SyntheticHardware() override;

  void present_tag(const std::string& staff, const TagOnDoor& tag) override;
  void remove_tag(const std::string& staff) override;
  void inject(const DeviceFault& fault) override;
  void tick() override;
  NfcReader& reader(const std::string& staff) override;
  Lock& lock(const std::string& staff, const std::string& lock_id) override;

 private:
  class Reader;
  class SignedLock;
  const Clock& clock_;
  std::map<std::string, std::unique_ptr<Reader>> readers_;
  std::map<std::string, std::unique_ptr<SignedLock>> locks_;
};

// The sequence number of a lock's first log entry in a run: a lock in service is somewhere in
// its life (LP-LOG-1), chosen by the run's seed. Emulated locks start at the same number.
std::uint32_t first_lock_seq(const std::string& lock_id, std::uint64_t seed);

// A stable 64-bit hash (FNV-1a) so seeds derived from names are the same on every platform.
std::uint64_t stable_hash(const std::string& text, std::uint64_t seed = 0);

}  // namespace kvittens::sim
