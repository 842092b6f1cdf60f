// PN532 frame decoding for the device log (see pn532_frames.hpp). Frame layouts after the
// PN532 User Manual §6.2.1: normal 00 00 FF LEN LCS TFI PD.. DCS 00, extended
// 00 00 FF FF FF LENM LENL LCS TFI PD.. DCS 00, ACK 00 00 FF 00 FF 00, NACK 00 00 FF FF 00 00,
// error frame 00 00 FF 01 FF 7F 81 00.
#include "drivers/nfc/pn532_frames.hpp"

#include <algorithm>
#include <cstdio>

namespace kvittens::drivers::pn532 {
namespace {

constexpr std::uint8_t kHostTfi = 0xD4;
constexpr std::uint8_t kChipTfi = 0xD5;
constexpr std::uint8_t kWakeup = 0x55;
constexpr std::uint8_t kErrorTfi = 0x7F;

struct Named {
  std::uint8_t code;
  const char* name;
};

// PN532 User Manual §7: the command set.
constexpr Named kCommands[] = {
    {0x00, "Diagnose"},
    {0x02, "GetFirmwareVersion"},
    {0x04, "GetGeneralStatus"},
    {0x06, "ReadRegister"},
    {0x08, "WriteRegister"},
    {0x0C, "ReadGPIO"},
    {0x0E, "WriteGPIO"},
    {0x10, "SetSerialBaudRate"},
    {0x12, "SetParameters"},
    {0x14, "SAMConfiguration"},
    {0x16, "PowerDown"},
    {0x32, "RFConfiguration"},
    {0x58, "RFRegulationTest"},
    {0x56, "InJumpForDEP"},
    {0x46, "InJumpForPSL"},
    {0x4A, "InListPassiveTarget"},
    {0x50, "InATR"},
    {0x4E, "InPSL"},
    {0x40, "InDataExchange"},
    {0x42, "InCommunicateThru"},
    {0x44, "InDeselect"},
    {0x52, "InRelease"},
    {0x54, "InSelect"},
    {0x60, "InAutoPoll"},
    {0x8C, "TgInitAsTarget"},
    {0x92, "TgSetGeneralBytes"},
    {0x86, "TgGetData"},
    {0x8E, "TgSetData"},
    {0x94, "TgSetMetaData"},
    {0x88, "TgGetInitiatorCommand"},
    {0x90, "TgResponseToInitiator"},
    {0x8A, "TgGetTargetStatus"},
};

// The chip's status byte (§7.1, Error codes) for the answers that carry one first.
bool answer_has_status(std::uint8_t command) {
  return command == 0x40 || command == 0x42 || command == 0x44 || command == 0x52 ||
         command == 0x54 || command == 0x4E;
}

}  // namespace

std::string command_name(std::uint8_t code) {
  for (const auto& c : kCommands) {
    if (c.code == code) return c.name;
  }
  char buf[16];
  std::snprintf(buf, sizeof buf, "command 0x%02X", code);
  return buf;
}

std::string hex(std::span<const std::uint8_t> bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (const auto b : bytes) {
    out += kHex[b >> 4];
    out += kHex[b & 0xF];
  }
  return out;
}

std::vector<Frame> FrameDecoder::feed(std::span<const std::uint8_t> bytes) {
  buffer_.insert(buffer_.end(), bytes.begin(), bytes.end());
  std::vector<Frame> out;
  while (take(out, false)) {
  }
  return out;
}

std::vector<Frame> FrameDecoder::flush() {
  std::vector<Frame> out;
  while (take(out, true)) {
  }
  return out;
}

Frame FrameDecoder::information(std::size_t begin, std::size_t data, std::size_t len, bool extended,
                                std::size_t end) const {
  Frame f;
  f.kind = Frame::Kind::Information;
  f.extended = extended;
  f.bytes.assign(buffer_.begin() + static_cast<std::ptrdiff_t>(begin),
                 buffer_.begin() + static_cast<std::ptrdiff_t>(end));
  const std::uint8_t tfi = buffer_[data];
  std::uint8_t sum = 0;
  for (std::size_t i = data; i < data + len + 1; ++i)
    sum = static_cast<std::uint8_t>(sum + buffer_[i]);
  const bool has_code = len >= 2;
  const std::uint8_t code = has_code ? buffer_[data + 1] : 0;
  if (tfi == kErrorTfi && len == 1) {
    f.kind = Frame::Kind::ErrorFrame;
    f.name = "error frame";
  } else if (!has_code) {
    f.name = "information";
  } else if (from_host_) {
    f.name = command_name(code);
  } else {
    f.name = command_name(static_cast<std::uint8_t>(code - 1));
  }
  if (sum != 0) {
    f.verdict = "bad DCS";
  } else if (buffer_[end - 1] != 0x00) {
    f.verdict = "bad postamble";
  } else if (f.kind == Frame::Kind::Information && tfi != (from_host_ ? kHostTfi : kChipTfi)) {
    f.verdict = "bad TFI";
  } else if (f.kind == Frame::Kind::Information && !from_host_ && has_code && (code & 1) == 0) {
    f.verdict = "not an answer";
  } else {
    f.verdict = "ok";
    const auto command = static_cast<std::uint8_t>(code - 1);
    if (!from_host_ && has_code && len >= 3) {
      const std::uint8_t first = buffer_[data + 2];
      if (command == 0x4A && first == 0) f.verdict = "no target";
      if (answer_has_status(command) && (first & 0x3F) != 0) {
        char buf[24];
        std::snprintf(buf, sizeof buf, "status 0x%02X", first & 0x3F);
        f.verdict = buf;
      }
    }
  }
  return f;
}

bool FrameDecoder::take(std::vector<Frame>& out, bool at_end) {
  if (buffer_.empty()) return false;
  const auto emit_prefix = [&](std::size_t n, Frame::Kind kind, const char* name,
                               const char* verdict) {
    Frame f;
    f.kind = kind;
    f.name = name;
    f.verdict = verdict;
    f.bytes.assign(buffer_.begin(), buffer_.begin() + static_cast<std::ptrdiff_t>(n));
    buffer_.erase(buffer_.begin(), buffer_.begin() + static_cast<std::ptrdiff_t>(n));
    out.push_back(std::move(f));
    return true;
  };

  // The start code 00 FF; what comes before it is preamble (00), wakeup (55) or noise.
  std::size_t start = std::string::npos;
  for (std::size_t i = 0; i + 1 < buffer_.size(); ++i) {
    if (buffer_[i] == 0x00 && buffer_[i + 1] == 0xFF) {
      start = i;
      break;
    }
  }
  const auto is_wakeup = [](std::uint8_t b) { return b == kWakeup || b == 0x00; };
  const std::size_t before = start == std::string::npos ? buffer_.size() : start;
  // The frame's own preamble: the zero just before the start code.
  const std::size_t begin = before > 0 && buffer_[before - 1] == 0x00 ? before - 1 : before;
  if (begin > 0) {
    const bool wakeup =
        std::all_of(buffer_.begin(), buffer_.begin() + static_cast<std::ptrdiff_t>(begin),
                    is_wakeup) &&
        std::find(buffer_.begin(), buffer_.begin() + static_cast<std::ptrdiff_t>(begin), kWakeup) !=
            buffer_.begin() + static_cast<std::ptrdiff_t>(begin);
    const bool zeros =
        std::all_of(buffer_.begin(), buffer_.begin() + static_cast<std::ptrdiff_t>(begin),
                    [](std::uint8_t b) { return b == 0x00; });
    if (start == std::string::npos && !at_end) {
      // Maybe the start code is still on its way; noise with no 00 at its end is final.
      if (wakeup || zeros || buffer_.back() == 0x00) return false;
    }
    if (wakeup) return emit_prefix(begin, Frame::Kind::Wakeup, "wakeup", "ok");
    if (!zeros || at_end || start == std::string::npos) {
      return emit_prefix(begin, Frame::Kind::Noise, "noise", "not a frame");
    }
    // Extra preamble zeros stay with the frame.
  }
  if (start == std::string::npos) {
    if (!at_end) return false;
    return emit_prefix(buffer_.size(), Frame::Kind::Noise, "noise", "not a frame");
  }
  const std::size_t first = 0;  // frame bytes from the buffer's front (leading zeros included)
  const auto need = [&](std::size_t n) { return buffer_.size() >= n; };
  const auto incomplete = [&] {
    if (!at_end) return false;
    return emit_prefix(buffer_.size(), Frame::Kind::Information, "frame", "incomplete");
  };
  const auto emit = [&](Frame f, std::size_t end) {
    buffer_.erase(buffer_.begin(), buffer_.begin() + static_cast<std::ptrdiff_t>(end));
    out.push_back(std::move(f));
    return true;
  };
  const std::size_t len_at = start + 2;
  if (!need(len_at + 2)) return incomplete();
  const std::uint8_t len = buffer_[len_at];
  const std::uint8_t lcs = buffer_[len_at + 1];
  if ((len == 0x00 && lcs == 0xFF) || (len == 0xFF && lcs == 0x00)) {
    const std::size_t end = len_at + 3;  // postamble
    if (!need(end)) return incomplete();
    Frame f;
    f.kind = len == 0 ? Frame::Kind::Ack : Frame::Kind::Nack;
    f.name = len == 0 ? "ACK" : "NACK";
    f.bytes.assign(buffer_.begin(), buffer_.begin() + static_cast<std::ptrdiff_t>(end));
    f.verdict = buffer_[end - 1] == 0x00 ? "ok" : "bad postamble";
    return emit(std::move(f), end);
  }
  if (len == 0xFF && lcs == 0xFF) {  // extended frame
    if (!need(len_at + 5)) return incomplete();
    const std::size_t n = std::size_t{buffer_[len_at + 2]} << 8 | buffer_[len_at + 3];
    const std::uint8_t xlcs = buffer_[len_at + 4];
    const std::size_t data = len_at + 5;
    if (static_cast<std::uint8_t>(buffer_[len_at + 2] + buffer_[len_at + 3] + xlcs) != 0 ||
        n == 0) {
      Frame f;
      f.name = "frame";
      f.verdict = "bad LCS";
      f.extended = true;
      f.bytes.assign(buffer_.begin(), buffer_.begin() + static_cast<std::ptrdiff_t>(data));
      return emit(std::move(f), data);
    }
    const std::size_t end = data + n + 2;
    if (!need(end)) return incomplete();
    return emit(information(first, data, n, true, end), end);
  }
  const std::size_t data = len_at + 2;
  if (static_cast<std::uint8_t>(len + lcs) != 0 || len == 0) {
    Frame f;
    f.name = "frame";
    f.verdict = "bad LCS";
    f.bytes.assign(buffer_.begin(), buffer_.begin() + static_cast<std::ptrdiff_t>(data));
    return emit(std::move(f), data);
  }
  const std::size_t end = data + len + 2;
  if (!need(end)) return incomplete();
  return emit(information(first, data, len, false, end), end);
}

}  // namespace kvittens::drivers::pn532
