// The receipt-lock GATT protocol of docs/lock-profile.md as pure functions: UUIDs, command and
// response bytes, the status record, and the challenge MAC. Both ends of the link use it; every
// decode that refuses bytes says which rule it broke.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace kvittens::lock_protocol {

// Section 2 of the profile.
inline constexpr std::string_view kServiceUuid = "4b560001-6b76-4974-8e6e-73206c6f636b";
inline constexpr std::string_view kControlPointUuid = "4b560002-6b76-4974-8e6e-73206c6f636b";
inline constexpr std::string_view kResponseUuid = "4b560003-6b76-4974-8e6e-73206c6f636b";
inline constexpr std::string_view kStatusUuid = "4b560004-6b76-4974-8e6e-73206c6f636b";

inline constexpr std::size_t kNonceSize = 16;
inline constexpr std::size_t kMacSize = 32;
inline constexpr std::size_t kMaxCommandSize = 64;  // LP-GATT-4
inline constexpr std::size_t kStatusSize = 4;

using Nonce = std::array<std::uint8_t, kNonceSize>;
using Mac = std::array<std::uint8_t, kMacSize>;

enum class Opcode : std::uint8_t {
  GetChallenge = 0x01,
  Unlock = 0x02,
  Lock = 0x03,
  SetTime = 0x10,
  ReadLog = 0x11,
  ClearLog = 0x12,
};

enum class Status : std::uint8_t {
  Ok = 0x00,
  UnknownOpcode = 0x01,
  BadLength = 0x02,
  NoChallenge = 0x03,
  AuthFailed = 0x04,
  Replay = 0x05,
  BadKeyId = 0x06,
  LogFull = 0x07,
  NotFound = 0x08,
  Jammed = 0x09,
};

const char* to_string(Opcode);
const char* to_string(Status);

// Whether the opcode carries key id + MAC, and whether the MAC is made with the admin key.
bool is_authenticated(Opcode);
bool is_admin(Opcode);

// One command written to Control Point. `arg` is the u32 parameter of SET_TIME (time),
// READ_LOG (seq) and CLEAR_LOG (up_to_seq); unused otherwise.
struct Command {
  Opcode opcode = Opcode::GetChallenge;
  std::uint16_t key_id = 0;
  std::uint32_t arg = 0;
  Mac mac{};
};

// The result of a decode: a value, or the profile status to answer with and why.
template <class T>
struct Decoded {
  std::optional<T> value;
  Status status = Status::Ok;
  std::string reason;
  explicit operator bool() const { return value.has_value(); }
};

// LP-AUTH-3: HMAC-SHA256(key, nonce | opcode | key_id LE | params).
Mac command_mac(std::span<const std::uint8_t> key, const Nonce& nonce, const Command& command);
// A command with its MAC filled in.
Command sign(Command command, std::span<const std::uint8_t> key, const Nonce& nonce);
// Constant-time comparison (LP-AUTH-6).
bool mac_equal(const Mac& a, const Mac& b);

std::vector<std::uint8_t> encode(const Command& command);
// LP-CMD-1 / LP-GATT-4: unknown opcode, wrong length for the opcode, too long.
Decoded<Command> decode_command(std::span<const std::uint8_t> bytes);

// What the lock leaves in Response: opcode echo, status, payload (only with Ok).
struct Response {
  Opcode opcode = Opcode::GetChallenge;
  Status status = Status::Ok;
  std::vector<std::uint8_t> payload;
};

std::vector<std::uint8_t> encode(const Response& response);
// Checks the echo against `expected`, a known status, and the payload size the opcode's
// success carries (nonce 16, log entry 49, nothing for CLEAR_LOG).
Decoded<Response> decode_response(std::span<const std::uint8_t> bytes, Opcode expected);
// The nonce of a GET_CHALLENGE success.
Nonce nonce_of(const Response& response);

// Section 6.
struct StatusRecord {
  bool locked = true;
  bool low_battery = false;
  bool log_full = false;
  bool time_not_set = false;
  std::uint8_t battery_percent = 100;
  std::uint16_t log_count = 0;
};

std::vector<std::uint8_t> encode(const StatusRecord& status);
Decoded<StatusRecord> decode_status(std::span<const std::uint8_t> bytes);

}  // namespace kvittens::lock_protocol
