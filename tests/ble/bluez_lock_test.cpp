#include "drivers/ble/bluez_lock.hpp"

#include <gtest/gtest.h>

#include <sdbus-c++/sdbus-c++.h>

#include "drivers/ble/bluez_names.hpp"
#include "sim/emu/bluez/emulated_bluez.hpp"
#include "sim/emu/bluez/private_bus.hpp"
#include "tests/ble/manual_clock.hpp"

namespace kvittens::ble {
namespace {

using namespace std::chrono_literals;
using emu::LockFault;
using lock_receipt::Event;

constexpr const char* kLock = "AA:BB:CC:DD:EE:01";
const std::vector<std::uint8_t> kKey(32, 0x42);
const std::vector<std::uint8_t> kAdmin(32, 0xad);

// A private dbus-daemon from the committed busconfig, the emulated BlueZ on it with one lock,
// and the driver on its own connection to the same bus.
class BluezLockTest : public ::testing::Test {
 protected:
  BluezLockTest() : bluez_(bus_.address(), clock_) {
    emu::LockConfig c;
    c.address = kLock;
    c.key = kKey;
    c.admin_key = kAdmin;
    bluez_.add_lock(c);
  }

  BluezLock driver(std::string adapter = "hci0") {
    BluezLockOptions o;
    o.address = kLock;
    o.adapter = std::move(adapter);
    o.discovery_timeout = 300ms;  // the emulator answers at once; a miss is a miss
    return BluezLock(open_bus(bus_.address()), o);
  }
  static LockCredential staff() { return {kLock, 12, kKey}; }

  DeviceErrorCode unlock_error(BluezLock& lock) {
    try {
      lock.unlock(staff(), 3s);
    } catch (const DeviceError& e) {
      last_error_ = e.what();
      return e.code();
    }
    ADD_FAILURE() << "unlock succeeded";
    return DeviceErrorCode::Failed;
  }

  emu::PrivateBus bus_;
  testing::ManualClock clock_;
  emu::EmulatedBluez bluez_;
  std::string last_error_;
};

TEST_F(BluezLockTest, UnlockThroughDbusReturnsAReceiptTheBackendVerifies) {
  auto lock = driver();
  const auto receipt = lock.unlock(staff(), 3s);
  EXPECT_EQ(receipt.lock_id, kLock);
  EXPECT_EQ(receipt.event, static_cast<std::uint8_t>(Event::Unlock));
  EXPECT_EQ(receipt.key_id, 12);
  EXPECT_EQ(receipt.time, clock_.unix());
  EXPECT_TRUE(lock_receipt::verify(receipt, kKey));
  const auto log = bluez_.log(kLock);
  ASSERT_EQ(log.size(), 1u);
  EXPECT_EQ(log[0].mac_hex, receipt.mac_hex);
  ASSERT_TRUE(lock.last_notified_status());
  EXPECT_FALSE(lock.last_notified_status()->locked);
  EXPECT_FALSE(bluez_.status(kLock).locked);
}

TEST_F(BluezLockTest, TwoUnlocksGiveTwoReceiptsWithIncreasingSeq) {
  auto lock = driver();
  const auto a = lock.unlock(staff(), 3s);
  const auto b = lock.unlock(staff(), 3s);
  EXPECT_EQ(b.seq, a.seq + 1);
}

TEST_F(BluezLockTest, RelockClosesTheDoor) {
  auto lock = driver();
  lock.unlock(staff(), 3s);
  lock.relock(staff(), 3s);
  EXPECT_TRUE(bluez_.status(kLock).locked);
  EXPECT_EQ(bluez_.log(kLock).back().event, static_cast<std::uint8_t>(Event::Lock));
}

TEST_F(BluezLockTest, StatusReadsLockedAndBattery) {
  auto lock = driver();
  const auto s = lock.status(3s);
  EXPECT_TRUE(s.locked);
  EXPECT_EQ(s.battery_percent, 100);
  EXPECT_FALSE(s.low_battery);
}

TEST_F(BluezLockTest, AutoRelockFollowsTheSimulatorClock) {
  auto lock = driver();
  lock.unlock(staff(), 3s);
  clock_.advance(31s);
  bluez_.tick();
  EXPECT_TRUE(lock.status(3s).locked);
  EXPECT_EQ(bluez_.log(kLock).back().event, static_cast<std::uint8_t>(Event::AutoRelock));
}

TEST_F(BluezLockTest, AdminSetsTheTimeAndReadsTheLog) {
  auto lock = driver();
  const LockCredential admin{kLock, 0xff00, kAdmin};
  const auto set = lock.set_time(admin, 1'800'000'000, 3s);
  EXPECT_EQ(set.time, 1'800'000'000);
  const auto receipt = lock.unlock(staff(), 3s);
  EXPECT_EQ(receipt.time, 1'800'000'000);
  const auto read = lock.read_log(admin, receipt.seq, 3s);
  EXPECT_EQ(read.mac_hex, receipt.mac_hex);
}

TEST_F(BluezLockTest, OutOfRangeIsNotFound) {
  bluez_.inject(kLock, LockFault::OutOfRange);
  auto lock = driver();
  EXPECT_EQ(unlock_error(lock), DeviceErrorCode::NotFound);
  EXPECT_NE(last_error_.find("not discovered"), std::string::npos) << last_error_;
}

TEST_F(BluezLockTest, ALockBackInRangeIsFoundByDiscovery) {
  bluez_.inject(kLock, LockFault::OutOfRange);
  bluez_.clear(kLock, LockFault::OutOfRange);  // in range, but not yet seen: needs a scan
  auto lock = driver();
  EXPECT_TRUE(lock_receipt::verify(lock.unlock(staff(), 3s), kKey));
}

TEST_F(BluezLockTest, DisconnectDuringUnlockIsDisconnectedAndARetryGetsTheReceipt) {
  bluez_.inject(kLock, LockFault::DisconnectDuringUnlock);
  auto lock = driver();
  EXPECT_EQ(unlock_error(lock), DeviceErrorCode::Disconnected);
  EXPECT_TRUE(bluez_.status(kLock).locked);
  // The phone's fallback: reconnect and start over with a new challenge (LP-LINK-2).
  EXPECT_TRUE(lock_receipt::verify(lock.unlock(staff(), 3s), kKey));
}

TEST_F(BluezLockTest, LowBatteryShowsInStatusAndTheUnlockStillWorks) {
  bluez_.inject(kLock, LockFault::LowBattery, 8);
  auto lock = driver();
  const auto s = lock.status(3s);
  EXPECT_TRUE(s.low_battery);
  EXPECT_EQ(s.battery_percent, 8);
  EXPECT_TRUE(lock_receipt::verify(lock.unlock(staff(), 3s), kKey));
}

TEST_F(BluezLockTest, WrongKeyIsNotPermittedAndTheLockLogsIt) {
  bluez_.inject(kLock, LockFault::WrongKey);
  auto lock = driver();
  EXPECT_EQ(unlock_error(lock), DeviceErrorCode::NotPermitted);
  EXPECT_NE(last_error_.find("AUTH_FAILED"), std::string::npos) << last_error_;
  EXPECT_EQ(bluez_.log(kLock).back().event, static_cast<std::uint8_t>(Event::AuthFailed));
  EXPECT_TRUE(bluez_.status(kLock).locked);
}

TEST_F(BluezLockTest, ClockDriftShowsInTheReceiptTimeWhichStillVerifies) {
  bluez_.inject(kLock, LockFault::ClockDrift, 600);
  auto lock = driver();
  const auto receipt = lock.unlock(staff(), 3s);
  EXPECT_EQ(receipt.time, clock_.unix() + 600);
  EXPECT_TRUE(lock_receipt::verify(receipt, kKey));
}

TEST_F(BluezLockTest, LogFullRefusesTheUnlock) {
  bluez_.inject(kLock, LockFault::LogFull);
  auto lock = driver();
  EXPECT_EQ(unlock_error(lock), DeviceErrorCode::Failed);
  EXPECT_NE(last_error_.find("LOG_FULL"), std::string::npos) << last_error_;
  EXPECT_TRUE(bluez_.status(kLock).locked);
}

TEST_F(BluezLockTest, AnUnknownAdapterIsNoDevice) {
  auto lock = driver("hci7");
  EXPECT_EQ(unlock_error(lock), DeviceErrorCode::NoDevice);
}

TEST_F(BluezLockTest, ACredentialForAnotherLockIsRefusedBeforeTheRadio) {
  auto lock = driver();
  EXPECT_THROW(lock.unlock({"AA:BB:CC:DD:EE:02", 12, kKey}, 3s), DeviceError);
  EXPECT_TRUE(bluez_.log(kLock).empty());
}

TEST_F(BluezLockTest, ControlFaceIsOnTheBusToo) {
  auto connection = sdbus::createSessionBusConnectionWithAddress(bus_.address());
  auto mock = sdbus::createProxy(*connection, bluez::kService, bluez::kBluezPath);
  mock->callMethod("InjectFault")
      .onInterface("org.kvittens.Mock")
      .withArguments(std::string(kLock), std::string("low-battery"), std::int64_t{5});
  EXPECT_EQ(bluez_.status(kLock).battery_percent, 5);
  EXPECT_THROW(mock->callMethod("InjectFault")
                   .onInterface("org.kvittens.Mock")
                   .withArguments(std::string(kLock), std::string("gremlins"), std::int64_t{0}),
               sdbus::Error);
}

TEST(BluezLockWithoutBluez, NoOrgBluezOnTheBusIsNoDevice) {
  emu::PrivateBus bus;
  BluezLockOptions o;
  o.address = kLock;
  BluezLock lock(open_bus(bus.address()), o);
  try {
    lock.status(2s);
    FAIL() << "status without bluetoothd";
  } catch (const DeviceError& e) {
    EXPECT_EQ(e.code(), DeviceErrorCode::NoDevice) << e.what();
  }
}

}  // namespace
}  // namespace kvittens::ble
