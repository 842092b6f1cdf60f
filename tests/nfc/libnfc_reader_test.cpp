#include "drivers/nfc/libnfc_reader.hpp"

#include <gtest/gtest.h>

#include <future>

#include "sim/emu/pn532/emulator.hpp"

// The driver through unmodified libnfc against the PN532 emulator on a pty: what a tag read
// yields, and which DeviceError each injected fault turns into.
namespace kvittens::drivers {
namespace {

namespace pn532 = kvittens::emu::pn532;
using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

const pn532::Uid kUid{0x04, 0xA1, 0xB2, 0xC3, 0xD4, 0xE5, 0x80};
constexpr milliseconds kReadTimeout{300};
// Short per-exchange timeout so the timeout faults cost little; well above the emulator's RF time.
const LibnfcReaderOptions kOptions{milliseconds{150}};

class LibnfcReaderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    emulator.add_tag(pn532::Ntag::with_id_text(kUid));
    ASSERT_TRUE(emulator.place_tag(kUid));
  }
  DeviceErrorCode read_error(LibnfcReader& reader, milliseconds timeout = kReadTimeout) {
    try {
      const auto tag = reader.read_tag(timeout);
      ADD_FAILURE() << "read succeeded with UID " << tag.uid;
    } catch (const DeviceError& e) {
      last_message = e.what();
      return e.code();
    }
    return DeviceErrorCode::Failed;
  }
  void expect_clean_read(LibnfcReader& reader) {
    const auto tag = reader.read_tag(kReadTimeout);
    EXPECT_EQ(tag.uid, "04:A1:B2:C3:D4:E5:80");
    EXPECT_EQ(tag.ndef_text, "04:A1:B2:C3:D4:E5:80");
  }

  pn532::Emulator emulator;
  std::string last_message;
};

TEST_F(LibnfcReaderTest, ReadsUidAtqaSakAndTheNdefTextOfTheTagInTheField) {
  LibnfcReader reader(emulator.connstring(), kOptions);
  const TagRead tag = reader.read_tag(kReadTimeout);
  EXPECT_EQ(tag.uid, "04:A1:B2:C3:D4:E5:80");
  EXPECT_EQ(tag.atqa, 0x0044);
  EXPECT_EQ(tag.sak, 0x00);
  EXPECT_EQ(tag.ndef_text, "04:A1:B2:C3:D4:E5:80");
  ASSERT_GE(tag.memory.size(), 16u);
  EXPECT_EQ(tag.memory[0], 0x03);  // NDEF message TLV at the start of user memory
  EXPECT_NE(reader.device_name().find("pn532_uart"), std::string::npos);
}

TEST_F(LibnfcReaderTest, ReadsTheSameTagAgainAfterItsOwnDeselect) {
  LibnfcReader reader(emulator.connstring(), kOptions);
  expect_clean_read(reader);
  expect_clean_read(reader);
}

TEST_F(LibnfcReaderTest, ReadsALongUriOnAnNtag216AcrossManyPages) {
  const pn532::Uid big{0x04, 0x20, 0x21, 0x22, 0x23, 0x24, 0x25};
  const std::string uri = "https://www.example.se/kvittens/" + std::string(300, 'k');
  emulator.add_tag(pn532::Ntag(big, pn532::NtagType::Ntag216, pn532::ndef_uri_message(uri)));
  emulator.clear_field();
  emulator.place_tag(big);
  LibnfcReader reader(emulator.connstring(), kOptions);
  const auto tag = reader.read_tag(kReadTimeout);
  EXPECT_EQ(tag.uid, "04:20:21:22:23:24:25");
  EXPECT_EQ(tag.ndef_text, uri);
  EXPECT_EQ(tag.memory.size() % 16, 0u);
}

TEST_F(LibnfcReaderTest, AnEmptyFieldIsNoTagOnceTheTimeoutHasPassed) {
  emulator.clear_field();
  LibnfcReader reader(emulator.connstring(), kOptions);
  const auto start = Clock::now();
  EXPECT_EQ(read_error(reader, milliseconds{120}), DeviceErrorCode::NoTag);
  const auto took = Clock::now() - start;
  EXPECT_GE(took, milliseconds{120});
  EXPECT_LT(took, milliseconds{1000});
  EXPECT_NE(last_message.find("no ISO14443A tag"), std::string::npos) << last_message;
}

TEST_F(LibnfcReaderTest, ATagPlacedWhileTheReaderPollsIsRead) {
  emulator.clear_field();
  LibnfcReader reader(emulator.connstring(), kOptions);
  const auto before = emulator.commands_received();
  auto read = std::async(std::launch::async, [&] { return reader.read_tag(milliseconds{3000}); });
  // The tag arrives once the reader is visibly polling (an empty poll answered).
  const auto give_up = Clock::now() + milliseconds{3000};
  while (emulator.commands_received() < before + 8 && Clock::now() < give_up) {
    std::this_thread::yield();
  }
  emulator.place_tag(kUid);
  EXPECT_EQ(read.get().uid, "04:A1:B2:C3:D4:E5:80");
}

TEST_F(LibnfcReaderTest, ATagTakenAwayDuringTheReadIsTagRemoved) {
  LibnfcReader reader(emulator.connstring(), kOptions);
  emulator.remove_tag_on_read(2);  // the first user-memory read finds the tag gone
  EXPECT_EQ(read_error(reader), DeviceErrorCode::TagRemoved) << last_message;
  EXPECT_TRUE(emulator.tags_in_field().empty());
  emulator.place_tag(kUid);
  expect_clean_read(reader);
}

TEST_F(LibnfcReaderTest, ACorruptedAnswerIsAProtocolError) {
  LibnfcReader reader(emulator.connstring(), kOptions);
  emulator.fail_response(1, pn532::ResponseFault::CorruptChecksum);
  EXPECT_EQ(read_error(reader), DeviceErrorCode::Protocol) << last_message;
  EXPECT_NE(last_message.find("NFC_EIO"), std::string::npos) << last_message;
  expect_clean_read(reader);
}

TEST_F(LibnfcReaderTest, AMissingAnswerIsATimeout) {
  LibnfcReader reader(emulator.connstring(), kOptions);
  emulator.set_silent(true);
  EXPECT_EQ(read_error(reader), DeviceErrorCode::Timeout) << last_message;
  emulator.clear_faults();
  expect_clean_read(reader);
}

TEST_F(LibnfcReaderTest, AnAnswerSlowerThanTheCommandTimeoutIsATimeout) {
  LibnfcReader reader(emulator.connstring(), kOptions);
  emulator.set_response_delay(milliseconds{400});
  EXPECT_EQ(read_error(reader), DeviceErrorCode::Timeout) << last_message;
  emulator.clear_faults();
  expect_clean_read(reader);
}

TEST_F(LibnfcReaderTest, AnAnswerSlowerButWithinTheTimeoutStillReads) {
  LibnfcReader reader(emulator.connstring(), kOptions);
  emulator.set_response_delay(milliseconds{20});
  expect_clean_read(reader);
}

TEST_F(LibnfcReaderTest, AnUnpluggedReaderIsDisconnected) {
  LibnfcReader reader(emulator.connstring(), kOptions);
  expect_clean_read(reader);
  emulator.unplug();
  EXPECT_EQ(read_error(reader), DeviceErrorCode::Disconnected) << last_message;
}

TEST_F(LibnfcReaderTest, OpeningAPortWithoutAReaderIsNoDevice) {
  try {
    LibnfcReader reader("pn532_uart:/dev/pts/kvittens-no-such-port", kOptions);
    ADD_FAILURE() << "opened a reader that does not exist";
  } catch (const DeviceError& e) {
    EXPECT_EQ(e.code(), DeviceErrorCode::NoDevice);
  }
}

TEST_F(LibnfcReaderTest, ClosingTheReaderPowersTheChipDown) {
  {
    LibnfcReader reader(emulator.connstring(), kOptions);
    expect_clean_read(reader);
  }
  EXPECT_EQ(emulator.power_mode(), pn532::PowerMode::PowerDown);
}

// Beast-style failure walk: corrupt the answer to each command of a read in turn. Every step
// must fail the read with a Protocol error (never wrong data, a crash or a hang), and the next
// read must recover. One step past the last command the read succeeds untouched.
TEST_F(LibnfcReaderTest, CorruptingAnyAnswerOfAReadFailsItAndTheNextReadRecovers) {
  LibnfcReader reader(emulator.connstring(), kOptions);
  expect_clean_read(reader);  // settle libnfc's register cache
  const auto before = emulator.commands_received();
  expect_clean_read(reader);
  const std::size_t commands = emulator.commands_received() - before;
  ASSERT_GE(commands, 5u);
  for (std::size_t n = 1; n <= commands; ++n) {
    emulator.fail_response(n, pn532::ResponseFault::CorruptChecksum);
    EXPECT_EQ(read_error(reader), DeviceErrorCode::Protocol)
        << "command " << n << ": " << last_message;
    emulator.clear_faults();
    expect_clean_read(reader);
  }
  emulator.fail_response(commands + 1, pn532::ResponseFault::CorruptChecksum);
  expect_clean_read(reader);
  emulator.clear_faults();
}

// The same walk with answers that never come: each one is a Timeout.
TEST_F(LibnfcReaderTest, DroppingAnyAnswerOfAReadIsATimeoutAndTheNextReadRecovers) {
  LibnfcReader reader(emulator.connstring(), kOptions);
  expect_clean_read(reader);
  const auto before = emulator.commands_received();
  expect_clean_read(reader);
  const std::size_t commands = emulator.commands_received() - before;
  for (std::size_t n = 1; n <= commands; ++n) {
    emulator.fail_response(n, pn532::ResponseFault::NoResponse);
    EXPECT_EQ(read_error(reader), DeviceErrorCode::Timeout)
        << "command " << n << ": " << last_message;
    emulator.clear_faults();
    expect_clean_read(reader);
  }
}

}  // namespace
}  // namespace kvittens::drivers
