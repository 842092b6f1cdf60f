#include "sim/emu/pn532/emulator.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <termios.h>
#include <unistd.h>

#include <random>

// The emulator's pty link seen from a bare host that writes frames itself: it ACKs, answers,
// refuses malformed frames with a NACK, and keeps serving whatever it was sent.
namespace kvittens::emu::pn532 {
namespace {

using Bytes = std::vector<std::uint8_t>;
using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

class RawHost {
 public:
  explicit RawHost(const std::string& path) : fd_(::open(path.c_str(), O_RDWR | O_NOCTTY)) {
    if (fd_ >= 0) {
      termios tio{};
      ::tcgetattr(fd_, &tio);
      ::cfmakeraw(&tio);
      ::tcsetattr(fd_, TCSANOW, &tio);
    }
  }
  ~RawHost() {
    if (fd_ >= 0) ::close(fd_);
  }
  bool ok() const { return fd_ >= 0; }
  void send(const Bytes& b) { ASSERT_TRUE(try_send(b)); }
  bool try_send(const Bytes& b) {
    return ::write(fd_, b.data(), b.size()) == static_cast<ssize_t>(b.size());
  }
  // Exactly n bytes, or fewer if `timeout` passes first.
  Bytes receive(std::size_t n, milliseconds timeout = milliseconds{1000}) {
    Bytes out;
    const auto deadline = Clock::now() + timeout;
    while (out.size() < n) {
      const auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now()).count();
      pollfd p{fd_, POLLIN, 0};
      if (left <= 0 || ::poll(&p, 1, static_cast<int>(left)) <= 0) break;
      std::uint8_t buf[512];
      const auto got = ::read(fd_, buf, std::min(sizeof buf, n - out.size()));
      if (got <= 0) break;
      out.insert(out.end(), buf, buf + got);
    }
    return out;
  }

 private:
  int fd_;
};

const Bytes kFirmwareAnswer{0x00, 0x00, 0xFF, 0x06, 0xFA, 0xD5, 0x03,
                            0x32, 0x01, 0x06, 0x07, 0xE8, 0x00};

Bytes command(const Bytes& data) {
  return serialize(data, Direction::HostToChip);
}

TEST(Pn532Link, AcksThenAnswersACommand) {
  Emulator emulator;
  RawHost host(emulator.device_path());
  ASSERT_TRUE(host.ok());
  host.send(command(Bytes{kGetFirmwareVersion}));
  EXPECT_EQ(host.receive(6), ack_frame());
  EXPECT_EQ(host.receive(kFirmwareAnswer.size()), kFirmwareAnswer);
  EXPECT_EQ(emulator.commands_received(), 1u);
}

TEST(Pn532Link, EveryBrokenFieldIsNackedAndNamedAndTheLinkGoesOn) {
  Emulator emulator;
  RawHost host(emulator.device_path());
  ASSERT_TRUE(host.ok());
  const Bytes good = command(Bytes{kGetFirmwareVersion});  // 00 00 FF 02 FE D4 02 2A 00
  Bytes bad_lcs = good;
  bad_lcs[4] = 0xFD;
  Bytes bad_tfi = good;
  bad_tfi[5] = 0xD5;
  bad_tfi[7] = 0x29;  // keep the DCS right so only the TFI is wrong
  Bytes bad_dcs = good;
  bad_dcs[7] = 0x2B;
  Bytes bad_postamble = good;
  bad_postamble[8] = 0x01;
  const Bytes bad_length{0x00, 0x00, 0xFF, 0x00, 0x00, 0xD4, 0x2C, 0x00};
  for (const auto& frame : {bad_lcs, bad_tfi, bad_dcs, bad_postamble, bad_length}) {
    host.send(frame);
    EXPECT_EQ(host.receive(6), nack_frame());
    // Whatever the parser dropped, the next good frame is served.
    host.send(good);
    EXPECT_EQ(host.receive(6), ack_frame());
    EXPECT_EQ(host.receive(kFirmwareAnswer.size()), kFirmwareAnswer);
  }
  // The rest of a frame whose header was refused is line noise (Preamble) and dropped quietly.
  std::vector<Reject> named;
  for (auto r : emulator.rejected_frames()) {
    if (r != Reject::Preamble) named.push_back(r);
  }
  EXPECT_EQ(named, (std::vector<Reject>{Reject::LengthChecksum, Reject::Tfi, Reject::DataChecksum,
                                        Reject::Postamble, Reject::Length}));
}

TEST(Pn532Link, AHostNackGetsTheLastAnswerAgain) {
  Emulator emulator;
  RawHost host(emulator.device_path());
  host.send(command(Bytes{kGetFirmwareVersion}));
  host.receive(6 + kFirmwareAnswer.size());
  host.send(nack_frame());
  EXPECT_EQ(host.receive(kFirmwareAnswer.size()), kFirmwareAnswer);
}

TEST(Pn532Link, AHostAckAbortsACommandThatWaitsForATag) {
  Emulator emulator;
  RawHost host(emulator.device_path());
  host.send(command(Bytes{kInListPassiveTarget, 0x01, 0x00}));  // infinite retries by default
  EXPECT_EQ(host.receive(6), ack_frame());
  host.send(ack_frame());
  const Uid uid{0x04, 1, 2, 3, 4, 5, 6};
  emulator.add_tag(Ntag::with_id_text(uid));
  emulator.place_tag(uid);
  EXPECT_TRUE(host.receive(1, milliseconds{100}).empty());  // the aborted poll stays quiet
}

TEST(Pn532Link, APollWaitingForATagIsAnsweredWhenOneIsPlaced) {
  Emulator emulator;
  RawHost host(emulator.device_path());
  host.send(command(Bytes{kInListPassiveTarget, 0x01, 0x00}));
  EXPECT_EQ(host.receive(6), ack_frame());
  const Uid uid{0x04, 1, 2, 3, 4, 5, 6};
  emulator.add_tag(Ntag::with_id_text(uid));
  emulator.place_tag(uid);
  const Bytes answer = host.receive(22);  // 5 header + TFI + 14 data + DCS + postamble
  ASSERT_EQ(answer.size(), 22u);
  const auto frame = parse(answer, Direction::ChipToHost);
  ASSERT_EQ(frame.status, ParseResult::Status::Complete);
  EXPECT_EQ(frame.frame.data[1], 0x01);  // one target
}

TEST(Pn532Link, UnknownCommandsGetTheApplicationErrorFrame) {
  Emulator emulator;
  RawHost host(emulator.device_path());
  host.send(command(Bytes{0x8C, 0x00}));
  EXPECT_EQ(host.receive(6), ack_frame());
  EXPECT_EQ(host.receive(8), application_error_frame());
}

TEST(Pn532Link, RandomLineNoiseNeverStopsTheEmulator) {
  Emulator emulator;
  RawHost host(emulator.device_path());
  std::mt19937 rng(4);
  for (int round = 0; round < 50; ++round) {
    Bytes noise(1 + rng() % 64);
    for (auto& b : noise) b = static_cast<std::uint8_t>(rng());
    host.send(noise);
  }
  // Noise can leave a half frame open; a host resynchronises by ACK (abort) and a fresh frame.
  // Swallow whatever the noise provoked, then the emulator must still answer.
  host.receive(100000, milliseconds{100});
  Bytes flush(300, 0x00);
  host.send(flush);
  host.receive(100000, milliseconds{100});
  host.send(command(Bytes{kGetFirmwareVersion}));
  const Bytes reply = host.receive(6 + kFirmwareAnswer.size());
  ASSERT_GE(reply.size(), kFirmwareAnswer.size());
  EXPECT_TRUE(std::equal(kFirmwareAnswer.rbegin(), kFirmwareAnswer.rend(), reply.rbegin()));
}

TEST(Pn532Link, UnplugClosesThePty) {
  Emulator emulator;
  RawHost host(emulator.device_path());
  emulator.unplug();
  EXPECT_TRUE(emulator.unplugged());
  // The slave side sees a hangup: writes fail and nothing ever comes back.
  EXPECT_FALSE(host.try_send(command(Bytes{kGetFirmwareVersion})));
  EXPECT_TRUE(host.receive(6, milliseconds{100}).empty());
}

TEST(Pn532Link, ResponseFaultsHitOnlyTheChosenCommand) {
  Emulator emulator;
  RawHost host(emulator.device_path());
  emulator.fail_response(2, ResponseFault::CorruptChecksum);
  host.send(command(Bytes{kGetFirmwareVersion}));
  EXPECT_EQ(host.receive(6 + kFirmwareAnswer.size()).size(), 6 + kFirmwareAnswer.size());
  host.send(command(Bytes{kGetFirmwareVersion}));
  EXPECT_EQ(host.receive(6), ack_frame());
  const auto corrupted = host.receive(kFirmwareAnswer.size());
  EXPECT_EQ(parse(corrupted, Direction::ChipToHost).reason, Reject::DataChecksum);
  host.send(command(Bytes{kGetFirmwareVersion}));
  EXPECT_EQ(host.receive(6), ack_frame());
  EXPECT_EQ(host.receive(kFirmwareAnswer.size()), kFirmwareAnswer);
}

}  // namespace
}  // namespace kvittens::emu::pn532
