// NDEF on an NFC Forum Type 2 tag: finding the NDEF message TLV in the tag's user memory and
// reading the first well-known Text or URI record out of it.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace kvittens::drivers::ndef {

struct TlvScan {
  enum class Status : std::uint8_t {
    Message,    // the NDEF message TLV is complete in the bytes given
    NeedMore,   // the bytes end inside a TLV: read further pages
    NoMessage,  // terminator reached, or the memory is not TLV-formatted
  };
  Status status = Status::NeedMore;
  std::vector<std::uint8_t> message;  // when Message
};

// Scans the TLV blocks of user memory (starting at page 4) for the first NDEF message TLV.
TlvScan scan_tlv(std::span<const std::uint8_t> user_memory);

struct Record {
  std::uint8_t tnf = 0;  // type name format (1 = NFC Forum well-known type)
  std::string type;
  std::vector<std::uint8_t> payload;
};

// The records of an NDEF message; nullopt if it is malformed (lengths beyond the message).
std::optional<std::vector<Record>> parse_message(std::span<const std::uint8_t> message);

// The text of the first Text record ("T") or the full URI of the first URI record ("U").
std::optional<std::string> first_text_or_uri(std::span<const std::uint8_t> message);

}  // namespace kvittens::drivers::ndef
