// sim::EmulatedHardware on its own: the phone's receipts come through the real drivers, every
// lock condition reaches the phone as the driver's error, and the receipts equal those of
// SyntheticHardware (sequence numbers, auto-relock entries, lock time).
#include "sim/emulated/emulated_hardware.hpp"

#include <gtest/gtest.h>

#include "kvittens/lock_receipt.hpp"
#include "sim/core/synthetic_hardware.hpp"
#include "sim/core/virtual_clock.hpp"

namespace kvittens::sim {
namespace {

using namespace std::chrono_literals;

constexpr auto kLock = "AA:BB:CC:DD:EE:21";

World world() {
  World w;
  w.locks.push_back({kLock, std::string(64, '2'), {"gunnar"}, std::nullopt});
  w.locks.push_back({"AA:BB:CC:DD:EE:22", std::string(64, '3'), {"sven"}, std::nullopt});
  return w;
}

LockCredential credential(std::uint16_t key_id = 1) {
  return {kLock, key_id, *lock_receipt::from_hex(std::string(64, '2'))};
}

DeviceFault lock_fault(LockCondition c, std::int64_t arg = 0) {
  DeviceFault f;
  f.device = DeviceFault::Device::Lock;
  f.target = kLock;
  f.condition = c;
  f.arg = arg;
  return f;
}

DeviceFault nfc_fault(DeviceErrorCode e) {
  DeviceFault f;
  f.device = DeviceFault::Device::Nfc;
  f.target = "anna";
  f.error = e;
  return f;
}

DeviceErrorCode unlock_error(Hardware& hw) {
  try {
    hw.lock("anna", kLock).unlock(credential(), 2s);
  } catch (const DeviceError& e) {
    return e.code();
  }
  ADD_FAILURE() << "the unlock succeeded";
  return DeviceErrorCode::Failed;
}

struct EmulatedHardwareTest : ::testing::Test {
  World w = world();
  VirtualClock clock{parse_local("2026-03-02T07:00")};
  EmulatedHardware hw{w, clock, 1};
};

TEST_F(EmulatedHardwareTest, AnUnlockIsTheLocksSignedEntryAtScenarioTime) {
  const auto e = hw.lock("anna", kLock).unlock(credential(7), 2s);
  EXPECT_EQ(e.lock_id, kLock);
  EXPECT_EQ(e.key_id, 7);
  EXPECT_EQ(e.time, clock.now().time_since_epoch().count());
  EXPECT_EQ(e.seq, first_lock_seq(kLock, 1));
  EXPECT_TRUE(lock_receipt::verify(e, credential().key));
}

TEST_F(EmulatedHardwareTest, OneBusServesEveryLockAndPhoneOfARun) {
  hw.lock("anna", kLock).unlock(credential(), 2s);
  hw.lock("bo", kLock).unlock(credential(2), 2s);
  hw.lock("bo", "AA:BB:CC:DD:EE:22")
      .unlock({"AA:BB:CC:DD:EE:22", 2, *lock_receipt::from_hex(std::string(64, '3'))}, 2s);
  EXPECT_EQ(hw.buses_started(), 1);
}

TEST_F(EmulatedHardwareTest, ALockNotInTheWorldIsNotFound) {
  try {
    hw.lock("anna", "AA:BB:CC:DD:EE:99");
    FAIL();
  } catch (const DeviceError& e) {
    EXPECT_EQ(e.code(), DeviceErrorCode::NotFound);
  }
}

TEST_F(EmulatedHardwareTest, EachLockConditionReachesThePhoneAsTheDriversErrorForOneOperation) {
  const std::pair<LockCondition, DeviceErrorCode> cases[] = {
      {LockCondition::OutOfRange, DeviceErrorCode::NotFound},
      {LockCondition::DisconnectDuringUnlock, DeviceErrorCode::Disconnected},
      {LockCondition::NoResponse, DeviceErrorCode::Timeout},
      {LockCondition::WrongKey, DeviceErrorCode::NotPermitted},
      {LockCondition::LogFull, DeviceErrorCode::Failed},
      {LockCondition::BadMac, DeviceErrorCode::Protocol},
  };
  for (const auto& [condition, error] : cases) {
    SCOPED_TRACE(to_string(condition));
    hw.inject(lock_fault(condition));
    EXPECT_EQ(unlock_error(hw), error);
    // The condition held for that operation only: the retry gives a receipt.
    EXPECT_NO_THROW(hw.lock("anna", kLock).unlock(credential(), 2s));
  }
}

TEST_F(EmulatedHardwareTest, AReplayingLockAnswersWithItsLatestUnlockEntry) {
  const auto first = hw.lock("anna", kLock).unlock(credential(), 2s);
  clock.advance(10min);
  hw.tick();
  hw.inject(lock_fault(LockCondition::ReplayLastEntry));
  const auto replayed = hw.lock("anna", kLock).unlock(credential(), 2s);
  EXPECT_EQ(replayed.seq, first.seq);
  EXPECT_EQ(replayed.mac_hex, first.mac_hex);
  const auto fresh = hw.lock("anna", kLock).unlock(credential(), 2s);
  EXPECT_GT(fresh.seq, first.seq);
}

TEST_F(EmulatedHardwareTest, ReceiptsEqualThoseOfSyntheticHardwareStepForStep) {
  SyntheticHardware synthetic{w, clock, 1};
  std::vector<std::function<void(Hardware&)>> script = {
      [](Hardware&) {},
      [](Hardware& h) { h.inject(lock_fault(LockCondition::LowBattery, 8)); },
      [](Hardware& h) { h.inject(lock_fault(LockCondition::WrongKey)); },
      [](Hardware& h) { h.inject(lock_fault(LockCondition::ClockDrift, 90)); },
      [](Hardware& h) { h.inject(lock_fault(LockCondition::ReplayLastEntry)); },
      [](Hardware&) {},
  };
  for (const auto& step : script) {
    clock.advance(20s);  // within 30 s of the last unlock sometimes, past it other times
    for (Hardware* h : {static_cast<Hardware*>(&hw), static_cast<Hardware*>(&synthetic)}) {
      h->tick();
      step(*h);
    }
    std::optional<LockEvent> a, b;
    std::optional<DeviceErrorCode> ea, eb;
    try {
      a = hw.lock("anna", kLock).unlock(credential(), 2s);
    } catch (const DeviceError& e) {
      ea = e.code();
    }
    try {
      b = synthetic.lock("anna", kLock).unlock(credential(), 2s);
    } catch (const DeviceError& e) {
      eb = e.code();
    }
    ASSERT_EQ(ea, eb);
    ASSERT_EQ(a.has_value(), b.has_value());
    if (a) {
      EXPECT_EQ(a->seq, b->seq);
      EXPECT_EQ(a->time, b->time);
      EXPECT_EQ(a->mac_hex, b->mac_hex);
    }
    clock.advance(40s);
  }
}

TEST_F(EmulatedHardwareTest, ATagHeldToThePhoneIsReadThroughLibnfc) {
  hw.present_tag("anna", {"04:C1:00:00:00:00:01", "elsa"});
  const auto tag = hw.reader("anna").read_tag(2s);
  EXPECT_EQ(tag.uid, "04:C1:00:00:00:00:01");
  EXPECT_EQ(tag.atqa, 0x0044);
  hw.remove_tag("anna");
  try {
    hw.reader("anna").read_tag(100ms);
    FAIL() << "read a tag from an empty field";
  } catch (const DeviceError& e) {
    EXPECT_EQ(e.code(), DeviceErrorCode::NoTag);
  }
}

TEST_F(EmulatedHardwareTest, EachReaderFaultIsTheDriversErrorForOneRead) {
  EmulatedHardwareOptions fresh;
  fresh.reuse_readers = false;  // count the emulators this run starts
  EmulatedHardware hw{w, clock, 1, fresh};
  hw.present_tag("anna", {"04:C1:00:00:00:00:01", "elsa"});
  for (const auto error :
       {DeviceErrorCode::NoTag, DeviceErrorCode::TagRemoved, DeviceErrorCode::Protocol,
        DeviceErrorCode::Timeout, DeviceErrorCode::Disconnected}) {
    SCOPED_TRACE(to_string(error));
    hw.inject(nfc_fault(error));
    try {
      hw.reader("anna").read_tag(2s);
      ADD_FAILURE() << "the read succeeded";
    } catch (const DeviceError& e) {
      EXPECT_EQ(e.code(), error) << e.what();
    }
    EXPECT_EQ(hw.reader("anna").read_tag(2s).uid, "04:C1:00:00:00:00:01");
  }
  // The unplugged reader was plugged in again: a second emulator for the same phone.
  EXPECT_EQ(hw.readers_started(), 2);
}

TEST_F(EmulatedHardwareTest, AFaultNoDeviceCanProduceIsRefused) {
  EXPECT_THROW(hw.inject(nfc_fault(DeviceErrorCode::NotPermitted)), std::invalid_argument);
  DeviceFault f = lock_fault(LockCondition::OutOfRange);
  f.condition.reset();
  f.error = DeviceErrorCode::NoTag;
  EXPECT_THROW(hw.inject(f), std::invalid_argument);
}

TEST_F(EmulatedHardwareTest, AReaderFromAnEarlierRunStartsWithAnEmptyField) {
  {
    EmulatedHardware earlier{w, clock, 1};
    earlier.present_tag("anna", {"04:C1:00:00:00:00:01", "elsa"});
    EXPECT_EQ(earlier.reader("anna").read_tag(2s).uid, "04:C1:00:00:00:00:01");
  }  // its reader goes back to the pool
  EmulatedHardware later{w, clock, 1};
  try {
    later.reader("anna").read_tag(100ms);
    FAIL() << "the earlier run's tag is still in the field";
  } catch (const DeviceError& e) {
    EXPECT_EQ(e.code(), DeviceErrorCode::NoTag);
  }
  EXPECT_EQ(later.readers_started(), 0);  // it was the pooled one
}

}  // namespace
}  // namespace kvittens::sim
