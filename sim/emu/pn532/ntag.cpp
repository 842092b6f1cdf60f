// NTAG21x memory map and commands after the NXP NTAG213/215/216 data sheet (rev. 3.2):
// pages 0-2 UID/BCC/lock bytes, page 3 capability container, user memory from page 4,
// then dynamic lock and configuration pages. The PWD and PACK pages read back as zeros.
#include "sim/emu/pn532/ntag.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <stdexcept>

namespace kvittens::emu::pn532 {
namespace {

struct Layout {
  std::size_t pages;     // total pages
  std::size_t user_end;  // first page after user memory
  std::uint8_t cc_size;  // capability container byte 2: data area / 8
  std::uint8_t storage;  // GET_VERSION storage size byte
};

Layout layout(NtagType type) {
  switch (type) {
    case NtagType::Ntag213:
      return {45, 40, 0x12, 0x0F};
    case NtagType::Ntag215:
      return {135, 130, 0x3E, 0x11};
    case NtagType::Ntag216:
      return {231, 226, 0x6D, 0x13};
  }
  return {45, 40, 0x12, 0x0F};
}

constexpr std::uint8_t kCmdGetVersion = 0x60;
constexpr std::uint8_t kCmdRead = 0x30;
constexpr std::uint8_t kCmdFastRead = 0x3A;
constexpr std::uint8_t kCmdWrite = 0xA2;
constexpr std::uint8_t kCmdReadSig = 0x3C;
constexpr std::uint8_t kCmdHalt = 0x50;

// URI identifier codes of the NFC Forum URI RTD, table 3 (the common ones).
constexpr std::array<std::string_view, 7> kUriPrefixes = {
    "", "http://www.", "https://www.", "http://", "https://", "tel:", "mailto:"};

std::vector<std::uint8_t> short_record(std::uint8_t type, std::span<const std::uint8_t> payload) {
  std::vector<std::uint8_t> r;
  if (payload.size() <= 0xFF) {
    // MB | ME | SR, TNF well-known
    r = {0xD1, 0x01, static_cast<std::uint8_t>(payload.size()), type};
  } else {
    const auto n = static_cast<std::uint32_t>(payload.size());
    r = {0xC1,
         0x01,
         static_cast<std::uint8_t>(n >> 24),
         static_cast<std::uint8_t>(n >> 16),
         static_cast<std::uint8_t>(n >> 8),
         static_cast<std::uint8_t>(n),
         type};
  }
  r.insert(r.end(), payload.begin(), payload.end());
  return r;
}

}  // namespace

std::optional<Uid> parse_uid(std::string_view text) {
  std::string hex;
  for (char c : text) {
    if (c == ':' || c == '-' || c == ' ') continue;
    if (!std::isxdigit(static_cast<unsigned char>(c))) return std::nullopt;
    hex.push_back(c);
  }
  if (hex.size() != 14) return std::nullopt;
  Uid uid{};
  for (std::size_t i = 0; i < uid.size(); ++i) {
    uid[i] = static_cast<std::uint8_t>(std::stoul(hex.substr(2 * i, 2), nullptr, 16));
  }
  return uid;
}

std::string format_uid(const Uid& uid) {
  std::string out;
  char buf[4];
  for (std::size_t i = 0; i < uid.size(); ++i) {
    std::snprintf(buf, sizeof buf, i == 0 ? "%02X" : ":%02X", uid[i]);
    out += buf;
  }
  return out;
}

const char* to_string(NtagType t) {
  switch (t) {
    case NtagType::Ntag213:
      return "NTAG213";
    case NtagType::Ntag215:
      return "NTAG215";
    case NtagType::Ntag216:
      return "NTAG216";
  }
  return "?";
}

std::optional<NtagType> parse_ntag_type(std::string_view text) {
  std::string lower;
  for (char c : text)
    lower.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  if (lower == "ntag213") return NtagType::Ntag213;
  if (lower == "ntag215") return NtagType::Ntag215;
  if (lower == "ntag216") return NtagType::Ntag216;
  return std::nullopt;
}

std::vector<std::uint8_t> ndef_text_message(std::string_view text, std::string_view language) {
  if (language.size() > 0x3F) throw std::invalid_argument("NDEF text: language code too long");
  std::vector<std::uint8_t> payload;
  payload.push_back(static_cast<std::uint8_t>(language.size()));  // UTF-8, language length
  payload.insert(payload.end(), language.begin(), language.end());
  payload.insert(payload.end(), text.begin(), text.end());
  return short_record('T', payload);
}

std::vector<std::uint8_t> ndef_uri_message(std::string_view uri) {
  std::uint8_t code = 0;
  std::size_t best = 0;
  for (std::size_t i = 1; i < kUriPrefixes.size(); ++i) {
    const auto p = kUriPrefixes[i];
    if (uri.substr(0, p.size()) == p && p.size() > best) {
      code = static_cast<std::uint8_t>(i);
      best = p.size();
    }
  }
  std::vector<std::uint8_t> payload{code};
  payload.insert(payload.end(), uri.begin() + static_cast<std::ptrdiff_t>(best), uri.end());
  return short_record('U', payload);
}

std::array<std::uint8_t, 2> crc_a(std::span<const std::uint8_t> data) {
  std::uint32_t crc = 0x6363;
  for (auto b : data) {
    std::uint8_t bt = b ^ static_cast<std::uint8_t>(crc & 0xFF);
    bt = static_cast<std::uint8_t>(bt ^ (bt << 4));
    crc =
        (crc >> 8) ^ (std::uint32_t{bt} << 8) ^ (std::uint32_t{bt} << 3) ^ (std::uint32_t{bt} >> 4);
  }
  return {static_cast<std::uint8_t>(crc & 0xFF), static_cast<std::uint8_t>((crc >> 8) & 0xFF)};
}

Ntag::Ntag(const Uid& uid, NtagType type, std::span<const std::uint8_t> ndef_message)
    : uid_(uid), type_(type) {
  const Layout l = layout(type);
  memory_.assign(l.pages * kPageSize, 0x00);
  auto page = [this](std::size_t p) {
    return memory_.begin() + static_cast<std::ptrdiff_t>(p * kPageSize);
  };
  // Pages 0-2: UID with the two block check characters (cascade tag 0x88 enters BCC0).
  const std::uint8_t bcc0 = 0x88 ^ uid[0] ^ uid[1] ^ uid[2];
  const std::uint8_t bcc1 = uid[3] ^ uid[4] ^ uid[5] ^ uid[6];
  std::copy_n(std::array<std::uint8_t, 4>{uid[0], uid[1], uid[2], bcc0}.begin(), 4, page(0));
  std::copy_n(uid.begin() + 3, 4, page(1));
  std::copy_n(std::array<std::uint8_t, 4>{bcc1, 0x48, 0x00, 0x00}.begin(), 4, page(2));
  // Page 3: capability container, NDEF 1.0, read/write access.
  std::copy_n(std::array<std::uint8_t, 4>{0xE1, 0x10, l.cc_size, 0x00}.begin(), 4, page(3));
  // User memory: NDEF message TLV, then terminator TLV.
  std::vector<std::uint8_t> tlv{0x03};
  if (ndef_message.size() < 0xFF) {
    tlv.push_back(static_cast<std::uint8_t>(ndef_message.size()));
  } else {
    tlv.insert(tlv.end(), {0xFF, static_cast<std::uint8_t>(ndef_message.size() >> 8),
                           static_cast<std::uint8_t>(ndef_message.size() & 0xFF)});
  }
  tlv.insert(tlv.end(), ndef_message.begin(), ndef_message.end());
  tlv.push_back(0xFE);
  if (tlv.size() > (l.user_end - 4) * kPageSize) {
    throw std::invalid_argument(std::string("NDEF message of ") +
                                std::to_string(ndef_message.size()) + " bytes does not fit " +
                                to_string(type));
  }
  std::copy(tlv.begin(), tlv.end(), page(4));
  // Configuration pages: dynamic lock, CFG0 (AUTH0 = FF: no password), CFG1.
  std::copy_n(std::array<std::uint8_t, 4>{0x00, 0x00, 0x00, 0xBD}.begin(), 4, page(l.user_end));
  std::copy_n(std::array<std::uint8_t, 4>{0x04, 0x00, 0x00, 0xFF}.begin(), 4, page(l.user_end + 1));
  std::copy_n(std::array<std::uint8_t, 4>{0x00, 0x05, 0x00, 0x00}.begin(), 4, page(l.user_end + 2));
}

Ntag Ntag::with_id_text(const Uid& uid, NtagType type) {
  return Ntag(uid, type, ndef_text_message(format_uid(uid)));
}

std::array<std::uint8_t, 8> Ntag::version() const {
  return {0x00, 0x04, 0x04, 0x02, 0x01, 0x00, layout(type_).storage, 0x03};
}

std::optional<std::vector<std::uint8_t>> Ntag::transceive(std::span<const std::uint8_t> frame) {
  if (frame.empty()) return std::nullopt;
  const std::size_t pages = page_count();
  switch (frame[0]) {
    case kCmdGetVersion: {
      if (frame.size() != 1) return std::nullopt;
      const auto v = version();
      return std::vector<std::uint8_t>(v.begin(), v.end());
    }
    case kCmdRead: {
      if (frame.size() != 2 || frame[1] >= pages) return std::nullopt;
      // Four pages from the address; the read rolls over to page 0 past the last page.
      std::vector<std::uint8_t> out;
      for (std::size_t i = 0; i < 4; ++i) {
        const std::size_t p = (frame[1] + i) % pages;
        const bool secret = p == pages - 2 || p == pages - 1;  // PWD, PACK read as zeros
        for (std::size_t b = 0; b < kPageSize; ++b) {
          out.push_back(secret ? 0x00 : memory_[p * kPageSize + b]);
        }
      }
      return out;
    }
    case kCmdFastRead: {
      if (frame.size() != 3 || frame[1] > frame[2] || frame[2] >= pages) return std::nullopt;
      return std::vector<std::uint8_t>(
          memory_.begin() + static_cast<std::ptrdiff_t>(frame[1] * kPageSize),
          memory_.begin() + static_cast<std::ptrdiff_t>((frame[2] + 1) * kPageSize));
    }
    case kCmdWrite: {
      // UID pages are read-only; everything else in range is writable (no lock bits emulated).
      if (frame.size() != 6 || frame[1] < 3 || frame[1] >= pages) return std::nullopt;
      std::copy_n(frame.begin() + 2, kPageSize, memory_.begin() + frame[1] * kPageSize);
      return std::vector<std::uint8_t>{};
    }
    case kCmdReadSig:
      if (frame.size() != 2) return std::nullopt;
      return std::vector<std::uint8_t>(32, 0x00);
    case kCmdHalt:
    default:
      return std::nullopt;
  }
}

}  // namespace kvittens::emu::pn532
