#include "drivers/nfc/pn532_frames.hpp"

#include <gtest/gtest.h>

namespace kvittens::drivers::pn532 {
namespace {

using Bytes = std::vector<std::uint8_t>;

// A normal information frame around TFI + data, with correct LCS and DCS.
Bytes frame(std::uint8_t tfi, Bytes data) {
  Bytes out = {0x00, 0x00, 0xFF};
  const auto len = static_cast<std::uint8_t>(data.size() + 1);
  out.push_back(len);
  out.push_back(static_cast<std::uint8_t>(-len));
  std::uint8_t sum = tfi;
  out.push_back(tfi);
  for (auto b : data) {
    out.push_back(b);
    sum = static_cast<std::uint8_t>(sum + b);
  }
  out.push_back(static_cast<std::uint8_t>(-sum));
  out.push_back(0x00);
  return out;
}

std::vector<Frame> decode(bool from_host, const Bytes& bytes) {
  FrameDecoder d(from_host);
  auto out = d.feed(bytes);
  for (auto& f : d.flush()) out.push_back(std::move(f));
  return out;
}

TEST(Pn532Frames, AHostCommandIsNamedAndItsChecksumsHold) {
  const auto f = decode(true, frame(0xD4, {0x4A, 0x01, 0x00}));
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].kind, Frame::Kind::Information);
  EXPECT_EQ(f[0].name, "InListPassiveTarget");
  EXPECT_EQ(f[0].verdict, "ok");
  EXPECT_EQ(hex(f[0].bytes), "0000ff04fcd44a0100e100");
}

TEST(Pn532Frames, AnAnswerIsNamedByTheCommandItAnswers) {
  const auto f = decode(false, frame(0xD5, {0x15}));
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].name, "SAMConfiguration");
  EXPECT_EQ(f[0].verdict, "ok");
}

TEST(Pn532Frames, AckNackAndErrorFrames) {
  const auto f = decode(false, {0x00, 0x00, 0xFF, 0x00, 0xFF, 0x00, 0x00, 0x00, 0xFF, 0xFF,
                                0x00, 0x00, 0x00, 0x00, 0xFF, 0x01, 0xFF, 0x7F, 0x81, 0x00});
  ASSERT_EQ(f.size(), 3u);
  EXPECT_EQ(f[0].name, "ACK");
  EXPECT_EQ(f[1].name, "NACK");
  EXPECT_EQ(f[2].kind, Frame::Kind::ErrorFrame);
  EXPECT_EQ(f[2].verdict, "ok");
}

TEST(Pn532Frames, ABadDataChecksumIsNamed) {
  auto bytes = frame(0xD5, {0x41, 0x00, 0x01, 0x02});
  bytes[bytes.size() - 2] ^= 0x01;  // DCS
  const auto f = decode(false, bytes);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].name, "InDataExchange");
  EXPECT_EQ(f[0].verdict, "bad DCS");
  EXPECT_EQ(f[0].bytes, bytes);
}

TEST(Pn532Frames, ABadLengthChecksumIsNamedAndTheRestStillDecodes) {
  Bytes bytes = {0x00, 0x00, 0xFF, 0x03, 0xFC};  // LEN + LCS != 0
  const auto ack = Bytes{0x00, 0x00, 0xFF, 0x00, 0xFF, 0x00};
  bytes.insert(bytes.end(), ack.begin(), ack.end());
  const auto f = decode(true, bytes);
  ASSERT_EQ(f.size(), 2u);
  EXPECT_EQ(f[0].verdict, "bad LCS");
  EXPECT_EQ(f[1].name, "ACK");
}

TEST(Pn532Frames, AWrongTfiAndAMissingPostambleAreNamed) {
  EXPECT_EQ(decode(true, frame(0xD5, {0x4A})).at(0).verdict, "bad TFI");
  auto bytes = frame(0xD4, {0x02});
  bytes.back() = 0x55;
  EXPECT_EQ(decode(true, bytes).at(0).verdict, "bad postamble");
}

TEST(Pn532Frames, TheWakeupRunComesOutBeforeTheFrame) {
  Bytes bytes = {0x55, 0x55, 0x00, 0x00, 0x00, 0x00};
  const auto sam = frame(0xD4, {0x14, 0x01});
  bytes.insert(bytes.end(), sam.begin(), sam.end());
  const auto f = decode(true, bytes);
  ASSERT_EQ(f.size(), 2u);
  EXPECT_EQ(f[0].kind, Frame::Kind::Wakeup);
  EXPECT_EQ(f[1].name, "SAMConfiguration");
  EXPECT_EQ(f[0].bytes.size() + f[1].bytes.size(), bytes.size());  // no byte lost
}

TEST(Pn532Frames, FramesSplitAcrossReadsDecodeTheSame) {
  const auto bytes = frame(0xD5, {0x4B, 0x01, 0x01, 0x00, 0x44, 0x00, 0x07});
  FrameDecoder d(false);
  std::vector<Frame> out;
  for (auto b : bytes) {
    for (auto& f : d.feed(Bytes{b})) out.push_back(std::move(f));
  }
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].name, "InListPassiveTarget");
  EXPECT_EQ(out[0].verdict, "ok");
  EXPECT_FALSE(d.pending());
}

TEST(Pn532Frames, AnExtendedFrameIsDecoded) {
  Bytes data(300, 0xAB);
  Bytes bytes = {0x00, 0x00, 0xFF, 0xFF,
                 0xFF, 0x01, 0x2D, static_cast<std::uint8_t>(-(0x01 + 0x2D))};
  auto sum = static_cast<std::uint8_t>(0xD4 + 0x40);
  bytes.push_back(0xD4);
  bytes.push_back(0x40);
  for (std::size_t i = 0; i < 299; ++i) {
    bytes.push_back(data[i]);
    sum = static_cast<std::uint8_t>(sum + data[i]);
  }
  bytes.push_back(static_cast<std::uint8_t>(-sum));
  bytes.push_back(0x00);
  const auto f = decode(true, bytes);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_TRUE(f[0].extended);
  EXPECT_EQ(f[0].name, "InDataExchange");
  EXPECT_EQ(f[0].verdict, "ok");
}

TEST(Pn532Frames, TheChipsRefusalsShowInTheVerdict) {
  EXPECT_EQ(decode(false, frame(0xD5, {0x4B, 0x00})).at(0).verdict, "no target");
  EXPECT_EQ(decode(false, frame(0xD5, {0x41, 0x01})).at(0).verdict, "status 0x01");
}

TEST(Pn532Frames, NoiseAndATruncatedFrameAreKeptNotDropped) {
  const auto noise = decode(false, {0x12, 0x34});
  ASSERT_EQ(noise.size(), 1u);
  EXPECT_EQ(noise[0].kind, Frame::Kind::Noise);
  EXPECT_EQ(noise[0].verdict, "not a frame");
  const auto cut = decode(false, {0x00, 0x00, 0xFF, 0x04, 0xFC, 0xD5});
  ASSERT_EQ(cut.size(), 1u);
  EXPECT_EQ(cut[0].verdict, "incomplete");
  EXPECT_EQ(cut[0].bytes.size(), 6u);
}

TEST(Pn532Frames, UnknownCommandCodesAreShownAsNumbers) {
  EXPECT_EQ(command_name(0x99), "command 0x99");
  EXPECT_EQ(command_name(0x40), "InDataExchange");
}

}  // namespace
}  // namespace kvittens::drivers::pn532
