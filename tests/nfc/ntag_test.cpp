#include "sim/emu/pn532/ntag.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

#include "drivers/nfc/ndef.hpp"

namespace kvittens::emu::pn532 {
namespace {

using Bytes = std::vector<std::uint8_t>;

const Uid kUid{0x04, 0xA1, 0xB2, 0xC3, 0xD4, 0xE5, 0x80};

Bytes page(const Ntag& t, std::size_t p) {
  const auto m = t.memory();
  return Bytes(m.begin() + static_cast<std::ptrdiff_t>(p * 4),
               m.begin() + static_cast<std::ptrdiff_t>(p * 4 + 4));
}

TEST(Ntag, UidTextRoundTripsWithAndWithoutColons) {
  EXPECT_EQ(parse_uid("04:A1:B2:C3:D4:E5:80"), kUid);
  EXPECT_EQ(parse_uid("04a1b2c3d4e580"), kUid);
  EXPECT_EQ(format_uid(kUid), "04:A1:B2:C3:D4:E5:80");
  EXPECT_FALSE(parse_uid("04:A1:B2:C3"));
  EXPECT_FALSE(parse_uid("04:A1:B2:C3:D4:E5:8G"));
  EXPECT_FALSE(parse_uid(""));
}

TEST(Ntag, TypeNamesParseCaseInsensitively) {
  EXPECT_EQ(parse_ntag_type("NTAG215"), NtagType::Ntag215);
  EXPECT_EQ(parse_ntag_type("ntag216"), NtagType::Ntag216);
  EXPECT_FALSE(parse_ntag_type("mifare"));
}

TEST(Ntag, MemoryMapCarriesUidCheckBytesAndCapabilityContainer) {
  const auto t = Ntag::with_id_text(kUid);
  EXPECT_EQ(t.page_count(), 45u);
  // BCC0 = 88 ^ 04 ^ A1 ^ B2, BCC1 = C3 ^ D4 ^ E5 ^ 80.
  EXPECT_EQ(page(t, 0),
            (Bytes{0x04, 0xA1, 0xB2, static_cast<std::uint8_t>(0x88 ^ 0x04 ^ 0xA1 ^ 0xB2)}));
  EXPECT_EQ(page(t, 1), (Bytes{0xC3, 0xD4, 0xE5, 0x80}));
  EXPECT_EQ(page(t, 2)[0], 0xC3 ^ 0xD4 ^ 0xE5 ^ 0x80);
  EXPECT_EQ(page(t, 3), (Bytes{0xE1, 0x10, 0x12, 0x00}));
  EXPECT_EQ(page(t, 4)[0], 0x03);  // NDEF message TLV
}

TEST(Ntag, SizesFollowTheDataSheet) {
  const Ntag t215(kUid, NtagType::Ntag215, ndef_text_message("x"));
  const Ntag t216(kUid, NtagType::Ntag216, ndef_text_message("x"));
  EXPECT_EQ(t215.page_count(), 135u);
  EXPECT_EQ(t216.page_count(), 231u);
  EXPECT_EQ(page(t215, 3)[2], 0x3E);
  EXPECT_EQ(page(t216, 3)[2], 0x6D);
  EXPECT_EQ(t215.version()[6], 0x11);
  EXPECT_EQ(t216.version()[6], 0x13);
}

TEST(Ntag, GetVersionAnswersNtag213) {
  auto t = Ntag::with_id_text(kUid);
  const auto v = t.transceive(Bytes{0x60});
  ASSERT_TRUE(v);
  EXPECT_EQ(*v, (Bytes{0x00, 0x04, 0x04, 0x02, 0x01, 0x00, 0x0F, 0x03}));
}

TEST(Ntag, ReadReturnsFourPagesAndRollsOverPastTheLastPage) {
  auto t = Ntag::with_id_text(kUid);
  const auto r = t.transceive(Bytes{0x30, 0x00});
  ASSERT_TRUE(r);
  ASSERT_EQ(r->size(), 16u);
  EXPECT_EQ(Bytes(r->begin(), r->begin() + 4), page(t, 0));
  const auto wrap = t.transceive(Bytes{0x30, 42});  // pages 42, 43 (PWD), 44 (PACK), 0
  ASSERT_TRUE(wrap);
  EXPECT_EQ(Bytes(wrap->begin() + 4, wrap->begin() + 12), Bytes(8, 0x00));
  EXPECT_EQ(Bytes(wrap->begin() + 12, wrap->end()), page(t, 0));
}

TEST(Ntag, OutOfRangeOrUnknownCommandsGetNoAnswer) {
  auto t = Ntag::with_id_text(kUid);
  EXPECT_FALSE(t.transceive(Bytes{0x30, 45}));
  EXPECT_FALSE(t.transceive(Bytes{0x30}));
  EXPECT_FALSE(t.transceive(Bytes{0x99}));
  EXPECT_FALSE(t.transceive(Bytes{}));
  EXPECT_FALSE(t.transceive(Bytes{0x50, 0x00}));  // HALT: silence is its acknowledgement
}

TEST(Ntag, WriteChangesUserMemoryButNotTheUid) {
  auto t = Ntag::with_id_text(kUid);
  const auto ack = t.transceive(Bytes{0xA2, 0x10, 1, 2, 3, 4});
  ASSERT_TRUE(ack);
  EXPECT_TRUE(ack->empty());
  EXPECT_EQ(page(t, 0x10), (Bytes{1, 2, 3, 4}));
  EXPECT_FALSE(t.transceive(Bytes{0xA2, 0x00, 1, 2, 3, 4}));
  EXPECT_EQ(page(t, 0)[0], 0x04);
}

TEST(Ntag, FastReadReturnsTheRequestedPageRange) {
  auto t = Ntag::with_id_text(kUid);
  const auto r = t.transceive(Bytes{0x3A, 0x03, 0x04});
  ASSERT_TRUE(r);
  ASSERT_EQ(r->size(), 8u);
  EXPECT_EQ(Bytes(r->begin(), r->begin() + 4), page(t, 3));
}

TEST(Ntag, CrcAMatchesTheIso14443Example) {
  // READ page 0 goes on air as 30 00 02 A8.
  EXPECT_EQ(crc_a(Bytes{0x30, 0x00}), (std::array<std::uint8_t, 2>{0x02, 0xA8}));
}

TEST(Ntag, TheDefaultTagCarriesItsIdAsNdefText) {
  const auto t = Ntag::with_id_text(kUid);
  const auto m = t.memory();
  const auto scan = drivers::ndef::scan_tlv(m.subspan(16));
  ASSERT_EQ(scan.status, drivers::ndef::TlvScan::Status::Message);
  EXPECT_EQ(drivers::ndef::first_text_or_uri(scan.message), "04:A1:B2:C3:D4:E5:80");
}

TEST(Ntag, UriRecordsUseTheShortestPrefixCode) {
  const auto msg = ndef_uri_message("https://www.example.se/k/42");
  EXPECT_EQ(msg[4], 0x02);  // "https://www."
  EXPECT_EQ(drivers::ndef::first_text_or_uri(msg), "https://www.example.se/k/42");
}

TEST(Ntag, MessagesThatDoNotFitAreRefused) {
  EXPECT_THROW(Ntag(kUid, NtagType::Ntag213, ndef_text_message(std::string(200, 'x'))),
               std::invalid_argument);
  EXPECT_NO_THROW(Ntag(kUid, NtagType::Ntag216, ndef_text_message(std::string(800, 'x'))));
}

}  // namespace
}  // namespace kvittens::emu::pn532
