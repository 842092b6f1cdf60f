// NDEF TLV and record decoding after the NFC Forum Type 2 Tag specification (TLV blocks) and
// the NDEF, RTD Text and RTD URI specifications. Every length is checked against the input.
#include "drivers/nfc/ndef.hpp"

#include <array>
#include <string_view>

namespace kvittens::drivers::ndef {
namespace {

constexpr std::uint8_t kTlvNull = 0x00;
constexpr std::uint8_t kTlvNdef = 0x03;
constexpr std::uint8_t kTlvTerminator = 0xFE;
constexpr std::uint8_t kTnfWellKnown = 0x01;

// URI identifier codes, NFC Forum RTD URI table 3.
constexpr std::array<std::string_view, 36> kUriPrefixes = {"",
                                                           "http://www.",
                                                           "https://www.",
                                                           "http://",
                                                           "https://",
                                                           "tel:",
                                                           "mailto:",
                                                           "ftp://anonymous:anonymous@",
                                                           "ftp://ftp.",
                                                           "ftps://",
                                                           "sftp://",
                                                           "smb://",
                                                           "nfs://",
                                                           "ftp://",
                                                           "dav://",
                                                           "news:",
                                                           "telnet://",
                                                           "imap:",
                                                           "rtsp://",
                                                           "urn:",
                                                           "pop:",
                                                           "sip:",
                                                           "sips:",
                                                           "tftp:",
                                                           "btspp://",
                                                           "btl2cap://",
                                                           "btgoep://",
                                                           "tcpobex://",
                                                           "irdaobex://",
                                                           "file://",
                                                           "urn:epc:id:",
                                                           "urn:epc:tag:",
                                                           "urn:epc:pat:",
                                                           "urn:epc:raw:",
                                                           "urn:epc:",
                                                           "urn:nfc:"};

}  // namespace

TlvScan scan_tlv(std::span<const std::uint8_t> mem) {
  TlvScan out;
  std::size_t i = 0;
  while (i < mem.size()) {
    const std::uint8_t tag = mem[i];
    if (tag == kTlvNull) {
      ++i;
      continue;
    }
    if (tag == kTlvTerminator) {
      out.status = TlvScan::Status::NoMessage;
      return out;
    }
    // Length: one byte, or FF followed by two bytes big-endian.
    if (i + 1 >= mem.size()) return out;
    std::size_t length = mem[i + 1];
    std::size_t value = i + 2;
    if (length == 0xFF) {
      if (i + 3 >= mem.size()) return out;
      length = (std::size_t{mem[i + 2]} << 8) | mem[i + 3];
      value = i + 4;
    }
    if (tag == kTlvNdef) {
      if (value + length > mem.size()) return out;
      out.status = TlvScan::Status::Message;
      out.message.assign(mem.begin() + static_cast<std::ptrdiff_t>(value),
                         mem.begin() + static_cast<std::ptrdiff_t>(value + length));
      return out;
    }
    i = value + length;  // lock/memory control or proprietary TLV: skip it
  }
  return out;
}

std::optional<std::vector<Record>> parse_message(std::span<const std::uint8_t> msg) {
  std::vector<Record> records;
  std::size_t i = 0;
  while (i < msg.size()) {
    const std::uint8_t header = msg[i++];
    const bool short_record = (header & 0x10) != 0;
    const bool has_id = (header & 0x08) != 0;
    if (i >= msg.size()) return std::nullopt;
    const std::size_t type_length = msg[i++];
    std::size_t payload_length = 0;
    if (short_record) {
      if (i >= msg.size()) return std::nullopt;
      payload_length = msg[i++];
    } else {
      if (i + 4 > msg.size()) return std::nullopt;
      for (int k = 0; k < 4; ++k) payload_length = (payload_length << 8) | msg[i++];
    }
    std::size_t id_length = 0;
    if (has_id) {
      if (i >= msg.size()) return std::nullopt;
      id_length = msg[i++];
    }
    if (type_length > msg.size() - i || id_length > msg.size() - i - type_length ||
        payload_length > msg.size() - i - type_length - id_length) {
      return std::nullopt;
    }
    Record r;
    r.tnf = header & 0x07;
    r.type.assign(msg.begin() + static_cast<std::ptrdiff_t>(i),
                  msg.begin() + static_cast<std::ptrdiff_t>(i + type_length));
    i += type_length + id_length;
    r.payload.assign(msg.begin() + static_cast<std::ptrdiff_t>(i),
                     msg.begin() + static_cast<std::ptrdiff_t>(i + payload_length));
    i += payload_length;
    records.push_back(std::move(r));
    if ((header & 0x40) != 0) break;  // ME: message end
  }
  return records;
}

std::optional<std::string> first_text_or_uri(std::span<const std::uint8_t> message) {
  const auto records = parse_message(message);
  if (!records) return std::nullopt;
  for (const auto& r : *records) {
    if (r.tnf != kTnfWellKnown || r.payload.empty()) continue;
    if (r.type == "T") {
      // Status byte: bit 7 UTF-16 (not used by kvittensmärken), bits 0-5 language length.
      const std::size_t lang = r.payload[0] & 0x3F;
      if (1 + lang > r.payload.size()) return std::nullopt;
      return std::string(r.payload.begin() + static_cast<std::ptrdiff_t>(1 + lang),
                         r.payload.end());
    }
    if (r.type == "U") {
      const std::size_t code = r.payload[0];
      const std::string_view prefix = code < kUriPrefixes.size() ? kUriPrefixes[code] : "";
      return std::string(prefix) + std::string(r.payload.begin() + 1, r.payload.end());
    }
  }
  return std::nullopt;
}

}  // namespace kvittens::drivers::ndef
