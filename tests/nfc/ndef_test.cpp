#include "drivers/nfc/ndef.hpp"

#include <gtest/gtest.h>
#include <nfc/nfc.h>

#include "drivers/nfc/libnfc_reader.hpp"

namespace kvittens::drivers {
namespace {

using Bytes = std::vector<std::uint8_t>;
using ndef::TlvScan;

// A text record "sv" / "hej" as a tag would hold it.
const Bytes kTextMessage{0xD1, 0x01, 0x06, 'T', 0x02, 's', 'v', 'h', 'e', 'j'};

Bytes tlv(const Bytes& message) {
  Bytes out{0x03, static_cast<std::uint8_t>(message.size())};
  out.insert(out.end(), message.begin(), message.end());
  out.push_back(0xFE);
  return out;
}

TEST(NdefTlv, FindsTheMessageAfterALockControlTlv) {
  Bytes mem{0x01, 0x03, 0xA0, 0x0C, 0x34};
  const auto t = tlv(kTextMessage);
  mem.insert(mem.end(), t.begin(), t.end());
  const auto scan = ndef::scan_tlv(mem);
  ASSERT_EQ(scan.status, TlvScan::Status::Message);
  EXPECT_EQ(scan.message, kTextMessage);
}

TEST(NdefTlv, AskForMoreWhileTheMessageIsCutOff) {
  const auto t = tlv(kTextMessage);
  for (std::size_t n = 0; n < kTextMessage.size() + 2; ++n) {
    EXPECT_EQ(ndef::scan_tlv(Bytes(t.begin(), t.begin() + static_cast<std::ptrdiff_t>(n))).status,
              TlvScan::Status::NeedMore)
        << n;
  }
}

TEST(NdefTlv, ThreeByteLengthsAreRead) {
  Bytes mem{0x03, 0xFF, 0x00, 0x03, 0xAA, 0xBB, 0xCC, 0xFE};
  const auto scan = ndef::scan_tlv(mem);
  ASSERT_EQ(scan.status, TlvScan::Status::Message);
  EXPECT_EQ(scan.message, (Bytes{0xAA, 0xBB, 0xCC}));
}

TEST(NdefTlv, TerminatorWithoutMessageMeansNoMessage) {
  EXPECT_EQ(ndef::scan_tlv(Bytes{0x00, 0x00, 0xFE, 0x03}).status, TlvScan::Status::NoMessage);
}

TEST(NdefRecord, TextPayloadSkipsTheLanguageCode) {
  EXPECT_EQ(ndef::first_text_or_uri(kTextMessage), "hej");
}

TEST(NdefRecord, UriPayloadGetsItsPrefixBack) {
  const Bytes uri{0xD1, 0x01, 0x08, 'U', 0x04, 'k', 'v', '.', 's', 'e', '/', '1'};
  EXPECT_EQ(ndef::first_text_or_uri(uri), "https://kv.se/1");
}

TEST(NdefRecord, LengthsBeyondTheMessageAreMalformed) {
  Bytes broken = kTextMessage;
  broken[2] = 0x40;  // payload length past the end
  EXPECT_FALSE(ndef::parse_message(broken));
  EXPECT_FALSE(ndef::first_text_or_uri(broken));
  EXPECT_FALSE(ndef::parse_message(Bytes{0xD1}));
}

TEST(NdefRecord, RecordsOtherThanTextOrUriAreSkipped) {
  // MB, TNF media type "a/b" with payload "x", then ME text "hej".
  Bytes msg{0x92, 0x03, 0x01, 'a', '/', 'b', 'x'};
  Bytes text = kTextMessage;
  text[0] = 0x51;  // ME | SR | well-known
  msg.insert(msg.end(), text.begin(), text.end());
  const auto records = ndef::parse_message(msg);
  ASSERT_TRUE(records);
  EXPECT_EQ(records->size(), 2u);
  EXPECT_EQ(ndef::first_text_or_uri(msg), "hej");
}

TEST(LibnfcErrors, EachCodeMapsToWhatTheAppCanActOn) {
  EXPECT_EQ(classify_libnfc_error(NFC_ETIMEOUT, ReadStage::Read, true), DeviceErrorCode::Timeout);
  EXPECT_EQ(classify_libnfc_error(NFC_EIO, ReadStage::Read, true), DeviceErrorCode::Protocol);
  EXPECT_EQ(classify_libnfc_error(NFC_EIO, ReadStage::Poll, false), DeviceErrorCode::Disconnected);
  EXPECT_EQ(classify_libnfc_error(NFC_ERFTRANS, ReadStage::Read, true),
            DeviceErrorCode::TagRemoved);
  EXPECT_EQ(classify_libnfc_error(NFC_ETGRELEASED, ReadStage::Read, true),
            DeviceErrorCode::TagRemoved);
  EXPECT_EQ(classify_libnfc_error(NFC_ERFTRANS, ReadStage::Poll, true), DeviceErrorCode::Failed);
  EXPECT_EQ(classify_libnfc_error(NFC_ENOTSUCHDEV, ReadStage::Open, true),
            DeviceErrorCode::NoDevice);
  EXPECT_EQ(classify_libnfc_error(NFC_ENOTSUCHDEV, ReadStage::Read, true),
            DeviceErrorCode::Disconnected);
  EXPECT_EQ(classify_libnfc_error(NFC_ECHIP, ReadStage::Read, true), DeviceErrorCode::Failed);
  EXPECT_STREQ(libnfc_error_name(NFC_ERFTRANS), "NFC_ERFTRANS");
}

}  // namespace
}  // namespace kvittens::drivers
