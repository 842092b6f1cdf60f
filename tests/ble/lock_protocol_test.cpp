#include "drivers/ble/lock_protocol.hpp"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "kvittens/lock_receipt.hpp"

namespace kvittens::lock_protocol {
namespace {

std::vector<std::uint8_t> key() {
  return std::vector<std::uint8_t>(32, 0x42);
}
Nonce nonce() {
  Nonce n{};
  for (std::size_t i = 0; i < n.size(); ++i) n[i] = static_cast<std::uint8_t>(i);
  return n;
}
std::vector<std::uint8_t> bytes(std::initializer_list<int> b) {
  std::vector<std::uint8_t> out;
  for (int x : b) out.push_back(static_cast<std::uint8_t>(x));
  return out;
}

TEST(LockProtocol, UnlockMacIsHmacOverNonceOpcodeAndKeyId) {
  const Command c = sign({Opcode::Unlock, 0x1234, 0, {}}, key(), nonce());
  std::vector<std::uint8_t> data(kNonceSize + 3);
  const auto n = nonce();
  std::copy(n.begin(), n.end(), data.begin());
  data[16] = 0x02;  // UNLOCK
  data[17] = 0x34;  // key id, little-endian
  data[18] = 0x12;
  Mac want{};
  unsigned len = 0;
  HMAC(EVP_sha256(), key().data(), 32, data.data(), data.size(), want.data(), &len);
  EXPECT_TRUE(mac_equal(c.mac, want));
}

TEST(LockProtocol, SetTimeMacCoversTheTime) {
  const Command a = sign({Opcode::SetTime, 1, 1000, {}}, key(), nonce());
  const Command b = sign({Opcode::SetTime, 1, 1001, {}}, key(), nonce());
  EXPECT_FALSE(mac_equal(a.mac, b.mac));
}

TEST(LockProtocol, CommandsRoundTrip) {
  for (auto op : {Opcode::GetChallenge, Opcode::Unlock, Opcode::Lock, Opcode::SetTime,
                  Opcode::ReadLog, Opcode::ClearLog}) {
    Command c{op, 7, is_admin(op) ? 99u : 0u, {}};
    if (is_authenticated(op)) c = sign(c, key(), nonce());
    const auto wire = encode(c);
    const auto back = decode_command(wire);
    ASSERT_TRUE(back) << to_string(op) << ": " << back.reason;
    EXPECT_EQ(back.value->opcode, op);
    EXPECT_EQ(back.value->key_id, is_authenticated(op) ? 7 : 0);
    EXPECT_EQ(back.value->arg, c.arg);
    EXPECT_TRUE(mac_equal(back.value->mac, c.mac));
  }
}

TEST(LockProtocol, UnlockIsThirtyFiveBytesOnTheWire) {
  EXPECT_EQ(encode(Command{Opcode::Unlock, 1, 0, {}}).size(), 35u);
  EXPECT_EQ(encode(Command{Opcode::SetTime, 1, 0, {}}).size(), 39u);
  EXPECT_EQ(encode(Command{Opcode::GetChallenge}).size(), 1u);
}

TEST(LockProtocol, DecodeRefusesEachMalformedCommandWithItsReason) {
  auto d = decode_command({});
  EXPECT_EQ(d.status, Status::BadLength);
  EXPECT_NE(d.reason.find("empty"), std::string::npos);

  d = decode_command(bytes({0x7f}));
  EXPECT_EQ(d.status, Status::UnknownOpcode);
  EXPECT_NE(d.reason.find("0x7f"), std::string::npos);

  d = decode_command(bytes({0x02, 0x01, 0x00}));
  EXPECT_EQ(d.status, Status::BadLength);
  EXPECT_NE(d.reason.find("UNLOCK is 35 bytes, got 3"), std::string::npos);

  d = decode_command(bytes({0x01, 0x00}));
  EXPECT_EQ(d.status, Status::BadLength);

  d = decode_command(std::vector<std::uint8_t>(65, 0x02));
  EXPECT_EQ(d.status, Status::BadLength);
  EXPECT_NE(d.reason.find("LP-GATT-4"), std::string::npos);

  d = decode_command(encode(Command{Opcode::Unlock, 0, 0, {}}));
  EXPECT_EQ(d.status, Status::BadKeyId);
  EXPECT_FALSE(d);
}

TEST(LockProtocol, ResponsesRoundTripAndCarryTheRightPayload) {
  const auto n = nonce();
  const Response challenge{Opcode::GetChallenge, Status::Ok, {n.begin(), n.end()}};
  const auto back = decode_response(encode(challenge), Opcode::GetChallenge);
  ASSERT_TRUE(back) << back.reason;
  EXPECT_EQ(nonce_of(*back.value), nonce());

  const Response refused{Opcode::Unlock, Status::AuthFailed, {}};
  const auto r = decode_response(encode(refused), Opcode::Unlock);
  ASSERT_TRUE(r);
  EXPECT_EQ(r.value->status, Status::AuthFailed);

  const Response unlocked{Opcode::Unlock, Status::Ok,
                          std::vector<std::uint8_t>(lock_receipt::kEntrySize, 1)};
  EXPECT_TRUE(decode_response(encode(unlocked), Opcode::Unlock));
}

TEST(LockProtocol, DecodeRefusesEachMalformedResponseWithItsReason) {
  auto d = decode_response(bytes({0x02}), Opcode::Unlock);
  EXPECT_NE(d.reason.find("at least 2"), std::string::npos);
  d = decode_response(bytes({0x03, 0x00}), Opcode::Unlock);
  EXPECT_NE(d.reason.find("expected UNLOCK"), std::string::npos);
  d = decode_response(bytes({0x02, 0x0a}), Opcode::Unlock);
  EXPECT_NE(d.reason.find("unknown status 0x0a"), std::string::npos);
  d = decode_response(bytes({0x02, 0x00, 0x01}), Opcode::Unlock);
  EXPECT_NE(d.reason.find("carries 49 payload bytes, got 1"), std::string::npos);
  d = decode_response(bytes({0x02, 0x04, 0x01}), Opcode::Unlock);
  EXPECT_NE(d.reason.find("AUTH_FAILED carries 0"), std::string::npos);
  EXPECT_FALSE(d);
}

TEST(LockProtocol, StatusRecordRoundTripsAndRefusesNonsense) {
  StatusRecord s;
  s.locked = false;
  s.low_battery = true;
  s.battery_percent = 9;
  s.log_count = 300;
  EXPECT_EQ(encode(s), bytes({0x02, 9, 0x2c, 0x01}));
  const auto back = decode_status(encode(s));
  ASSERT_TRUE(back);
  EXPECT_FALSE(back.value->locked);
  EXPECT_TRUE(back.value->low_battery);
  EXPECT_EQ(back.value->log_count, 300);

  EXPECT_NE(decode_status(bytes({1, 2, 3})).reason.find("4 bytes, got 3"), std::string::npos);
  EXPECT_NE(decode_status(bytes({0x10, 50, 0, 0})).reason.find("reserved"), std::string::npos);
  EXPECT_NE(decode_status(bytes({0x01, 101, 0, 0})).reason.find("above 100"), std::string::npos);
}

}  // namespace
}  // namespace kvittens::lock_protocol
