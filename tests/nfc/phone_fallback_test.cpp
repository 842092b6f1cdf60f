#include "sim/core/phone.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <variant>

#include "sim/core/virtual_clock.hpp"
#include "sim/emu/pn532/nfc_station.hpp"

// The staff app reading through the real driver and the emulator: a good read becomes the
// visit's NFC receipt; every reader fault leaves the visit without one (the engine then asks
// for a note), and the app says which fault it was.
namespace kvittens::sim {
namespace {

using std::chrono::milliseconds;

class RecordingBackend : public BackendClient {
 public:
  void sync_world(const World&) override {}
  SubmitResult submit(const Registration& r) override {
    if (const auto* v = std::get_if<Visit>(&r)) visits.push_back(*v);
    return {true, true, "", ""};
  }
  Decisions decisions() override { return {}; }
  std::vector<Visit> visits;
};

class PhoneFallback : public ::testing::TestWithParam<DeviceErrorCode> {
 protected:
  PhoneFallback()
      : station({}, drivers::LibnfcReaderOptions{milliseconds{150}}),
        phone(
            "staff-1", clock, station,
            [](const std::string&) -> Lock& {
              throw DeviceError(DeviceErrorCode::NotFound, "no locks here");
            },
            {}, {}, backend, log) {
    station.present("04:A1:B2:C3:D4:E5:80");
  }
  const Visit& visit_after_reading(const std::string& id) {
    phone.start_visit(id, "customer-1", Place::Door);
    phone.end_visit(id, Place::Door);
    phone.send(id);
    return backend.visits.back();
  }
  VirtualClock clock;
  emu::pn532::NfcStation station;
  RecordingBackend backend;
  ActivityLog log;
  Phone phone;
};

TEST_F(PhoneFallback, AGoodReadIsTheVisitsNfcReceipt) {
  ASSERT_TRUE(phone.read_tag());
  const Visit& v = visit_after_reading("v1");
  EXPECT_EQ(v.start_receipt.kind, ReceiptKind::Nfc);
  EXPECT_EQ(v.start_receipt.tag_uid, "04:A1:B2:C3:D4:E5:80");
}

TEST_P(PhoneFallback, AReaderFaultLeavesTheVisitWithoutReceipt) {
  const DeviceErrorCode fault = GetParam();
  station.inject(fault);
  EXPECT_FALSE(phone.read_tag());
  ASSERT_FALSE(log.lines.empty());
  EXPECT_EQ(log.lines.back().what, std::string("tag read failed: ") + to_string(fault));
  const Visit& v = visit_after_reading("v1");
  EXPECT_EQ(v.start_receipt.kind, ReceiptKind::None);
  EXPECT_TRUE(v.start_receipt.tag_uid.empty());
}

INSTANTIATE_TEST_SUITE_P(EveryReaderFault, PhoneFallback,
                         ::testing::Values(DeviceErrorCode::NoTag, DeviceErrorCode::TagRemoved,
                                           DeviceErrorCode::Timeout, DeviceErrorCode::Protocol,
                                           DeviceErrorCode::Disconnected),
                         [](const auto& info) {
                           std::string name = to_string(info.param);  // "tag-removed"
                           std::replace(name.begin(), name.end(), '-', '_');
                           return name;
                         });

}  // namespace
}  // namespace kvittens::sim
