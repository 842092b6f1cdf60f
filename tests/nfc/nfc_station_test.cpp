#include "sim/emu/pn532/nfc_station.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

// The simulator's view of one phone's NFC: tags by UID, and scripted failures that the real
// driver reports because the emulator produces them on the wire.
namespace kvittens::emu::pn532 {
namespace {

using std::chrono::milliseconds;

constexpr milliseconds kTimeout{200};
const drivers::LibnfcReaderOptions kOptions{milliseconds{150}};

DeviceErrorCode error_of(NfcReader& reader) {
  try {
    reader.read_tag(kTimeout);
  } catch (const DeviceError& e) {
    return e.code();
  }
  ADD_FAILURE() << "the read succeeded";
  return DeviceErrorCode::Failed;
}

TEST(NfcStation, APresentedTagIsReadThroughTheDriver) {
  NfcStation station({}, kOptions);
  station.present("04:A1:B2:C3:D4:E5:80");
  const auto tag = station.read_tag(kTimeout);
  EXPECT_EQ(tag.uid, "04:A1:B2:C3:D4:E5:80");
  EXPECT_EQ(tag.ndef_text, "04:A1:B2:C3:D4:E5:80");
  station.present("04:11:22:33:44:55:66");  // the phone moves to another door's tag
  EXPECT_EQ(station.read_tag(kTimeout).uid, "04:11:22:33:44:55:66");
  station.remove();
  EXPECT_EQ(error_of(station), DeviceErrorCode::NoTag);
}

TEST(NfcStation, EachInjectedErrorIsTheDriversOwnAndSpoilsOneReadOnly) {
  NfcStation station({}, kOptions);
  station.present("04:A1:B2:C3:D4:E5:80");
  for (auto code : {DeviceErrorCode::NoTag, DeviceErrorCode::TagRemoved, DeviceErrorCode::Timeout,
                    DeviceErrorCode::Protocol}) {
    station.inject(code);
    EXPECT_EQ(error_of(station), code) << to_string(code);
    EXPECT_EQ(station.read_tag(kTimeout).uid, "04:A1:B2:C3:D4:E5:80") << to_string(code);
  }
}

TEST(NfcStation, ACountFailsThatManyReads) {
  NfcStation station({}, kOptions);
  station.present("04:A1:B2:C3:D4:E5:80");
  station.inject(DeviceErrorCode::Protocol, 2);
  EXPECT_EQ(error_of(station), DeviceErrorCode::Protocol);
  EXPECT_EQ(error_of(station), DeviceErrorCode::Protocol);
  EXPECT_NO_THROW(station.read_tag(kTimeout));
}

TEST(NfcStation, ADisconnectedReaderStaysGone) {
  NfcStation station({}, kOptions);
  station.present("04:A1:B2:C3:D4:E5:80");
  station.inject(DeviceErrorCode::Disconnected);
  EXPECT_EQ(error_of(station), DeviceErrorCode::Disconnected);
  EXPECT_EQ(error_of(station), DeviceErrorCode::Disconnected);
}

TEST(NfcStation, RefusesWhatAReaderCannotDoOrAMalformedUid) {
  NfcStation station({}, kOptions);
  EXPECT_THROW(station.inject(DeviceErrorCode::NotPermitted), std::invalid_argument);
  EXPECT_THROW(station.present("04:A1"), std::invalid_argument);
}

}  // namespace
}  // namespace kvittens::emu::pn532
