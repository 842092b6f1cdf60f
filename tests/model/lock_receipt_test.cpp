#include "kvittens/lock_receipt.hpp"

#include <gtest/gtest.h>

namespace kvittens {
namespace {

std::vector<std::uint8_t> key() {
  return std::vector<std::uint8_t>(32, 0x42);
}

LockEvent entry() {
  LockEvent e;
  e.lock_id = "AA:BB:CC:DD:EE:01";
  e.seq = 7;
  e.time = 1'780'000'000;
  e.event = 1;
  e.key_id = 12;
  e.mac_hex = lock_receipt::mac_hex(e, key());
  return e;
}

TEST(LockReceipt, SignedEntryVerifiesWithTheLocksKey) {
  EXPECT_TRUE(lock_receipt::verify(entry(), key()));
}

TEST(LockReceipt, AnyChangedFieldBreaksTheMac) {
  auto e = entry();
  e.seq = 8;
  EXPECT_FALSE(lock_receipt::verify(e, key()));
  e = entry();
  e.time += 60;
  EXPECT_FALSE(lock_receipt::verify(e, key()));
  e = entry();
  e.key_id = 13;
  EXPECT_FALSE(lock_receipt::verify(e, key()));
  e = entry();
  e.lock_id = "AA:BB:CC:DD:EE:02";
  EXPECT_FALSE(lock_receipt::verify(e, key()));
  EXPECT_FALSE(lock_receipt::verify(entry(), std::vector<std::uint8_t>(32, 0x43)));
}

TEST(LockReceipt, MalformedMacIsRefusedNotCrashed) {
  auto e = entry();
  e.mac_hex = "zz";
  EXPECT_FALSE(lock_receipt::verify(e, key()));
  e.mac_hex = "";
  EXPECT_FALSE(lock_receipt::verify(e, key()));
}

TEST(LockReceipt, WireFormRoundTrips) {
  const auto bytes = lock_receipt::encode(entry());
  ASSERT_EQ(bytes.size(), lock_receipt::kEntrySize);
  const auto back = lock_receipt::decode(bytes);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->seq, 7u);
  EXPECT_EQ(back->key_id, 12);
  EXPECT_TRUE(lock_receipt::verify(*back, key()));
  EXPECT_FALSE(lock_receipt::decode(std::span(bytes).first(10)));
}

}  // namespace
}  // namespace kvittens
