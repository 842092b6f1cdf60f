// PN532 host-interface frames as they cross the serial line (PN532 User Manual §6.2): a
// streaming decoder for one direction of the line, for the device log. It names each frame
// (ACK, NACK, error frame, the command of an information frame), checks LCS, TFI, DCS and the
// postamble, and never drops a byte: bytes that are not a frame come out as "noise" (or
// "wakeup" for the 0x55 run that wakes an HSU chip).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace kvittens::drivers::pn532 {

struct Frame {
  enum class Kind : std::uint8_t { Ack, Nack, ErrorFrame, Information, Wakeup, Noise };
  Kind kind = Kind::Noise;
  std::vector<std::uint8_t> bytes;  // everything this frame took from the line, preamble on
  bool extended = false;            // LEN = FF FF, two-byte length
  std::string name;                 // "ACK", "InListPassiveTarget", "wakeup", ...
  std::string verdict;  // "ok", "bad LCS", "bad DCS", "bad TFI", "bad postamble", "incomplete",
                        // "not a frame", or for answers "ok" / "no target" / "status 0x01"
};

// "InListPassiveTarget" for 0x4A; "command 0x99" for a code the PN532 does not define.
std::string command_name(std::uint8_t code);

// Lowercase hex, no separators.
std::string hex(std::span<const std::uint8_t> bytes);

class FrameDecoder {
 public:
  // `from_host`: host → PN532 (TFI D4) or PN532 → host (TFI D5).
  explicit FrameDecoder(bool from_host) : from_host_(from_host) {}

  // Bytes as they came off the line; returns the frames they completed.
  std::vector<Frame> feed(std::span<const std::uint8_t> bytes);
  // The line went quiet or closed: whatever is buffered comes out (as "incomplete" / noise).
  std::vector<Frame> flush();
  bool pending() const { return !buffer_.empty(); }

 private:
  // One frame off the front of the buffer if complete; false when more bytes are needed.
  bool take(std::vector<Frame>& out, bool at_end);
  Frame information(std::size_t begin, std::size_t data, std::size_t len, bool extended,
                    std::size_t end) const;

  bool from_host_;
  std::vector<std::uint8_t> buffer_;
};

}  // namespace kvittens::drivers::pn532
