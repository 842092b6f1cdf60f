#include "sim/emu/pn532/chip.hpp"

#include <gtest/gtest.h>

namespace kvittens::emu::pn532 {
namespace {

using Bytes = std::vector<std::uint8_t>;
using std::chrono::milliseconds;

const Uid kUid{0x04, 0xA1, 0xB2, 0xC3, 0xD4, 0xE5, 0x80};
const Uid kOther{0x04, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66};

// InListPassiveTarget answer for one NTAG: NbTg 1, Tg 1, ATQA 00 44, SAK 00, UID length 7, UID.
Bytes listed(const Uid& uid) {
  Bytes out{0x4B, 0x01, 0x01, 0x00, 0x44, 0x00, 0x07};
  out.insert(out.end(), uid.begin(), uid.end());
  return out;
}

class ChipTest : public ::testing::Test {
 protected:
  ChipTest() {
    chip.add_tag(Ntag::with_id_text(kUid));
    chip.add_tag(Ntag::with_id_text(kOther, NtagType::Ntag215));
    // Single-try activation, as libnfc sets it for a list or a timed poll.
    chip.execute(Bytes{kRfConfiguration, 0x05, 0xFF, 0x01, 0x02});
  }
  Bytes run(const Bytes& command) {
    const auto r = chip.execute(command);
    EXPECT_FALSE(r.application_error) << "command " << int(command[0]);
    return r.data;
  }
  Chip chip;
};

TEST_F(ChipTest, AnswersLibnfcsCommunicationTest) {
  EXPECT_EQ(run(Bytes{kDiagnose, 0x00, 'l', 'i', 'b', 'n', 'f', 'c'}),
            (Bytes{0x01, 0x00, 'l', 'i', 'b', 'n', 'f', 'c'}));
}

TEST_F(ChipTest, IsAPn532WithFirmware16) {
  EXPECT_EQ(run(Bytes{kGetFirmwareVersion}), (Bytes{0x03, 0x32, 0x01, 0x06, 0x07}));
}

TEST(Chip, SamConfigurationWakesTheChipFromLowVbat) {
  Chip fresh;
  EXPECT_EQ(fresh.power_mode(), PowerMode::LowVbat);
  EXPECT_EQ(fresh.execute(Bytes{kSamConfiguration, 0x01}).data, Bytes{0x15});
  EXPECT_EQ(fresh.power_mode(), PowerMode::Normal);
  EXPECT_TRUE(fresh.execute(Bytes{kSamConfiguration, 0x09}).application_error);
}

TEST_F(ChipTest, RegistersAreWrittenAndReadSeveralAtATime) {
  EXPECT_EQ(run(Bytes{kWriteRegister, 0x63, 0x3C, 0x10, 0x63, 0x3D, 0x07}), Bytes{0x09});
  EXPECT_EQ(run(Bytes{kReadRegister, 0x63, 0x3C, 0x63, 0x3D, 0x63, 0x02}),
            (Bytes{0x07, 0x10, 0x07, 0x80}));  // TxMode resets with CRC on
  EXPECT_TRUE(chip.execute(Bytes{kReadRegister, 0x63}).application_error);
  EXPECT_TRUE(chip.execute(Bytes{kWriteRegister, 0x63, 0x3C}).application_error);
}

TEST_F(ChipTest, ListsThePlacedTagWithUidAtqaAndSak) {
  chip.place(kUid);
  EXPECT_EQ(run(Bytes{kInListPassiveTarget, 0x01, 0x00}), listed(kUid));
  EXPECT_EQ(chip.active_target(), kUid);
  EXPECT_TRUE(chip.field_on());
}

TEST_F(ChipTest, WithoutATagTheChipAnswersNoTargetAfterItsTries) {
  const auto r = chip.execute(Bytes{kInListPassiveTarget, 0x01, 0x00});
  EXPECT_EQ(r.data, (Bytes{0x4B, 0x00}));
  EXPECT_TRUE(r.waits_for_tag);
  EXPECT_EQ(r.delay, ChipTiming{}.activation_attempt * 3);  // MxRtyPassiveActivation 2: 3 tries
}

TEST_F(ChipTest, InfiniteRetriesWaitUntilATagComes) {
  chip.execute(Bytes{kRfConfiguration, 0x05, 0xFF, 0x01, 0xFF});
  const auto r = chip.execute(Bytes{kInListPassiveTarget, 0x01, 0x00});
  EXPECT_TRUE(r.waits_for_tag);
  EXPECT_EQ(r.delay, kForever);
}

TEST_F(ChipTest, DeselectHaltsTheTagUntilTheFieldIsCycled) {
  chip.place(kUid);
  chip.place(kOther);
  EXPECT_EQ(run(Bytes{kInListPassiveTarget, 0x01, 0x00}), listed(kUid));
  EXPECT_EQ(run(Bytes{kInDeselect, 0x00}), (Bytes{0x45, 0x00}));
  EXPECT_EQ(run(Bytes{kInListPassiveTarget, 0x01, 0x00}), listed(kOther));
  EXPECT_EQ(run(Bytes{kInDeselect, 0x00}), (Bytes{0x45, 0x00}));
  EXPECT_EQ(run(Bytes{kInListPassiveTarget, 0x01, 0x00}), (Bytes{0x4B, 0x00}));
  run(Bytes{kRfConfiguration, 0x01, 0x00});
  run(Bytes{kRfConfiguration, 0x01, 0x01});
  EXPECT_EQ(run(Bytes{kInListPassiveTarget, 0x01, 0x00}), listed(kUid));
}

TEST_F(ChipTest, ASpecificUidIsSelectedEvenWithACascadeTag) {
  chip.place(kUid);
  chip.place(kOther);
  Bytes cmd{kInListPassiveTarget, 0x01, 0x00, 0x88};
  cmd.insert(cmd.end(), kOther.begin(), kOther.end());
  EXPECT_EQ(run(cmd), listed(kOther));
}

TEST_F(ChipTest, InDataExchangeReadsTheActiveTag) {
  chip.place(kUid);
  run(Bytes{kInListPassiveTarget, 0x01, 0x00});
  const auto r = run(Bytes{kInDataExchange, 0x01, 0x30, 0x00});
  ASSERT_EQ(r.size(), 18u);
  EXPECT_EQ(r[0], 0x41);
  EXPECT_EQ(r[1], kStatusOk);
  EXPECT_EQ(Bytes(r.begin() + 2, r.begin() + 5), (Bytes{0x04, 0xA1, 0xB2}));
}

TEST_F(ChipTest, RawFramesCarryTheCrcWhenTheHostHandlesIt) {
  chip.place(kUid);
  run(Bytes{kInListPassiveTarget, 0x01, 0x00});
  run(Bytes{kWriteRegister, 0x63, 0x02, 0x00, 0x63, 0x03, 0x00});  // CRC off both ways
  const auto crc = crc_a(Bytes{0x60});
  const auto r = run(Bytes{kInCommunicateThru, 0x60, crc[0], crc[1]});
  ASSERT_EQ(r.size(), 2u + 8 + 2);
  EXPECT_EQ(r[1], kStatusOk);
  EXPECT_EQ(r[8], 0x0F);  // storage size byte of NTAG213
  const auto answer_crc = crc_a(std::span(r).subspan(2, 8));
  EXPECT_EQ(r[10], answer_crc[0]);
  EXPECT_EQ(r[11], answer_crc[1]);
  // A wrong CRC from the host: the tag ignores the frame.
  EXPECT_EQ(run(Bytes{kInCommunicateThru, 0x60, 0x00, 0x00}), (Bytes{0x43, kStatusTimeout}));
}

TEST_F(ChipTest, ATagThatLeftTheFieldTimesOut) {
  chip.place(kUid);
  run(Bytes{kInListPassiveTarget, 0x01, 0x00});
  chip.remove(kUid);
  EXPECT_EQ(run(Bytes{kInDataExchange, 0x01, 0x30, 0x00}), (Bytes{0x41, kStatusTimeout}));
  EXPECT_EQ(run(Bytes{kDiagnose, 0x06}), (Bytes{0x01, kStatusTimeout}));
}

TEST_F(ChipTest, AnAnswerLargerThanAFrameIsABufferOverflow) {
  chip.place(kOther);  // NTAG215: a FAST_READ of 100 pages is 400 bytes
  run(Bytes{kInListPassiveTarget, 0x01, 0x00});
  EXPECT_EQ(run(Bytes{kInDataExchange, 0x01, 0x3A, 0x00, 0x63}),
            (Bytes{0x41, kStatusBufferOverflow}));
}

TEST_F(ChipTest, ExchangeWithoutASelectedTargetIsRefused) {
  EXPECT_EQ(run(Bytes{kInDataExchange, 0x01, 0x30, 0x00}), (Bytes{0x41, kStatusWrongContext}));
}

TEST_F(ChipTest, ArmedRemovalTakesTheTagAwayOnTheNthRead) {
  chip.place(kUid);
  run(Bytes{kInListPassiveTarget, 0x01, 0x00});
  chip.remove_tag_on_read(2);
  EXPECT_EQ(run(Bytes{kInDataExchange, 0x01, 0x30, 0x00})[1], kStatusOk);
  EXPECT_EQ(run(Bytes{kInDataExchange, 0x01, 0x30, 0x04}), (Bytes{0x41, kStatusTimeout}));
  EXPECT_TRUE(chip.in_field().empty());
}

TEST_F(ChipTest, AutoPollFindsATagAsMifareType) {
  chip.place(kUid);
  const auto r = run(Bytes{kInAutoPoll, 0x14, 0x02, 0x20, 0x10, 0x03});
  ASSERT_GE(r.size(), 4u);
  EXPECT_EQ(r[1], 0x01);  // one target
  EXPECT_EQ(r[2], 0x10);  // MIFARE / Type 2 at 106 kbps
  const Bytes expected = listed(kUid);
  EXPECT_EQ(Bytes(r.begin() + 4, r.end()), Bytes(expected.begin() + 2, expected.end()));
}

TEST_F(ChipTest, AutoPollWithoutATagGivesUpAfterItsPollingTime) {
  const auto r = chip.execute(Bytes{kInAutoPoll, 0x14, 0x02, 0x10});
  EXPECT_EQ(r.data, (Bytes{0x61, 0x00}));
  EXPECT_TRUE(r.waits_for_tag);
  EXPECT_EQ(r.delay, ChipTiming{}.autopoll_unit * (20 * 2));
}

TEST_F(ChipTest, PowerDownSwitchesTheFieldOff) {
  chip.place(kUid);
  run(Bytes{kInListPassiveTarget, 0x01, 0x00});
  EXPECT_EQ(run(Bytes{kPowerDown, 0xF0}), (Bytes{0x17, 0x00}));
  EXPECT_EQ(chip.power_mode(), PowerMode::PowerDown);
  EXPECT_FALSE(chip.field_on());
  EXPECT_FALSE(chip.active_target());
}

TEST_F(ChipTest, ReleaseAndDeselectAnswerWithStatus) {
  EXPECT_EQ(run(Bytes{kInRelease, 0x00}), (Bytes{0x53, 0x00}));
  EXPECT_EQ(run(Bytes{kSetParameters, 0x14}), Bytes{0x13});
}

TEST_F(ChipTest, UnknownOrMalformedCommandsGetTheErrorFrame) {
  EXPECT_TRUE(chip.execute(Bytes{0x8C}).application_error);  // TgInitAsTarget
  EXPECT_TRUE(chip.execute(Bytes{}).application_error);
  EXPECT_TRUE(chip.execute(Bytes{kInListPassiveTarget, 0x05, 0x00}).application_error);
  EXPECT_TRUE(chip.execute(Bytes{kRfConfiguration, 0x77}).application_error);
  EXPECT_TRUE(chip.execute(Bytes{kInAutoPoll, 0x01}).application_error);
}

TEST_F(ChipTest, OnlyRegisteredTagsCanBePlaced) {
  const Uid stranger{1, 2, 3, 4, 5, 6, 7};
  EXPECT_FALSE(chip.place(stranger));
  EXPECT_TRUE(chip.place(kUid));
  EXPECT_TRUE(chip.place(kUid));  // placing twice keeps one
  EXPECT_EQ(chip.in_field().size(), 1u);
  EXPECT_TRUE(chip.remove(kUid));
  EXPECT_FALSE(chip.remove(kUid));
}

}  // namespace
}  // namespace kvittens::emu::pn532
