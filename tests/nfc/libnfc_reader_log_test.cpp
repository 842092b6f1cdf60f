// The reader's device log: the SerialTap between libnfc and the PN532 (here the emulator on a
// pty) records every frame that crossed the line, decoded, in order.
#include "drivers/nfc/libnfc_reader.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "kvittens/device_log.hpp"
#include "sim/emu/pn532/emulator.hpp"

namespace kvittens::drivers {
namespace {

namespace pn532 = kvittens::emu::pn532;
using std::chrono::milliseconds;

const pn532::Uid kUid{0x04, 0xA1, 0xB2, 0xC3, 0xD4, 0xE5, 0x80};

LibnfcReaderOptions with_log(DeviceLog* log) {
  LibnfcReaderOptions o;
  o.command_timeout = milliseconds{150};
  o.log = log;
  return o;
}

std::string dump(const std::vector<DeviceLogEntry>& entries) {
  std::string out;
  for (const auto& e : entries) {
    out += std::to_string(e.seq) + " " + e.direction + " " + e.what + " " + e.detail + " " +
           e.verdict + "\n";
  }
  return out;
}

std::size_t find(const std::vector<DeviceLogEntry>& e, std::size_t from, const std::string& dir,
                 const std::string& what, const std::string& verdict = "") {
  for (std::size_t i = from; i < e.size(); ++i) {
    if (e[i].direction == dir && e[i].what == what &&
        (verdict.empty() || e[i].verdict == verdict)) {
      return i;
    }
  }
  return std::string::npos;
}

class ReaderLogTest : public ::testing::Test {
 protected:
  void SetUp() override { emulator.add_tag(pn532::Ntag::with_id_text(kUid)); }
  pn532::Emulator emulator;
  DeviceLog log;
};

TEST_F(ReaderLogTest, ATagReadLogsItsFramesInOrderWithTheirChecksumVerdict) {
  ASSERT_TRUE(emulator.place_tag(kUid));
  LibnfcReader reader(emulator.connstring(), with_log(&log));
  EXPECT_TRUE(reader.tapped());
  reader.read_tag(milliseconds{300});
  const auto e = log.entries();
  // Opening: wakeup and SAMConfiguration; the read: select, READs, deselect; each ACKed and
  // answered.
  std::size_t at = 0;
  for (const auto& [dir, what] :
       std::vector<std::pair<std::string, std::string>>{{"host>reader", "wakeup"},
                                                        {"host>reader", "SAMConfiguration"},
                                                        {"reader>host", "ACK"},
                                                        {"reader>host", "SAMConfiguration"},
                                                        {"host>reader", "InListPassiveTarget"},
                                                        {"reader>host", "ACK"},
                                                        {"reader>host", "InListPassiveTarget"},
                                                        {"host>reader", "InDataExchange"},
                                                        {"reader>host", "InDataExchange"},
                                                        {"host>reader", "InDeselect"},
                                                        {"reader>host", "InDeselect"}}) {
    at = find(e, at, dir, what);
    ASSERT_NE(at, std::string::npos) << dir << " " << what << " missing or out of order:\n"
                                     << dump(e);
    EXPECT_NE(e[at].verdict.find("ok"), std::string::npos) << dump(e);
    ++at;
  }
  // The select's answer carries the UID as it came over the air.
  const auto selected = find(e, 0, "reader>host", "InListPassiveTarget", "ok");
  EXPECT_NE(e[selected].detail.find("04a1b2c3d4e580"), std::string::npos) << dump(e);
  for (const auto& x : e) {
    EXPECT_EQ(x.device, "nfc:" + emulator.connstring());
    EXPECT_EQ(x.transport, "pn532");
  }
}

TEST_F(ReaderLogTest, AnEmptyFieldShowsTheSelectAnsweredWithNoTarget) {
  LibnfcReader reader(emulator.connstring(), with_log(&log));
  EXPECT_THROW(reader.read_tag(milliseconds{50}), DeviceError);
  const auto e = log.entries();
  EXPECT_NE(find(e, 0, "reader>host", "InListPassiveTarget", "no target"), std::string::npos)
      << dump(e);
  EXPECT_EQ(find(e, 0, "host>reader", "InDataExchange"), std::string::npos) << dump(e);
}

TEST_F(ReaderLogTest, ACorruptedAnswerShowsAsTheFrameWithTheBadChecksum) {
  ASSERT_TRUE(emulator.place_tag(kUid));
  LibnfcReader reader(emulator.connstring(), with_log(&log));
  emulator.fail_response(1, pn532::ResponseFault::CorruptChecksum);
  EXPECT_THROW(reader.read_tag(milliseconds{300}), DeviceError);
  const auto e = log.entries();
  const auto bad = std::find_if(e.begin(), e.end(), [](const DeviceLogEntry& x) {
    return x.direction == "reader>host" && x.verdict == "bad DCS";
  });
  ASSERT_NE(bad, e.end()) << dump(e);
  EXPECT_FALSE(bad->detail.empty());
}

TEST_F(ReaderLogTest, AnUnpluggedReaderIsStillDisconnectedThroughTheTap) {
  ASSERT_TRUE(emulator.place_tag(kUid));
  LibnfcReader reader(emulator.connstring(), with_log(&log));
  emulator.unplug();
  try {
    reader.read_tag(milliseconds{300});
    ADD_FAILURE() << "read succeeded";
  } catch (const DeviceError& e) {
    EXPECT_EQ(e.code(), DeviceErrorCode::Disconnected) << e.what();
  }
}

TEST_F(ReaderLogTest, ALogAttachedLaterRecordsFromThenOnAndTheTapCanBeOff) {
  ASSERT_TRUE(emulator.place_tag(kUid));
  {
    LibnfcReader reader(emulator.connstring(), with_log(nullptr));
    reader.read_tag(milliseconds{300});
    EXPECT_TRUE(log.entries().empty());
    reader.set_log(&log);
    reader.read_tag(milliseconds{300});
    EXPECT_NE(find(log.entries(), 0, "host>reader", "InListPassiveTarget"), std::string::npos);
  }  // one host at a time on the emulator's line

  auto untapped = with_log(&log);
  untapped.tap = false;
  DeviceLog other;
  untapped.log = &other;
  LibnfcReader direct(emulator.connstring(), untapped);
  EXPECT_FALSE(direct.tapped());
  direct.read_tag(milliseconds{300});
  EXPECT_TRUE(other.entries().empty());
}

}  // namespace
}  // namespace kvittens::drivers
