#include "sim/emu/bluez/emulated_lock.hpp"

#include <gtest/gtest.h>

#include "tests/ble/manual_clock.hpp"

namespace kvittens::emu {
namespace {

namespace lp = lock_protocol;
using lock_receipt::Event;
using namespace std::chrono_literals;

const std::vector<std::uint8_t> kKey(32, 0x42);
const std::vector<std::uint8_t> kAdmin(32, 0xad);

class EmulatedLockTest : public ::testing::Test {
 protected:
  EmulatedLockTest() : lock_(config(), clock_, [this] { return next_nonce(); }) { lock_.link_up(); }

  static LockConfig config() {
    LockConfig c;
    c.address = "AA:BB:CC:DD:EE:01";
    c.key = kKey;
    c.admin_key = kAdmin;
    c.log_capacity = 8;
    return c;
  }
  lp::Nonce next_nonce() {
    lp::Nonce n{};
    n.fill(++nonces_);
    return n;
  }

  lp::Nonce challenge() {
    const auto r = lp::decode_response(lock_.write_control(std::vector<std::uint8_t>{0x01}),
                                       lp::Opcode::GetChallenge);
    EXPECT_TRUE(r) << r.reason;
    return lp::nonce_of(*r.value);
  }
  lp::Response send(const lp::Command& c) {
    const auto r = lp::decode_response(lock_.write_control(lp::encode(c)), c.opcode);
    EXPECT_TRUE(r) << r.reason;
    return *r.value;
  }
  lp::Command signed_command(lp::Opcode op, std::uint16_t key_id = 12, std::uint32_t arg = 0,
                             const std::vector<std::uint8_t>& key = kKey) {
    return lp::sign({op, key_id, arg, {}}, key, challenge());
  }
  LockEvent entry_of(const lp::Response& r) { return *lock_receipt::decode(r.payload); }

  testing::ManualClock clock_;
  std::uint8_t nonces_ = 0;
  EmulatedLock lock_;
};

TEST_F(EmulatedLockTest, UnlockWithTheRightMacOpensAndReturnsAVerifiableReceipt) {
  const auto r = send(signed_command(lp::Opcode::Unlock));
  ASSERT_EQ(r.status, lp::Status::Ok);
  const auto e = entry_of(r);
  EXPECT_EQ(e.lock_id, "AA:BB:CC:DD:EE:01");
  EXPECT_EQ(e.seq, 1u);
  EXPECT_EQ(e.time, clock_.unix());
  EXPECT_EQ(e.event, static_cast<std::uint8_t>(Event::Unlock));
  EXPECT_EQ(e.key_id, 12);
  EXPECT_TRUE(lock_receipt::verify(e, kKey));
  EXPECT_FALSE(lock_.status().locked);
}

TEST_F(EmulatedLockTest, AReplayedUnlockIsRefusedAndLogged) {
  const auto unlock = signed_command(lp::Opcode::Unlock);
  ASSERT_EQ(send(unlock).status, lp::Status::Ok);
  EXPECT_EQ(send(unlock).status, lp::Status::Replay);  // without a new challenge
  challenge();
  EXPECT_EQ(send(unlock).status, lp::Status::Replay);  // with a fresh one outstanding
  ASSERT_EQ(lock_.log().size(), 3u);
  EXPECT_EQ(lock_.log()[1].event, static_cast<std::uint8_t>(Event::ReplayRefused));
  EXPECT_TRUE(lock_receipt::verify(lock_.log()[2], kKey));
}

TEST_F(EmulatedLockTest, AWrongKeyIsRefusedLoggedAndTheDoorStaysLocked) {
  const auto r = send(signed_command(lp::Opcode::Unlock, 12, 0, std::vector<std::uint8_t>(32, 1)));
  EXPECT_EQ(r.status, lp::Status::AuthFailed);
  EXPECT_TRUE(lock_.status().locked);
  ASSERT_EQ(lock_.log().size(), 1u);
  EXPECT_EQ(lock_.log()[0].event, static_cast<std::uint8_t>(Event::AuthFailed));
  EXPECT_EQ(lock_.log()[0].key_id, 12);
}

TEST_F(EmulatedLockTest, EachNonceAllowsOneAttemptOnly) {
  const auto nonce = challenge();
  const auto bad =
      lp::sign({lp::Opcode::Unlock, 12, 0, {}}, std::vector<std::uint8_t>(32, 1), nonce);
  EXPECT_EQ(send(bad).status, lp::Status::AuthFailed);
  const auto good = lp::sign({lp::Opcode::Unlock, 12, 0, {}}, kKey, nonce);
  EXPECT_EQ(send(good).status, lp::Status::Replay);  // the nonce is spent (LP-AUTH-4)
  EXPECT_TRUE(lock_.status().locked);
}

TEST_F(EmulatedLockTest, WithoutAChallengeTheCommandIsRefusedUnlogged) {
  const auto r = send(lp::Command{lp::Opcode::Unlock, 12, 0, {}});
  EXPECT_EQ(r.status, lp::Status::NoChallenge);
  EXPECT_TRUE(lock_.log().empty());
}

TEST_F(EmulatedLockTest, AChallengeExpiresAfterThirtySecondsOfLockTime) {
  const auto c = signed_command(lp::Opcode::Unlock);
  clock_.advance(31s);
  EXPECT_EQ(send(c).status, lp::Status::NoChallenge);
  EXPECT_TRUE(lock_.status().locked);
  EXPECT_TRUE(lock_.log().empty());
}

TEST_F(EmulatedLockTest, TheChallengeDiesWithTheLink) {
  const auto c = signed_command(lp::Opcode::Unlock);
  lock_.link_down();
  lock_.link_up();
  EXPECT_TRUE(lock_.response().empty());
  EXPECT_NE(send(c).status, lp::Status::Ok);
}

TEST_F(EmulatedLockTest, AutoRelockHappensOnTheClockStampedWhenDue) {
  ASSERT_EQ(send(signed_command(lp::Opcode::Unlock)).status, lp::Status::Ok);
  const auto unlocked_at = clock_.unix();
  clock_.advance(29s);
  EXPECT_FALSE(lock_.tick());
  EXPECT_FALSE(lock_.status().locked);
  clock_.advance(60s);
  EXPECT_TRUE(lock_.tick());
  EXPECT_TRUE(lock_.status().locked);
  const auto& e = lock_.log().back();
  EXPECT_EQ(e.event, static_cast<std::uint8_t>(Event::AutoRelock));
  EXPECT_EQ(e.time, unlocked_at + 30);
  EXPECT_EQ(e.key_id, 12);
  EXPECT_TRUE(lock_receipt::verify(e, kKey));
}

TEST_F(EmulatedLockTest, LockClosesAndCancelsTheAutoRelock) {
  ASSERT_EQ(send(signed_command(lp::Opcode::Unlock)).status, lp::Status::Ok);
  const auto r = send(signed_command(lp::Opcode::Lock));
  ASSERT_EQ(r.status, lp::Status::Ok);
  EXPECT_EQ(entry_of(r).event, static_cast<std::uint8_t>(Event::Lock));
  clock_.advance(60s);
  EXPECT_FALSE(lock_.tick());
  EXPECT_EQ(lock_.log().size(), 2u);
}

TEST_F(EmulatedLockTest, AFullLogRefusesTheUnlockAndTheDoorStaysLocked) {
  lock_.fill_log();
  EXPECT_TRUE(lock_.status().log_full);
  EXPECT_EQ(send(signed_command(lp::Opcode::Unlock)).status, lp::Status::LogFull);
  EXPECT_TRUE(lock_.status().locked);
  lock_.restore_log_capacity();
  EXPECT_EQ(send(signed_command(lp::Opcode::Unlock)).status, lp::Status::Ok);
}

TEST_F(EmulatedLockTest, OnlyTheAdminKeySetsTheTime) {
  EXPECT_EQ(send(signed_command(lp::Opcode::SetTime, 12, 1'800'000'000)).status,
            lp::Status::AuthFailed);
  const auto r = send(signed_command(lp::Opcode::SetTime, 0xff00, 1'800'000'000, kAdmin));
  ASSERT_EQ(r.status, lp::Status::Ok);
  EXPECT_EQ(entry_of(r).time, 1'800'000'000);
  EXPECT_EQ(entry_of(r).event, static_cast<std::uint8_t>(Event::TimeSet));
  EXPECT_TRUE(lock_receipt::verify(entry_of(r), kKey));  // signed with K_L (LP-LOG-2)
  EXPECT_EQ(lock_.lock_time(), 1'800'000'000);
}

TEST_F(EmulatedLockTest, TheAdminReadsAndClearsTheLogAndSeqNeverRepeats) {
  ASSERT_EQ(send(signed_command(lp::Opcode::Unlock)).status, lp::Status::Ok);
  const auto read = send(signed_command(lp::Opcode::ReadLog, 0xff00, 1, kAdmin));
  ASSERT_EQ(read.status, lp::Status::Ok);
  EXPECT_EQ(entry_of(read).seq, 1u);
  EXPECT_EQ(send(signed_command(lp::Opcode::ClearLog, 0xff00, 1, kAdmin)).status, lp::Status::Ok);
  EXPECT_EQ(send(signed_command(lp::Opcode::ReadLog, 0xff00, 1, kAdmin)).status,
            lp::Status::NotFound);
  const auto again = send(signed_command(lp::Opcode::Unlock));
  EXPECT_EQ(entry_of(again).seq, 2u);
}

TEST_F(EmulatedLockTest, CrossingLowBatteryIsLoggedOnce) {
  lock_.set_battery(20);
  lock_.set_battery(10);
  lock_.set_battery(8);
  EXPECT_TRUE(lock_.status().low_battery);
  EXPECT_EQ(lock_.status().battery_percent, 8);
  ASSERT_EQ(lock_.log().size(), 1u);
  EXPECT_EQ(lock_.log()[0].event, static_cast<std::uint8_t>(Event::LowBattery));
}

TEST_F(EmulatedLockTest, MalformedCommandsAreAnsweredWithTheirStatus) {
  EXPECT_EQ(lock_.write_control(std::vector<std::uint8_t>{0x7f}),
            (std::vector<std::uint8_t>{0x7f, 0x01}));
  EXPECT_EQ(lock_.write_control(std::vector<std::uint8_t>{0x02, 0x01}),
            (std::vector<std::uint8_t>{0x02, 0x02}));
}

TEST_F(EmulatedLockTest, ClockDriftMovesTheReceiptTime) {
  lock_.drift(600s);
  const auto r = send(signed_command(lp::Opcode::Unlock));
  EXPECT_EQ(entry_of(r).time, clock_.unix() + 600);
}

}  // namespace
}  // namespace kvittens::emu
