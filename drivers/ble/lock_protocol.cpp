// Receipt-lock protocol codec (docs/lock-profile.md, sections 3-6).
#include "drivers/ble/lock_protocol.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>

#include "kvittens/lock_receipt.hpp"

namespace kvittens::lock_protocol {
namespace {

void put_le(std::vector<std::uint8_t>& out, std::uint32_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}

std::uint32_t get_le(std::span<const std::uint8_t> in, std::size_t at, int bytes) {
  std::uint32_t v = 0;
  for (int i = 0; i < bytes; ++i) v |= std::uint32_t{in[at + i]} << (8 * i);
  return v;
}

bool has_arg(Opcode op) {
  return op == Opcode::SetTime || op == Opcode::ReadLog || op == Opcode::ClearLog;
}

std::optional<Opcode> known_opcode(std::uint8_t b) {
  switch (static_cast<Opcode>(b)) {
    case Opcode::GetChallenge:
    case Opcode::Unlock:
    case Opcode::Lock:
    case Opcode::SetTime:
    case Opcode::ReadLog:
    case Opcode::ClearLog:
      return static_cast<Opcode>(b);
  }
  return std::nullopt;
}

// Wire length of a command with this opcode (table of section 4).
std::size_t command_size(Opcode op) {
  if (!is_authenticated(op)) return 1;
  return 1 + 2 + (has_arg(op) ? 4 : 0) + kMacSize;
}

// Payload size of a successful response (table of section 4).
std::size_t success_payload_size(Opcode op) {
  switch (op) {
    case Opcode::GetChallenge:
      return kNonceSize;
    case Opcode::ClearLog:
      return 0;
    default:
      return lock_receipt::kEntrySize;
  }
}

std::vector<std::uint8_t> params(const Command& c) {
  std::vector<std::uint8_t> out;
  if (has_arg(c.opcode)) put_le(out, c.arg, 4);
  return out;
}

template <class T>
Decoded<T> reject(Status status, std::string reason) {
  return Decoded<T>{std::nullopt, status, std::move(reason)};
}

}  // namespace

const char* to_string(Opcode op) {
  switch (op) {
    case Opcode::GetChallenge:
      return "GET_CHALLENGE";
    case Opcode::Unlock:
      return "UNLOCK";
    case Opcode::Lock:
      return "LOCK";
    case Opcode::SetTime:
      return "SET_TIME";
    case Opcode::ReadLog:
      return "READ_LOG";
    case Opcode::ClearLog:
      return "CLEAR_LOG";
  }
  return "?";
}

const char* to_string(Status s) {
  switch (s) {
    case Status::Ok:
      return "OK";
    case Status::UnknownOpcode:
      return "UNKNOWN_OPCODE";
    case Status::BadLength:
      return "BAD_LENGTH";
    case Status::NoChallenge:
      return "NO_CHALLENGE";
    case Status::AuthFailed:
      return "AUTH_FAILED";
    case Status::Replay:
      return "REPLAY";
    case Status::BadKeyId:
      return "BAD_KEY_ID";
    case Status::LogFull:
      return "LOG_FULL";
    case Status::NotFound:
      return "NOT_FOUND";
    case Status::Jammed:
      return "JAMMED";
  }
  return "?";
}

bool is_authenticated(Opcode op) {
  return op != Opcode::GetChallenge;
}
bool is_admin(Opcode op) {
  return has_arg(op);
}

Mac command_mac(std::span<const std::uint8_t> key, const Nonce& nonce, const Command& c) {
  std::vector<std::uint8_t> data(nonce.begin(), nonce.end());
  data.push_back(static_cast<std::uint8_t>(c.opcode));
  put_le(data, c.key_id, 2);
  const auto p = params(c);
  data.insert(data.end(), p.begin(), p.end());
  Mac mac{};
  unsigned len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), data.data(), data.size(), mac.data(),
       &len);
  return mac;
}

Command sign(Command c, std::span<const std::uint8_t> key, const Nonce& nonce) {
  c.mac = command_mac(key, nonce, c);
  return c;
}

bool mac_equal(const Mac& a, const Mac& b) {
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::vector<std::uint8_t> encode(const Command& c) {
  std::vector<std::uint8_t> out{static_cast<std::uint8_t>(c.opcode)};
  if (!is_authenticated(c.opcode)) return out;
  put_le(out, c.key_id, 2);
  if (has_arg(c.opcode)) put_le(out, c.arg, 4);
  out.insert(out.end(), c.mac.begin(), c.mac.end());
  return out;
}

Decoded<Command> decode_command(std::span<const std::uint8_t> b) {
  if (b.empty()) return reject<Command>(Status::BadLength, "empty command");
  if (b.size() > kMaxCommandSize) {
    return reject<Command>(Status::BadLength, "command longer than 64 bytes (LP-GATT-4)");
  }
  const auto op = known_opcode(b[0]);
  if (!op) {
    return reject<Command>(Status::UnknownOpcode,
                           "unknown opcode 0x" + lock_receipt::to_hex(b.subspan(0, 1)));
  }
  const auto want = command_size(*op);
  if (b.size() != want) {
    return reject<Command>(Status::BadLength, std::string(to_string(*op)) + " is " +
                                                  std::to_string(want) + " bytes, got " +
                                                  std::to_string(b.size()));
  }
  Command c;
  c.opcode = *op;
  if (!is_authenticated(*op)) return {c, Status::Ok, {}};
  c.key_id = static_cast<std::uint16_t>(get_le(b, 1, 2));
  std::size_t at = 3;
  if (has_arg(*op)) {
    c.arg = get_le(b, at, 4);
    at += 4;
  }
  std::copy(b.begin() + static_cast<std::ptrdiff_t>(at), b.end(), c.mac.begin());
  if (c.key_id == 0)
    return reject<Command>(Status::BadKeyId, "key id 0x0000 is reserved (LP-KEY-3)");
  return {c, Status::Ok, {}};
}

std::vector<std::uint8_t> encode(const Response& r) {
  std::vector<std::uint8_t> out{static_cast<std::uint8_t>(r.opcode),
                                static_cast<std::uint8_t>(r.status)};
  if (r.status == Status::Ok) out.insert(out.end(), r.payload.begin(), r.payload.end());
  return out;
}

Decoded<Response> decode_response(std::span<const std::uint8_t> b, Opcode expected) {
  if (b.size() < 2) {
    return reject<Response>(Status::BadLength,
                            "response of " + std::to_string(b.size()) + " bytes, need at least 2");
  }
  if (b[0] != static_cast<std::uint8_t>(expected)) {
    return reject<Response>(Status::UnknownOpcode, std::string("response echoes opcode 0x") +
                                                       lock_receipt::to_hex(b.subspan(0, 1)) +
                                                       ", expected " + to_string(expected));
  }
  if (b[1] > static_cast<std::uint8_t>(Status::Jammed)) {
    return reject<Response>(Status::BadLength,
                            "unknown status 0x" + lock_receipt::to_hex(b.subspan(1, 1)));
  }
  Response r{expected, static_cast<Status>(b[1]), {}};
  const auto payload = b.subspan(2);
  const std::size_t want = r.status == Status::Ok ? success_payload_size(expected) : 0;
  if (payload.size() != want) {
    return reject<Response>(Status::BadLength, std::string(to_string(expected)) + " " +
                                                   to_string(r.status) + " carries " +
                                                   std::to_string(want) + " payload bytes, got " +
                                                   std::to_string(payload.size()));
  }
  r.payload.assign(payload.begin(), payload.end());
  return {std::move(r), Status::Ok, {}};
}

Nonce nonce_of(const Response& r) {
  Nonce n{};
  std::copy_n(r.payload.begin(), std::min(r.payload.size(), n.size()), n.begin());
  return n;
}

std::vector<std::uint8_t> encode(const StatusRecord& s) {
  std::vector<std::uint8_t> out;
  out.push_back(static_cast<std::uint8_t>((s.locked ? 1 : 0) | (s.low_battery ? 2 : 0) |
                                          (s.log_full ? 4 : 0) | (s.time_not_set ? 8 : 0)));
  out.push_back(s.battery_percent);
  put_le(out, s.log_count, 2);
  return out;
}

Decoded<StatusRecord> decode_status(std::span<const std::uint8_t> b) {
  if (b.size() != kStatusSize) {
    return reject<StatusRecord>(Status::BadLength,
                                "status record is 4 bytes, got " + std::to_string(b.size()));
  }
  if (b[0] & 0xf0) {
    return reject<StatusRecord>(Status::BadLength, "reserved status flag bits set");
  }
  if (b[1] > 100) {
    return reject<StatusRecord>(Status::BadLength,
                                "battery " + std::to_string(b[1]) + " % is above 100");
  }
  StatusRecord s;
  s.locked = b[0] & 1;
  s.low_battery = b[0] & 2;
  s.log_full = b[0] & 4;
  s.time_not_set = b[0] & 8;
  s.battery_percent = b[1];
  s.log_count = static_cast<std::uint16_t>(get_le(b, 2, 2));
  return {s, Status::Ok, {}};
}

}  // namespace kvittens::lock_protocol
