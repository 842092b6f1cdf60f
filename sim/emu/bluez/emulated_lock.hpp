// One emulated receipt lock: the lock-side state machine of docs/lock-profile.md (challenge,
// unlock/lock, auto-relock, signed event log, status), on an injectable clock, with no
// transport. EmulatedBluez puts it behind org.bluez GATT objects.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "drivers/ble/lock_protocol.hpp"
#include "kvittens/clock.hpp"
#include "kvittens/lock_receipt.hpp"
#include "kvittens/model.hpp"

namespace kvittens::emu {

struct LockConfig {
  std::string address;  // "AA:BB:CC:DD:EE:01"
  std::string name = "kvittens-lock";
  std::vector<std::uint8_t> key;         // K_L, 32 bytes
  std::vector<std::uint8_t> admin_key;   // K_A, 32 bytes
  std::size_t log_capacity = 1024;       // LP-CMD-7
  std::chrono::seconds auto_relock{30};  // LP-CMD-4
  std::uint8_t battery_percent = 100;
  std::int16_t rssi = -55;
  std::uint32_t first_seq = 1;  // seq of the first entry (a lock in service is further on)
};

class EmulatedLock {
 public:
  using NonceSource = std::function<lock_protocol::Nonce()>;

  // `nonces` defaults to OpenSSL's RAND_bytes; tests pass a deterministic one.
  EmulatedLock(LockConfig config, const Clock& clock, NonceSource nonces = {});

  const LockConfig& config() const { return config_; }

  // The link: challenge and Response belong to one connection (LP-GATT-3).
  void link_up();
  // Fail-secure (LP-LINK-4): an unlock whose Response the client never read is undone when the
  // link drops (bolt closed, `AutoRelock` logged at the time of the loss).
  void link_down();
  // The client read Response: it holds the answer to its last command (LP-LINK-4).
  void response_read();

  // A write to Control Point. Returns what the lock leaves in Response (LP-GATT-2).
  std::vector<std::uint8_t> write_control(std::span<const std::uint8_t> bytes);
  const std::vector<std::uint8_t>& response() const { return response_; }

  // Applies the auto-relock that is due by the clock; true when the status changed.
  bool tick();
  lock_protocol::StatusRecord status() const;

  // Lock clock in Unix seconds: the injected clock plus the lock's own offset.
  std::int64_t lock_time() const;
  const std::vector<LockEvent>& log() const { return log_; }

  // The control face (faults and set-up the simulator drives).
  void set_lock_time(std::int64_t unix_seconds);
  void drift(std::chrono::seconds by);
  void set_battery(std::uint8_t percent);
  void set_key(std::vector<std::uint8_t> key);  // the lock now signs with another key
  void fill_log();                              // the log is full from now on
  void restore_log_capacity();                  // ... until this
  // Forged evidence (one shot each): the next UNLOCK opens the door but answers with the latest
  // Unlock entry the lock already issued (a replayed receipt; nothing new is logged), or with
  // the new entry under a MAC that does not verify.
  void replay_next_unlock(bool on) { replay_next_unlock_ = on; }
  void corrupt_next_receipt(bool on) { corrupt_next_receipt_ = on; }

  // Vendor defects, each breaking one requirement of the profile, for the certification's own
  // tests (docs/certification.md lists which check catches which). All off: the reference lock.
  struct Defects {
    bool repeated_nonce = false;         // GET_CHALLENGE answers the same nonce (LP-AUTH-1)
    bool stale_nonce_accepted = false;   // nonces never expire (LP-AUTH-2)
    bool replay_accepted = false;        // a MAC over a consumed nonce is obeyed (LP-AUTH-4)
    bool wrong_key_accepted = false;     // UNLOCK/LOCK with a bad MAC is obeyed (LP-AUTH-5)
    bool receipt_wrong_key_id = false;   // Unlock entries carry key id 0 (LP-CMD-2)
    bool lock_ignored = false;           // LOCK answers OK, the bolt stays open (LP-CMD-3)
    bool no_auto_relock = false;         // (LP-CMD-4)
    bool non_admin_time_set = false;     // SET_TIME also obeys a MAC made with K_L (LP-CMD-5)
    bool no_log_readout = false;         // READ_LOG answers NOT_FOUND (LP-CMD-6)
    bool seq_gap = false;                // seq advances by 2 (LP-LOG-1)
    bool no_mac = false;                 // entries carry an all-zero MAC (LP-LOG-2)
    bool log_lost_on_reconnect = false;  // the log is emptied when the link drops (LP-LOG-5)
    bool battery_misreported = false;    // the low-battery flag is inverted (LP-STAT-3)
    bool unlock_on_disconnect = false;   // an unread unlock survives the link loss (LP-LINK-4)
  };
  Defects& defects() { return defects_; }

 private:
  using Response = lock_protocol::Response;

  Response handle(const lock_protocol::Command& command);
  Response authenticate(const lock_protocol::Command& command);
  Response perform(const lock_protocol::Command& command);
  // Appends an entry when there is room (LP-CMD-7); nullopt when the log is full.
  std::optional<LockEvent> append(lock_receipt::Event event, std::uint16_t key_id,
                                  std::int64_t time);
  bool log_full() const { return log_.size() >= capacity_; }

  LockConfig config_;
  const Clock& clock_;
  NonceSource nonces_;
  std::size_t capacity_;

  std::int64_t offset_ = 0;  // lock clock minus injected clock
  bool locked_ = true;
  std::optional<std::int64_t> relock_due_;
  std::uint16_t unlocked_by_ = 0;
  std::uint8_t battery_;

  std::optional<lock_protocol::Nonce> challenge_;
  std::int64_t challenge_time_ = 0;
  std::vector<lock_protocol::Nonce> consumed_;  // last 16 (LP-AUTH-5)
  std::vector<std::uint8_t> response_;
  bool unlock_unread_ = false;  // the last UNLOCK opened the bolt; its Response is not read yet

  std::vector<LockEvent> log_;
  std::uint32_t next_seq_ = 1;
  bool replay_next_unlock_ = false;
  bool corrupt_next_receipt_ = false;
  Defects defects_;
  std::optional<lock_protocol::Nonce> last_nonce_;  // for Defects::repeated_nonce
};

}  // namespace kvittens::emu
