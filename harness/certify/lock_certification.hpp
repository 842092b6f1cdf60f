// Lock certification: exercises a receipt lock over BlueZ (drivers/ble GattInspector, the same
// code path for a lock on the bench and for the emulated reference) and judges it requirement by
// requirement against docs/lock-profile.md. Each check records the D-Bus frames it exchanged as
// its evidence. docs/certification.md describes the checks for a vendor.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "kvittens/device_log.hpp"

namespace kvittens::certify {

// The harness clock and how lock time passes on this bench. On a real bench time passes by
// itself (sleep); the reference lock runs on a clock the bench moves.
class Bench {
 public:
  virtual ~Bench() = default;
  virtual std::int64_t now() const = 0;            // Unix seconds, UTC
  virtual void wait(std::chrono::seconds by) = 0;  // let `by` of lock time pass
};

// A bench on the wall clock (a real lock).
class WallBench final : public Bench {
 public:
  std::int64_t now() const override;
  void wait(std::chrono::seconds by) override;
};

struct Requirement {
  std::string id;     // "LP-AUTH-4"
  std::string title;  // one line
  bool mandatory = true;
  std::string proves;  // what passing the check shows
};

// The requirements the certification judges, in the order it checks them.
const std::vector<Requirement>& checked_requirements();

enum class Verdict {
  Pass,
  Fail,
  Blocked,  // not judged: a requirement it builds on failed (connection, read-out)
  NotRun,   // not judged: the bench lacks what it needs (the admin key)
};
const char* to_string(Verdict);

struct CheckResult {
  Requirement requirement;
  Verdict verdict = Verdict::NotRun;
  std::string reason;                    // why it failed / was not judged; empty on pass
  std::vector<std::string> steps;        // what was done and seen, decoded
  std::vector<DeviceLogEntry> evidence;  // the D-Bus crossings of this check
  double seconds = 0;                    // wall time of the check
  std::int64_t lock_seconds = 0;         // lock time the check let pass (Bench::wait)
};

struct Certification {
  std::string lock;     // address
  std::string target;   // "bus unix:path=… adapter hci0" or "reference (emulated lock)"
  std::string started;  // ISO 8601 UTC
  double seconds = 0;
  std::vector<CheckResult> results;
  // A bench problem that makes the run meaningless (no bus, no org.bluez, lock not found).
  std::optional<std::string> setup_error;

  bool passed() const;                           // every mandatory requirement passed
  std::vector<std::string> failed_ids() const;   // verdict Fail
  std::vector<std::string> blocked_ids() const;  // verdict Blocked or NotRun
};

struct LockCertifyOptions {
  std::string address;
  std::string bus;  // "" = the system bus, else a D-Bus address
  std::string adapter = "hci0";
  std::vector<std::uint8_t> key;  // K_L
  std::uint16_t key_id = 1;
  std::optional<std::vector<std::uint8_t>> admin_key;  // K_A; without it the admin checks NotRun
  std::uint16_t admin_key_id = 0xFFFE;
  std::chrono::milliseconds call_timeout{5000};
  std::chrono::milliseconds discovery_timeout{10000};
  std::chrono::milliseconds connect_timeout{10000};
  std::chrono::milliseconds notify_within{1000};  // LP-STAT-1
  // Wall time a real lock gets after the 31 s for its own relock tick (LP-CMD-4).
  std::chrono::milliseconds relock_grace{2000};
  std::int64_t time_tolerance = 2;  // LP-LOG-4, seconds
  std::string target;               // description for the report
};

// Runs every check in order. Never throws for what the lock does; a bench that cannot be used
// (bus, adapter, lock not found) is reported in `setup_error`.
Certification certify_lock(const LockCertifyOptions& options, Bench& bench);

}  // namespace kvittens::certify
