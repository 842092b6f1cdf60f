// PN532 UART frame codec (see frame.hpp). Layout, as in the PN532 user manual §6.2.1:
//   normal:   00 00 FF LEN LCS TFI PD0..PDn DCS 00
//   extended: 00 00 FF FF FF LENM LENL LCS TFI PD0..PDn DCS 00
// LEN counts TFI + data; LCS makes LEN + LCS = 0 mod 256; DCS makes TFI + data + DCS = 0.
#include "sim/emu/pn532/frame.hpp"

#include <stdexcept>

namespace kvittens::emu::pn532 {
namespace {

using Status = ParseResult::Status;

constexpr std::uint8_t kWakeUp = 0x55;

ParseResult need_more(std::size_t consumed) {
  ParseResult r;
  r.status = Status::NeedMore;
  r.consumed = consumed;
  return r;
}

ParseResult rejected(Reject reason, std::size_t consumed) {
  ParseResult r;
  r.status = Status::Rejected;
  r.reason = reason;
  r.consumed = consumed;
  return r;
}

ParseResult complete(FrameKind kind, std::size_t consumed) {
  ParseResult r;
  r.status = Status::Complete;
  r.frame.kind = kind;
  r.consumed = consumed;
  return r;
}

std::uint8_t data_checksum(std::uint8_t tfi, std::span<const std::uint8_t> data) {
  std::uint8_t sum = tfi;
  for (auto b : data) sum = static_cast<std::uint8_t>(sum + b);
  return static_cast<std::uint8_t>(0x100 - sum);
}

// ACK and NACK share the shape 00 FF x y 00: only the postamble is left to check.
ParseResult control_frame(std::span<const std::uint8_t> bytes, std::size_t at, FrameKind kind) {
  if (bytes.size() < at + 1) return need_more(at - 4);
  if (bytes[at] != 0x00) return rejected(Reject::Postamble, at + 1);
  return complete(kind, at + 1);
}

}  // namespace

const char* to_string(Reject r) {
  switch (r) {
    case Reject::Preamble:
      return "preamble";
    case Reject::LengthChecksum:
      return "length checksum (LCS)";
    case Reject::Length:
      return "length";
    case Reject::Tfi:
      return "frame identifier (TFI)";
    case Reject::DataChecksum:
      return "data checksum (DCS)";
    case Reject::Postamble:
      return "postamble";
  }
  return "?";
}

ParseResult parse(std::span<const std::uint8_t> bytes, Direction direction) {
  const std::size_t n = bytes.size();
  // Find the 00 FF start code; only wake-up and preamble bytes may come before it.
  std::size_t s = 0;
  for (; s < n; ++s) {
    if (bytes[s] == 0x00 && s + 1 < n && bytes[s + 1] == 0xFF) break;
    if (bytes[s] != 0x00 && bytes[s] != kWakeUp) return rejected(Reject::Preamble, s + 1);
  }
  if (s >= n) {
    // Only filler so far; keep a trailing 00 that may be the first half of the start code.
    return need_more(n > 0 && bytes[n - 1] == 0x00 ? n - 1 : n);
  }
  const std::size_t h = s + 2;  // first byte after the start code
  if (n < h + 2) return need_more(s);
  const std::uint8_t len = bytes[h];
  const std::uint8_t lcs = bytes[h + 1];
  if (len == 0x00 && lcs == 0xFF) return control_frame(bytes, h + 2, FrameKind::Ack);
  if (len == 0xFF && lcs == 0x00) return control_frame(bytes, h + 2, FrameKind::Nack);

  std::size_t length = 0;  // TFI + data
  std::size_t body = 0;    // index of TFI
  bool extended = false;
  if (len == 0xFF && lcs == 0xFF) {
    if (n < h + 5) return need_more(s);
    const std::uint8_t lenm = bytes[h + 2];
    const std::uint8_t lenl = bytes[h + 3];
    if (static_cast<std::uint8_t>(lenm + lenl + bytes[h + 4]) != 0) {
      return rejected(Reject::LengthChecksum, h);
    }
    length = (std::size_t{lenm} << 8) | lenl;
    body = h + 5;
    extended = true;
    if (length > kExtendedMaxData + 1) return rejected(Reject::Length, h);
  } else {
    if (static_cast<std::uint8_t>(len + lcs) != 0) return rejected(Reject::LengthChecksum, h);
    length = len;
    body = h + 2;
  }
  // A host frame needs TFI and a command code; a chip frame at least the TFI.
  const std::size_t min_length = direction == Direction::HostToChip ? 2 : 1;
  if (length < min_length) return rejected(Reject::Length, h);
  if (n < body + length + 2) return need_more(s);

  const std::size_t end = body + length + 2;
  const std::uint8_t tfi = bytes[body];
  const auto data = bytes.subspan(body + 1, length - 1);
  FrameKind kind = FrameKind::Information;
  if (direction == Direction::HostToChip) {
    if (tfi != kTfiHostToChip) return rejected(Reject::Tfi, end);
  } else if (tfi == kTfiError && length == 1) {
    kind = FrameKind::ApplicationError;
  } else if (tfi != kTfiChipToHost || length < 2) {
    return rejected(Reject::Tfi, end);
  }
  if (bytes[body + length] != data_checksum(tfi, data)) {
    return rejected(Reject::DataChecksum, end);
  }
  if (bytes[body + length + 1] != 0x00) return rejected(Reject::Postamble, end);

  ParseResult r = complete(kind, end);
  r.frame.data.assign(data.begin(), data.end());
  r.frame.extended = extended;
  return r;
}

std::vector<std::uint8_t> serialize(std::span<const std::uint8_t> data, Direction direction) {
  if (data.size() > kExtendedMaxData) {
    throw std::length_error("pn532 frame: " + std::to_string(data.size()) +
                            " data bytes exceed the extended frame");
  }
  const std::uint8_t tfi = direction == Direction::HostToChip ? kTfiHostToChip : kTfiChipToHost;
  const std::size_t length = data.size() + 1;
  std::vector<std::uint8_t> out{0x00, 0x00, 0xFF};
  out.reserve(data.size() + 11);
  if (data.size() <= kNormalMaxData) {
    out.push_back(static_cast<std::uint8_t>(length));
    out.push_back(static_cast<std::uint8_t>(0x100 - length));
  } else {
    const auto lenm = static_cast<std::uint8_t>(length >> 8);
    const auto lenl = static_cast<std::uint8_t>(length & 0xFF);
    out.insert(out.end(), {0xFF, 0xFF, lenm, lenl, static_cast<std::uint8_t>(-(lenm + lenl))});
  }
  out.push_back(tfi);
  out.insert(out.end(), data.begin(), data.end());
  out.push_back(data_checksum(tfi, data));
  out.push_back(0x00);
  return out;
}

std::vector<std::uint8_t> ack_frame() {
  return {0x00, 0x00, 0xFF, 0x00, 0xFF, 0x00};
}
std::vector<std::uint8_t> nack_frame() {
  return {0x00, 0x00, 0xFF, 0xFF, 0x00, 0x00};
}
std::vector<std::uint8_t> application_error_frame() {
  return {0x00, 0x00, 0xFF, 0x01, 0xFF, kTfiError, 0x81, 0x00};
}

}  // namespace kvittens::emu::pn532
