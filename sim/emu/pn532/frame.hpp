// PN532 UART frame codec: turns bytes on the serial line into frames and back, naming the
// field that makes a frame unacceptable. Pure functions, no I/O, so it can be unit-tested and
// fuzzed on its own.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace kvittens::emu::pn532 {

// Which side sent the frame; it decides the expected frame identifier (TFI).
enum class Direction : std::uint8_t {
  HostToChip,  // TFI 0xD4
  ChipToHost,  // TFI 0xD5 (or 0x7F for the application-level error frame)
};

inline constexpr std::uint8_t kTfiHostToChip = 0xD4;
inline constexpr std::uint8_t kTfiChipToHost = 0xD5;
inline constexpr std::uint8_t kTfiError = 0x7F;
// Data bytes (command code + parameters, TFI excluded) a normal / extended frame carries.
inline constexpr std::size_t kNormalMaxData = 254;
inline constexpr std::size_t kExtendedMaxData = 264;

enum class FrameKind : std::uint8_t {
  Information,       // TFI + data
  Ack,               // 00 00 FF 00 FF 00
  Nack,              // 00 00 FF FF 00 00
  ApplicationError,  // 00 00 FF 01 FF 7F 81 00 (chip could not make sense of the command)
};

struct Frame {
  FrameKind kind = FrameKind::Information;
  std::vector<std::uint8_t> data;  // PD0..PDn: command (or response) code and its parameters
  bool extended = false;           // arrived as an extended frame (LEN > 255)
};

// The field a frame was rejected for, in the order the fields appear on the wire.
enum class Reject : std::uint8_t {
  Preamble,        // bytes before the 00 FF start code that are neither wake-up nor preamble
  LengthChecksum,  // LEN + LCS (or LENM + LENL + LCS) is not 0 modulo 256
  Length,          // LEN is zero, too large, or too short for the direction
  Tfi,             // frame identifier does not match the direction
  DataChecksum,    // TFI + data + DCS is not 0 modulo 256
  Postamble,       // the byte after DCS (or after an ACK/NACK) is not 00
};

const char* to_string(Reject);

struct ParseResult {
  enum class Status : std::uint8_t { Complete, NeedMore, Rejected };
  Status status = Status::NeedMore;
  // Bytes to drop from the front of the input: the frame, the rejected bytes, or filler.
  std::size_t consumed = 0;
  Frame frame;                       // valid when Complete
  Reject reason = Reject::Preamble;  // valid when Rejected
};

// Looks for one frame at the front of `bytes`. Wake-up bytes (0x55) and preamble zeros before
// the start code are skipped. Never reads past `bytes`; any input is acceptable.
ParseResult parse(std::span<const std::uint8_t> bytes, Direction direction);

// An information frame around `data` (normal if it fits, else extended).
// Throws std::length_error above kExtendedMaxData.
std::vector<std::uint8_t> serialize(std::span<const std::uint8_t> data, Direction direction);
std::vector<std::uint8_t> ack_frame();
std::vector<std::uint8_t> nack_frame();
std::vector<std::uint8_t> application_error_frame();

}  // namespace kvittens::emu::pn532
