// The emulated receipt lock's state machine (docs/lock-profile.md).
#include "sim/emu/bluez/emulated_lock.hpp"

#include <openssl/rand.h>

#include <algorithm>
#include <utility>

#include "kvittens/lock_receipt.hpp"

namespace kvittens::emu {
namespace {

namespace lp = lock_protocol;
using lock_receipt::Event;

constexpr std::int64_t kChallengeLifetime = 30;  // LP-AUTH-2, seconds of lock time
constexpr std::size_t kConsumedKept = 16;        // LP-AUTH-5
constexpr std::uint8_t kLowBattery = 15;         // LP-STAT-2

lp::Nonce random_nonce() {
  lp::Nonce n{};
  if (RAND_bytes(n.data(), static_cast<int>(n.size())) != 1) {
    throw std::runtime_error("RAND_bytes failed");
  }
  return n;
}

lp::Response refuse(lp::Opcode op, lp::Status status) {
  return {op, status, {}};
}

}  // namespace

EmulatedLock::EmulatedLock(LockConfig config, const Clock& clock, NonceSource nonces)
    : config_(std::move(config)),
      clock_(clock),
      nonces_(nonces ? std::move(nonces) : NonceSource(random_nonce)),
      capacity_(config_.log_capacity),
      battery_(config_.battery_percent),
      next_seq_(config_.first_seq) {}

void EmulatedLock::link_up() {
  challenge_.reset();
  response_.clear();
  unlock_unread_ = false;
}

void EmulatedLock::link_down() {
  if (std::exchange(unlock_unread_, false) && !locked_ && !defects_.unlock_on_disconnect) {
    locked_ = true;
    relock_due_.reset();
    append(Event::AutoRelock, unlocked_by_, lock_time());
  }
  if (defects_.log_lost_on_reconnect) log_.clear();
  link_up();
}

void EmulatedLock::response_read() {
  unlock_unread_ = false;
}

std::int64_t EmulatedLock::lock_time() const {
  return clock_.now().time_since_epoch().count() + offset_;
}

std::vector<std::uint8_t> EmulatedLock::write_control(std::span<const std::uint8_t> bytes) {
  tick();
  const auto decoded = lp::decode_command(bytes);
  Response r;
  if (!decoded) {
    // An unknown opcode cannot be echoed as one; the raw byte goes back (LP-CMD-1).
    r.opcode = static_cast<lp::Opcode>(bytes.empty() ? 0 : bytes[0]);
    r.status = decoded.status;
  } else {
    r = handle(*decoded.value);
  }
  unlock_unread_ = r.opcode == lp::Opcode::Unlock && r.status == lp::Status::Ok;
  response_ = lp::encode(r);
  return response_;
}

EmulatedLock::Response EmulatedLock::handle(const lp::Command& c) {
  if (c.opcode == lp::Opcode::GetChallenge) {
    challenge_ = defects_.repeated_nonce && last_nonce_ ? *last_nonce_ : nonces_();
    last_nonce_ = challenge_;
    challenge_time_ = lock_time();
    return {c.opcode, lp::Status::Ok, {challenge_->begin(), challenge_->end()}};
  }
  auto auth = authenticate(c);
  if (auth.status != lp::Status::Ok) return auth;
  return perform(c);
}

EmulatedLock::Response EmulatedLock::authenticate(const lp::Command& c) {
  const auto& key = lp::is_admin(c.opcode) ? config_.admin_key : config_.key;
  // LP-AUTH-4: whatever happens next, this attempt uses up the outstanding nonce.
  const std::optional<lp::Nonce> nonce = std::exchange(challenge_, std::nullopt);
  const bool expired =
      nonce && lock_time() - challenge_time_ > kChallengeLifetime && !defects_.stale_nonce_accepted;
  const auto spend = [&] {
    if (!nonce) return;
    consumed_.push_back(*nonce);
    if (consumed_.size() > kConsumedKept) consumed_.erase(consumed_.begin());
  };
  if (nonce && !expired && lp::mac_equal(lp::command_mac(key, *nonce, c), c.mac)) {
    spend();
    return {c.opcode, lp::Status::Ok, {}};
  }
  const bool usable = nonce && !expired;
  if (usable && defects_.non_admin_time_set && c.opcode == lp::Opcode::SetTime &&
      lp::mac_equal(lp::command_mac(config_.key, *nonce, c), c.mac)) {
    spend();
    return {c.opcode, lp::Status::Ok, {}};
  }
  const bool replay = std::any_of(consumed_.begin(), consumed_.end(), [&](const lp::Nonce& old) {
    return lp::mac_equal(lp::command_mac(key, old, c), c.mac);
  });
  spend();
  if (replay && defects_.replay_accepted) return {c.opcode, lp::Status::Ok, {}};
  if (replay) {
    append(Event::ReplayRefused, c.key_id, lock_time());
    return refuse(c.opcode, lp::Status::Replay);
  }
  if (!nonce || expired) return refuse(c.opcode, lp::Status::NoChallenge);
  if (defects_.wrong_key_accepted &&
      (c.opcode == lp::Opcode::Unlock || c.opcode == lp::Opcode::Lock)) {
    return {c.opcode, lp::Status::Ok, {}};
  }
  append(Event::AuthFailed, c.key_id, lock_time());
  return refuse(c.opcode, lp::Status::AuthFailed);
}

EmulatedLock::Response EmulatedLock::perform(const lp::Command& c) {
  const auto with_entry = [&](const std::optional<LockEvent>& e) -> Response {
    if (!e) return refuse(c.opcode, lp::Status::LogFull);
    return {c.opcode, lp::Status::Ok, lock_receipt::encode(*e)};
  };
  switch (c.opcode) {
    case lp::Opcode::Unlock: {
      if (log_full()) return refuse(c.opcode, lp::Status::LogFull);
      const auto replayed = std::find_if(log_.rbegin(), log_.rend(), [](const LockEvent& e) {
        return e.event == static_cast<std::uint8_t>(Event::Unlock);
      });
      const bool replay = std::exchange(replay_next_unlock_, false) && replayed != log_.rend();
      locked_ = false;
      unlocked_by_ = c.key_id;
      relock_due_ = lock_time() + config_.auto_relock.count();
      if (replay) return {c.opcode, lp::Status::Ok, lock_receipt::encode(*replayed)};
      auto entry = append(Event::Unlock, defects_.receipt_wrong_key_id ? 0 : c.key_id, lock_time());
      if (entry && std::exchange(corrupt_next_receipt_, false)) {
        entry->mac_hex[0] = entry->mac_hex[0] == '0' ? '1' : '0';  // the log keeps the true one
      }
      return with_entry(entry);
    }
    case lp::Opcode::Lock: {
      if (log_full()) return refuse(c.opcode, lp::Status::LogFull);
      if (!defects_.lock_ignored) {
        locked_ = true;
        relock_due_.reset();
      }
      return with_entry(append(Event::Lock, c.key_id, lock_time()));
    }
    case lp::Opcode::SetTime: {
      if (log_full()) return refuse(c.opcode, lp::Status::LogFull);
      set_lock_time(c.arg);
      return with_entry(append(Event::TimeSet, c.key_id, lock_time()));
    }
    case lp::Opcode::ReadLog: {
      if (defects_.no_log_readout) return refuse(c.opcode, lp::Status::NotFound);
      const auto it = std::find_if(log_.begin(), log_.end(),
                                   [&](const LockEvent& e) { return e.seq == c.arg; });
      if (it == log_.end()) return refuse(c.opcode, lp::Status::NotFound);
      return {c.opcode, lp::Status::Ok, lock_receipt::encode(*it)};
    }
    case lp::Opcode::ClearLog:
      std::erase_if(log_, [&](const LockEvent& e) { return e.seq <= c.arg; });
      return {c.opcode, lp::Status::Ok, {}};
    case lp::Opcode::GetChallenge:
      break;
  }
  return refuse(c.opcode, lp::Status::UnknownOpcode);
}

std::optional<LockEvent> EmulatedLock::append(Event event, std::uint16_t key_id,
                                              std::int64_t time) {
  if (log_full()) return std::nullopt;
  LockEvent e;
  e.lock_id = config_.address;
  e.seq = next_seq_;
  next_seq_ += defects_.seq_gap ? 2 : 1;
  e.time = time;
  e.event = static_cast<std::uint8_t>(event);
  e.key_id = key_id;
  e.mac_hex = defects_.no_mac ? std::string(64, '0') : lock_receipt::mac_hex(e, config_.key);
  log_.push_back(e);
  return e;
}

bool EmulatedLock::tick() {
  if (locked_ || !relock_due_ || lock_time() < *relock_due_ || defects_.no_auto_relock) {
    return false;
  }
  locked_ = true;
  // LP-CMD-4: stamped with the time the relock was due, not the time we noticed it.
  append(Event::AutoRelock, unlocked_by_, *relock_due_);
  relock_due_.reset();
  return true;
}

lock_protocol::StatusRecord EmulatedLock::status() const {
  lp::StatusRecord s;
  s.locked = locked_;
  s.battery_percent = battery_;
  s.low_battery = (battery_ < kLowBattery) != defects_.battery_misreported;
  s.log_full = log_full();
  s.log_count = static_cast<std::uint16_t>(std::min<std::size_t>(log_.size(), 0xffff));
  return s;
}

void EmulatedLock::set_lock_time(std::int64_t unix_seconds) {
  const auto shift = unix_seconds - lock_time();
  offset_ += shift;
  if (relock_due_) *relock_due_ += shift;  // the relock is 30 s of lock time after the unlock
}

void EmulatedLock::drift(std::chrono::seconds by) {
  set_lock_time(lock_time() + by.count());
}

void EmulatedLock::set_battery(std::uint8_t percent) {
  const bool was_low = battery_ < kLowBattery;
  battery_ = std::min<std::uint8_t>(percent, 100);
  if (!was_low && battery_ < kLowBattery) append(Event::LowBattery, 0, lock_time());
}

void EmulatedLock::set_key(std::vector<std::uint8_t> key) {
  config_.key = std::move(key);
}

void EmulatedLock::fill_log() {
  capacity_ = log_.size();
}

void EmulatedLock::restore_log_capacity() {
  capacity_ = config_.log_capacity;
}

}  // namespace kvittens::emu
