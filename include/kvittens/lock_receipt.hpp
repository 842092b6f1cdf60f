// The lock receipt's bytes and MAC, shared by the BLE driver (which reads it from the lock),
// the lock emulator (which signs it) and the backend (which verifies it).
// Layout and MAC are specified in docs/lock-profile.md ("Event log entry").
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "kvittens/model.hpp"

namespace kvittens::lock_receipt {

// Event codes of a log entry.
enum class Event : std::uint8_t {
  Unlock = 1,
  Lock = 2,
  AutoRelock = 3,
  AuthFailed = 4,
  ReplayRefused = 5,
  TimeSet = 6,
  LowBattery = 7,
};

constexpr std::size_t kEntrySize = 6 + 4 + 4 + 1 + 2 + 32;  // address|seq|time|event|key|mac

// The bytes the MAC covers: lock address (6, as written), seq (u32 LE), time (u32 LE Unix s),
// event (u8), key id (u16 LE).
std::vector<std::uint8_t> signed_bytes(const LockEvent& e);
// HMAC-SHA256 over signed_bytes with the lock's key, lower-case hex.
std::string mac_hex(const LockEvent& e, std::span<const std::uint8_t> key);
bool verify(const LockEvent& e, std::span<const std::uint8_t> key);

// Wire form of an entry (kEntrySize bytes) and back; decode returns nullopt on a wrong size.
std::vector<std::uint8_t> encode(const LockEvent& e);
std::optional<LockEvent> decode(std::span<const std::uint8_t> bytes);

// Hex helpers shared by the codec's users.
std::string to_hex(std::span<const std::uint8_t> bytes);
std::optional<std::vector<std::uint8_t>> from_hex(std::string_view hex);
std::optional<std::array<std::uint8_t, 6>> parse_address(std::string_view address);

}  // namespace kvittens::lock_receipt
