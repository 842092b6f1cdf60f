#include "sim/core/phone.hpp"

#include <gtest/gtest.h>

#include "fake_backend.hpp"
#include "kvittens/lock_receipt.hpp"
#include "sim/core/synthetic_hardware.hpp"
#include "sim/core/virtual_clock.hpp"

namespace kvittens::sim {
namespace {

World test_world() {
  World w;
  w.locks.push_back({"AA:BB:CC:DD:EE:01", std::string(64, '4'), {"gunnar"}, std::nullopt});
  w.orders.push_back({"o1", "elsa", "Dusch", 30, false, {}, {}});
  return w;
}

struct PhoneTest : ::testing::Test {
  Phone make_phone() {
    return Phone(
        "anna", clock, hw.reader("anna"),
        [this](const std::string& id) -> Lock& { return hw.lock("anna", id); },
        {LockCredential{"AA:BB:CC:DD:EE:01", 7, key}}, world.orders, backend, log);
  }
  void visit(Phone& p, const std::string& id) {
    hw.present_tag("anna", {"04:A1", "elsa"});
    p.read_tag();
    p.start_visit(id, "elsa", Place::Door);
    p.select_insats(id, "Dusch", std::nullopt, std::nullopt);
    clock.advance(std::chrono::minutes(30));
    p.read_tag();
    hw.remove_tag("anna");
    p.end_visit(id, Place::Door);
  }

  World world = test_world();
  std::vector<std::uint8_t> key = *lock_receipt::from_hex(world.locks[0].key_hex);
  VirtualClock clock{parse_local("2026-03-02T08:00")};
  SyntheticHardware hw{world, clock, 1};
  testing::FakeBackend backend;
  ActivityLog log;
};

TEST_F(PhoneTest, OfflineRegistrationsWaitAndAreRetriedWithTheSameIdWhenOnline) {
  Phone p = make_phone();
  p.go_offline();
  visit(p, "v1");
  p.send("v1");
  EXPECT_TRUE(backend.received.empty());
  EXPECT_EQ(p.queued(), 1u);
  clock.advance(std::chrono::hours(2));
  p.go_online();
  ASSERT_EQ(backend.received.size(), 1u);
  EXPECT_EQ(registration_id(backend.received[0]), "v1");
  EXPECT_EQ(p.queued(), 0u);
  // It reached the backend when the phone came back, and says so.
  EXPECT_EQ(std::get<Visit>(backend.received[0]).registered_at, parse_local("2026-03-02T10:30"));
}

TEST_F(PhoneTest, ALostAnswerIsRetriedWithIdenticalContent) {
  Phone p = make_phone();
  p.lose_answers(1);
  visit(p, "v1");
  p.send("v1");
  ASSERT_EQ(backend.received.size(), 1u);
  EXPECT_EQ(p.queued(), 1u);  // the phone does not know it arrived
  clock.advance(std::chrono::minutes(5));
  p.go_online();
  ASSERT_EQ(backend.received.size(), 2u);
  EXPECT_EQ(backend.received[0], backend.received[1]);  // same id, same bytes: idempotent
  EXPECT_EQ(backend.order.size(), 1u);
  EXPECT_EQ(p.queued(), 0u);
  ASSERT_EQ(log.submissions.size(), 2u);
  EXPECT_FALSE(log.submissions[0].delivered);
  EXPECT_TRUE(log.submissions[1].delivered);
  EXPECT_FALSE(log.submissions[1].result.is_new);
}

TEST_F(PhoneTest, UnlockGivesASignedReceiptThatVerifiesWithTheLocksKey) {
  Phone p = make_phone();
  ASSERT_TRUE(p.unlock("AA:BB:CC:DD:EE:01"));
  p.start_visit("v1", "gunnar", Place::Door);
  p.end_visit("v1", Place::Door);
  p.send("v1");
  const auto& v = std::get<Visit>(backend.received.at(0));
  ASSERT_EQ(v.start_receipt.kind, ReceiptKind::Lock);
  ASSERT_TRUE(v.start_receipt.lock);
  EXPECT_EQ(v.start_receipt.lock->key_id, 7);
  EXPECT_EQ(v.start_receipt.lock->time, clock.now().time_since_epoch().count());
  EXPECT_TRUE(lock_receipt::verify(*v.start_receipt.lock, key));
  EXPECT_EQ(v.end_receipt.kind, ReceiptKind::None);  // the receipt is used once
}

TEST_F(PhoneTest, ADeviceFaultMeansNoReceipt) {
  Phone p = make_phone();
  DeviceFault timeout;
  timeout.device = DeviceFault::Device::Nfc;
  timeout.target = "anna";
  timeout.error = DeviceErrorCode::Timeout;
  hw.inject(timeout);
  hw.present_tag("anna", {"04:A1", "elsa"});
  EXPECT_FALSE(p.read_tag());
  EXPECT_TRUE(p.read_tag());  // the fault was for one read only
}

TEST_F(PhoneTest, InsatserWithoutAnOrderAreExtra) {
  Phone p = make_phone();
  p.start_visit("v1", "elsa", Place::Door);
  p.select_insats("v1", "Dusch", std::nullopt, std::nullopt);
  p.select_insats("v1", "Tvätt", std::nullopt, std::nullopt);
  p.end_visit("v1", Place::Door);
  p.send("v1");
  const auto& v = std::get<Visit>(backend.received.at(0));
  EXPECT_EQ(v.insatser[0].status, InsatsStatus::Ordered);
  EXPECT_EQ(v.insatser[1].status, InsatsStatus::Extra);
}

}  // namespace
}  // namespace kvittens::sim
