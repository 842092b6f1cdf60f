#include "sim/emu/pn532/frame.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

namespace kvittens::emu::pn532 {
namespace {

using Bytes = std::vector<std::uint8_t>;
using Status = ParseResult::Status;

// GetFirmwareVersion exactly as libnfc's pn532_uart driver puts it on the wire.
const Bytes kGetFirmwareVersion{0x00, 0x00, 0xFF, 0x02, 0xFE, 0xD4, 0x02, 0x2A, 0x00};

ParseResult host(const Bytes& b) {
  return parse(b, Direction::HostToChip);
}

void expect_rejected(const Bytes& b, Reject reason, Direction d = Direction::HostToChip) {
  const auto r = parse(b, d);
  ASSERT_EQ(r.status, Status::Rejected) << to_string(reason);
  EXPECT_EQ(r.reason, reason) << "rejected for " << to_string(r.reason) << ", expected "
                              << to_string(reason);
  EXPECT_GE(r.consumed, 1u);
  EXPECT_LE(r.consumed, b.size());
}

TEST(Pn532Frame, ParsesTheFrameLibnfcSendsForGetFirmwareVersion) {
  const auto r = host(kGetFirmwareVersion);
  ASSERT_EQ(r.status, Status::Complete);
  EXPECT_EQ(r.frame.kind, FrameKind::Information);
  EXPECT_EQ(r.frame.data, Bytes{0x02});
  EXPECT_EQ(r.consumed, kGetFirmwareVersion.size());
  EXPECT_FALSE(r.frame.extended);
}

TEST(Pn532Frame, SerializesTheFirmwareAnswerAsThePn532Does) {
  const Bytes answer{0x03, 0x32, 0x01, 0x06, 0x07};
  EXPECT_EQ(serialize(answer, Direction::ChipToHost),
            (Bytes{0x00, 0x00, 0xFF, 0x06, 0xFA, 0xD5, 0x03, 0x32, 0x01, 0x06, 0x07, 0xE8, 0x00}));
}

TEST(Pn532Frame, NormalAndExtendedFramesRoundTrip) {
  for (std::size_t size : {1u, 2u, 100u, 254u, 255u, 264u}) {
    Bytes data(size);
    for (std::size_t i = 0; i < size; ++i) data[i] = static_cast<std::uint8_t>(i * 7);
    const auto wire = serialize(data, Direction::ChipToHost);
    const auto r = parse(wire, Direction::ChipToHost);
    ASSERT_EQ(r.status, Status::Complete) << size;
    EXPECT_EQ(r.frame.data, data);
    EXPECT_EQ(r.frame.extended, size > kNormalMaxData) << size;
    EXPECT_EQ(r.consumed, wire.size());
  }
}

TEST(Pn532Frame, RefusesToSerializeMoreThanAnExtendedFrameHolds) {
  EXPECT_THROW(serialize(Bytes(kExtendedMaxData + 1), Direction::HostToChip), std::length_error);
}

TEST(Pn532Frame, AckNackAndErrorFramesAreRecognised) {
  auto r = host(ack_frame());
  ASSERT_EQ(r.status, Status::Complete);
  EXPECT_EQ(r.frame.kind, FrameKind::Ack);
  r = host(nack_frame());
  ASSERT_EQ(r.status, Status::Complete);
  EXPECT_EQ(r.frame.kind, FrameKind::Nack);
  r = parse(application_error_frame(), Direction::ChipToHost);
  ASSERT_EQ(r.status, Status::Complete);
  EXPECT_EQ(r.frame.kind, FrameKind::ApplicationError);
}

TEST(Pn532Frame, WakeUpBytesBeforeTheFrameAreSkipped) {
  // libnfc wakes a PN532 in LowVbat with 55 55 and fourteen 00 before its first frame.
  Bytes wire{0x55, 0x55};
  wire.insert(wire.end(), 14, 0x00);
  wire.insert(wire.end(), kGetFirmwareVersion.begin(), kGetFirmwareVersion.end());
  const auto r = host(wire);
  ASSERT_EQ(r.status, Status::Complete);
  EXPECT_EQ(r.frame.data, Bytes{0x02});
  EXPECT_EQ(r.consumed, wire.size());
}

TEST(Pn532Frame, EveryProperPrefixNeedsMoreAndKeepsTheStartOfTheFrame) {
  for (std::size_t n = 0; n < kGetFirmwareVersion.size(); ++n) {
    const Bytes prefix(kGetFirmwareVersion.begin(), kGetFirmwareVersion.begin() + n);
    const auto r = host(prefix);
    ASSERT_EQ(r.status, Status::NeedMore) << n;
    // Whatever is dropped must be filler: the rest still completes to the same frame.
    Bytes rest(prefix.begin() + static_cast<std::ptrdiff_t>(r.consumed), prefix.end());
    rest.insert(rest.end(), kGetFirmwareVersion.begin() + n, kGetFirmwareVersion.end());
    const auto again = host(rest);
    ASSERT_EQ(again.status, Status::Complete) << n;
    EXPECT_EQ(again.frame.data, Bytes{0x02});
  }
}

TEST(Pn532Frame, JunkBeforeTheStartCodeIsRejectedAsPreamble) {
  expect_rejected({0x42, 0x00, 0x00, 0xFF, 0x02, 0xFE, 0xD4, 0x02, 0x2A, 0x00}, Reject::Preamble);
}

TEST(Pn532Frame, LengthChecksumMismatchIsRejected) {
  auto wire = kGetFirmwareVersion;
  wire[4] = 0xFD;
  expect_rejected(wire, Reject::LengthChecksum);
  // Extended: 00 00 FF FF FF LENM LENL LCS with a wrong LCS.
  expect_rejected({0x00, 0x00, 0xFF, 0xFF, 0xFF, 0x01, 0x05, 0x00, 0xD4}, Reject::LengthChecksum);
}

TEST(Pn532Frame, ImpossibleLengthsAreRejected) {
  // LEN 0 with a matching LCS: no room for the TFI.
  expect_rejected({0x00, 0x00, 0xFF, 0x00, 0x00, 0xD4, 0x2C, 0x00}, Reject::Length);
  // A host frame with a TFI but no command code.
  expect_rejected({0x00, 0x00, 0xFF, 0x01, 0xFF, 0xD4, 0x2C, 0x00}, Reject::Length);
  // Extended length beyond what the chip buffers (0x0200 > 265).
  expect_rejected({0x00, 0x00, 0xFF, 0xFF, 0xFF, 0x02, 0x00, 0xFE, 0xD4}, Reject::Length);
}

TEST(Pn532Frame, FrameIdentifierOfTheWrongDirectionIsRejected) {
  const auto from_chip = serialize(Bytes{0x03, 0x32}, Direction::ChipToHost);
  expect_rejected(from_chip, Reject::Tfi, Direction::HostToChip);
  expect_rejected(kGetFirmwareVersion, Reject::Tfi, Direction::ChipToHost);
}

TEST(Pn532Frame, DataChecksumMismatchIsRejected) {
  auto wire = kGetFirmwareVersion;
  wire[7] = 0x2B;
  expect_rejected(wire, Reject::DataChecksum);
  EXPECT_EQ(host(wire).consumed, wire.size());  // the whole frame goes, not just its start
}

TEST(Pn532Frame, MissingPostambleIsRejected) {
  auto wire = kGetFirmwareVersion;
  wire[8] = 0x01;
  expect_rejected(wire, Reject::Postamble);
  expect_rejected({0x00, 0x00, 0xFF, 0x00, 0xFF, 0x01}, Reject::Postamble);  // ACK
}

TEST(Pn532Frame, EveryRejectReasonHasAName) {
  for (auto r : {Reject::Preamble, Reject::LengthChecksum, Reject::Length, Reject::Tfi,
                 Reject::DataChecksum, Reject::Postamble}) {
    EXPECT_STRNE(to_string(r), "?");
  }
}

TEST(Pn532Frame, TwoFramesInOneBufferComeOutOneAtATime) {
  Bytes wire = kGetFirmwareVersion;
  wire.insert(wire.end(), kGetFirmwareVersion.begin(), kGetFirmwareVersion.end());
  const auto first = host(wire);
  ASSERT_EQ(first.status, Status::Complete);
  EXPECT_EQ(first.consumed, kGetFirmwareVersion.size());
}

}  // namespace
}  // namespace kvittens::emu::pn532
