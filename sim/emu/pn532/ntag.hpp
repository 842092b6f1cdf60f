// An emulated NXP NTAG213/215/216 (NFC Forum Type 2 tag): its memory map, the commands a
// reader sends it over ISO/IEC 14443-3A (GET_VERSION, READ, FAST_READ, WRITE, HALT), and the
// NDEF message (text or URI record) that carries the kvittensmärke's id.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace kvittens::emu::pn532 {

using Uid = std::array<std::uint8_t, 7>;

// "04:A1:B2:C3:D4:E5:80" (also without colons) → bytes; nullopt if it is not 7 hex bytes.
std::optional<Uid> parse_uid(std::string_view text);
std::string format_uid(const Uid& uid);  // "04:A1:B2:C3:D4:E5:80"

enum class NtagType : std::uint8_t { Ntag213, Ntag215, Ntag216 };
const char* to_string(NtagType);
std::optional<NtagType> parse_ntag_type(std::string_view text);  // "ntag213", "NTAG215", ...

// NDEF messages with one well-known record (NFC Forum RTD Text / URI).
std::vector<std::uint8_t> ndef_text_message(std::string_view text,
                                            std::string_view language = "en");
std::vector<std::uint8_t> ndef_uri_message(std::string_view uri);

class Ntag {
 public:
  static constexpr std::uint16_t kAtqa = 0x0044;  // SENS_RES as libnfc prints it: 00 44
  static constexpr std::uint8_t kSak = 0x00;      // SEL_RES: Type 2 tag, no ISO 14443-4
  static constexpr std::size_t kPageSize = 4;

  // Throws std::invalid_argument if the NDEF message does not fit the user memory.
  Ntag(const Uid& uid, NtagType type, std::span<const std::uint8_t> ndef_message);
  // The default kvittensmärke: a text record carrying the tag's id (its UID as text).
  static Ntag with_id_text(const Uid& uid, NtagType type = NtagType::Ntag213);

  const Uid& uid() const { return uid_; }
  NtagType type() const { return type_; }
  std::size_t page_count() const { return memory_.size() / kPageSize; }
  std::span<const std::uint8_t> memory() const { return memory_; }
  std::array<std::uint8_t, 8> version() const;  // GET_VERSION answer

  // The tag's answer to one ISO 14443-3 frame (CRC already checked and stripped by the
  // reader chip). An empty vector is a 4-bit ACK; nullopt means the tag stays silent (NAK or
  // unknown command, which the reader sees as a timeout).
  std::optional<std::vector<std::uint8_t>> transceive(std::span<const std::uint8_t> frame);

 private:
  Uid uid_;
  NtagType type_;
  std::vector<std::uint8_t> memory_;
};

// ISO/IEC 14443-3 CRC_A, little-endian as it goes on air.
std::array<std::uint8_t, 2> crc_a(std::span<const std::uint8_t> data);

}  // namespace kvittens::emu::pn532
