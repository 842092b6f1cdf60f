// Lock receipt codec and HMAC-SHA256 (OpenSSL). Layout: docs/lock-profile.md.
#include "kvittens/lock_receipt.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

namespace kvittens::lock_receipt {
namespace {

void put_le(std::vector<std::uint8_t>& out, std::uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}

std::uint64_t get_le(std::span<const std::uint8_t> in, std::size_t at, int bytes) {
  std::uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v |= std::uint64_t{in[at + i]} << (8 * i);
  return v;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::array<std::uint8_t, 32> hmac(std::span<const std::uint8_t> key,
                                  std::span<const std::uint8_t> data) {
  std::array<std::uint8_t, 32> out{};
  unsigned len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), data.data(), data.size(), out.data(),
       &len);
  return out;
}

}  // namespace

std::string to_hex(std::span<const std::uint8_t> bytes) {
  static const char* digits = "0123456789abcdef";
  std::string s;
  s.reserve(bytes.size() * 2);
  for (auto b : bytes) {
    s.push_back(digits[b >> 4]);
    s.push_back(digits[b & 15]);
  }
  return s;
}

std::optional<std::vector<std::uint8_t>> from_hex(std::string_view hex) {
  if (hex.size() % 2) return std::nullopt;
  std::vector<std::uint8_t> out;
  out.reserve(hex.size() / 2);
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    const int hi = hex_value(hex[i]), lo = hex_value(hex[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out.push_back(static_cast<std::uint8_t>(hi * 16 + lo));
  }
  return out;
}

std::optional<std::array<std::uint8_t, 6>> parse_address(std::string_view a) {
  if (a.size() != 17) return std::nullopt;
  std::array<std::uint8_t, 6> out{};
  for (int i = 0; i < 6; ++i) {
    if (i < 5 && a[i * 3 + 2] != ':') return std::nullopt;
    const int hi = hex_value(a[i * 3]), lo = hex_value(a[i * 3 + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out[i] = static_cast<std::uint8_t>(hi * 16 + lo);
  }
  return out;
}

std::vector<std::uint8_t> signed_bytes(const LockEvent& e) {
  std::vector<std::uint8_t> out;
  out.reserve(17);
  const auto addr = parse_address(e.lock_id).value_or(std::array<std::uint8_t, 6>{});
  out.insert(out.end(), addr.begin(), addr.end());
  put_le(out, e.seq, 4);
  put_le(out, static_cast<std::uint32_t>(e.time), 4);
  out.push_back(e.event);
  put_le(out, e.key_id, 2);
  return out;
}

std::string mac_hex(const LockEvent& e, std::span<const std::uint8_t> key) {
  const auto data = signed_bytes(e);
  const auto mac = hmac(key, data);
  return to_hex(mac);
}

bool verify(const LockEvent& e, std::span<const std::uint8_t> key) {
  if (!parse_address(e.lock_id)) return false;
  const auto given = from_hex(e.mac_hex);
  if (!given || given->size() != 32) return false;
  const auto data = signed_bytes(e);
  const auto mac = hmac(key, data);
  return CRYPTO_memcmp(mac.data(), given->data(), 32) == 0;
}

std::vector<std::uint8_t> encode(const LockEvent& e) {
  auto out = signed_bytes(e);
  const auto mac = from_hex(e.mac_hex).value_or(std::vector<std::uint8_t>(32, 0));
  out.insert(out.end(), mac.begin(), mac.end());
  out.resize(kEntrySize, 0);
  return out;
}

std::optional<LockEvent> decode(std::span<const std::uint8_t> b) {
  if (b.size() != kEntrySize) return std::nullopt;
  static const char* digits = "0123456789ABCDEF";
  LockEvent e;
  for (int i = 0; i < 6; ++i) {
    if (i) e.lock_id.push_back(':');
    e.lock_id.push_back(digits[b[i] >> 4]);
    e.lock_id.push_back(digits[b[i] & 15]);
  }
  e.seq = static_cast<std::uint32_t>(get_le(b, 6, 4));
  e.time = static_cast<std::int64_t>(get_le(b, 10, 4));
  e.event = b[14];
  e.key_id = static_cast<std::uint16_t>(get_le(b, 15, 2));
  e.mac_hex = to_hex(b.subspan(17, 32));
  return e;
}

}  // namespace kvittens::lock_receipt
