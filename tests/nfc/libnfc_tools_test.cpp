#include <gtest/gtest.h>

#include <csignal>
#include <cstdio>
#include <fstream>
#include <iterator>

#include "sim/emu/pn532/emulator.hpp"
#include "tests/nfc/subprocess.hpp"

// libnfc's own command-line tools, unmodified, against the emulator: they find it through
// LIBNFC_DEVICE exactly as they would find a lab reader.
namespace kvittens::emu::pn532 {
namespace {

using kvittens::testing::Child;
using std::chrono::milliseconds;

const Uid kUid{0x04, 0xA1, 0xB2, 0xC3, 0xD4, 0xE5, 0x80};
constexpr milliseconds kToolTimeout{10000};

class LibnfcToolsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    emulator.add_tag(Ntag::with_id_text(kUid, NtagType::Ntag215));
    ASSERT_TRUE(emulator.place_tag(kUid));
  }
  Child::Env env() const { return {{"LIBNFC_DEVICE", emulator.connstring()}}; }
  Emulator emulator;
};

TEST_F(LibnfcToolsTest, NfcListShowsTheTagWithUidAtqaAndSak) {
  Child list({"nfc-list"}, env());
  ASSERT_EQ(list.wait(kToolTimeout), 0) << list.output();
  const auto& out = list.output();
  EXPECT_NE(out.find("1 ISO14443A passive target(s) found"), std::string::npos) << out;
  EXPECT_NE(out.find("ATQA (SENS_RES): 00  44"), std::string::npos) << out;
  EXPECT_NE(out.find("UID (NFCID1): 04  a1  b2  c3  d4  e5  80"), std::string::npos) << out;
  EXPECT_NE(out.find("SAK (SEL_RES): 00"), std::string::npos) << out;
}

TEST_F(LibnfcToolsTest, NfcListShowsEveryTagInTheField) {
  const Uid second{0x04, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66};
  emulator.add_tag(Ntag::with_id_text(second));
  emulator.place_tag(second);
  Child list({"nfc-list"}, env());
  ASSERT_EQ(list.wait(kToolTimeout), 0) << list.output();
  EXPECT_NE(list.output().find("2 ISO14443A passive target(s) found"), std::string::npos)
      << list.output();
  EXPECT_NE(list.output().find("04  11  22  33  44  55  66"), std::string::npos);
}

TEST_F(LibnfcToolsTest, NfcPollFindsTheTagAndNoticesWhenItLeaves) {
  Child poll({"nfc-poll"}, env());
  ASSERT_TRUE(poll.wait_for_output("Waiting for card removing", kToolTimeout)) << poll.output();
  EXPECT_NE(poll.output().find("UID (NFCID1): 04  a1  b2  c3  d4  e5  80"), std::string::npos)
      << poll.output();
  emulator.remove_tag(kUid);
  ASSERT_EQ(poll.wait(kToolTimeout), 0) << poll.output();
  EXPECT_NE(poll.output().find("done."), std::string::npos) << poll.output();
}

TEST_F(LibnfcToolsTest, NfcMfultralightDumpsTheWholeTagMemory) {
  const std::string dump = ::testing::TempDir() + "kvittens-nfc-dump.mfd";
  std::remove(dump.c_str());
  Child read({"nfc-mfultralight", "r", dump}, env());
  ASSERT_EQ(read.wait(kToolTimeout), 0) << read.output();
  EXPECT_NE(read.output().find("NTAG215"), std::string::npos) << read.output();
  EXPECT_NE(read.output().find("135 of 135 pages read"), std::string::npos) << read.output();
  std::ifstream in(dump, std::ios::binary);
  const std::vector<std::uint8_t> bytes{std::istreambuf_iterator<char>(in), {}};
  const auto tag = Ntag::with_id_text(kUid, NtagType::Ntag215);
  EXPECT_EQ(bytes, std::vector<std::uint8_t>(tag.memory().begin(), tag.memory().end()));
}

TEST_F(LibnfcToolsTest, NfcListFailsCleanlyOnAnUnpluggedReader) {
  emulator.unplug();
  Child list({"nfc-list"}, env());
  const auto rc = list.wait(kToolTimeout);
  ASSERT_TRUE(rc.has_value()) << list.output();
  EXPECT_EQ(list.output().find("ISO14443A passive target"), std::string::npos) << list.output();
}

TEST(KvittensEmulateNfc, ServesNfcListAndStopsOnSigterm) {
  Child emulate({KVITTENS_BINARY, "emulate", "nfc", "--tag", "04:A1:B2:C3:D4:E5:80", "--tag",
                 "04:11:22:33:44:55:66"});
  ASSERT_TRUE(emulate.wait_for_output("export LIBNFC_DEVICE=pn532_uart:/dev/", kToolTimeout))
      << emulate.output();
  ASSERT_TRUE(emulate.wait_for_output("\n", milliseconds{1000}));
  const auto& out = emulate.output();
  const auto at = out.find("LIBNFC_DEVICE=") + std::string("LIBNFC_DEVICE=").size();
  const auto connstring = out.substr(at, out.find('\n', at) - at);
  Child list({"nfc-list"}, {{"LIBNFC_DEVICE", connstring}});
  ASSERT_EQ(list.wait(kToolTimeout), 0) << list.output();
  EXPECT_NE(list.output().find("2 ISO14443A passive target(s) found"), std::string::npos)
      << list.output();
  emulate.signal(SIGTERM);
  EXPECT_EQ(emulate.wait(kToolTimeout), 0) << emulate.output();
}

TEST(KvittensEmulateNfc, RefusesAMalformedUid) {
  Child emulate({KVITTENS_BINARY, "emulate", "nfc", "--tag", "04:A1"});
  EXPECT_EQ(emulate.wait(kToolTimeout), 2) << emulate.output();
  EXPECT_NE(emulate.output().find("not a 7-byte UID"), std::string::npos) << emulate.output();
}

TEST(KvittensEmulateNfc, HelpDescribesTheSubcommand) {
  Child help({KVITTENS_BINARY, "emulate", "nfc", "--help"});
  EXPECT_EQ(help.wait(kToolTimeout), 0);
  EXPECT_NE(help.output().find("--tag"), std::string::npos) << help.output();
  EXPECT_NE(help.output().find("LIBNFC_DEVICE"), std::string::npos) << help.output();
}

}  // namespace
}  // namespace kvittens::emu::pn532
