// Tag-read latency through the driver + libnfc + PN532 emulator, next to the round trips it is
// built from, all measured in the same run: a raw pty echo (kernel only), one PN532 command
// through the emulator's link, and a whole tag read (UID + NDEF) through LibnfcReader.
// The emulator's RF timing is set to zero so the numbers are the software stack alone.
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <termios.h>
#include <unistd.h>

#include <array>
#include <stdexcept>
#include <thread>

#include "drivers/nfc/libnfc_reader.hpp"
#include "sim/emu/pn532/emulator.hpp"

namespace {

namespace pn532 = kvittens::emu::pn532;
using std::chrono::milliseconds;

const pn532::Uid kUid{0x04, 0xA1, 0xB2, 0xC3, 0xD4, 0xE5, 0x80};
const pn532::ChipTiming kNoRfTime{milliseconds{0}, milliseconds{0}, milliseconds{150}};

int open_raw(const char* path) {
  const int fd = ::open(path, O_RDWR | O_NOCTTY);
  if (fd < 0) throw std::runtime_error("open pty");
  termios tio{};
  ::tcgetattr(fd, &tio);
  ::cfmakeraw(&tio);
  ::tcsetattr(fd, TCSANOW, &tio);
  return fd;
}

// Reads exactly n bytes (blocking fd).
void read_exactly(int fd, std::uint8_t* out, std::size_t n) {
  while (n > 0) {
    const auto got = ::read(fd, out, n);
    if (got <= 0) throw std::runtime_error("pty read");
    out += got;
    n -= static_cast<std::size_t>(got);
  }
}

// A pty whose master echoes every byte back: the kernel's share of any frame round trip.
void BM_RawPtyEchoRoundTrip(benchmark::State& state) {
  const int master = ::posix_openpt(O_RDWR | O_NOCTTY);
  ::grantpt(master);
  ::unlockpt(master);
  std::array<char, 64> name{};
  ::ptsname_r(master, name.data(), name.size());
  const int slave = open_raw(name.data());
  std::thread echo([master] {
    std::array<std::uint8_t, 256> buf{};
    for (;;) {
      const auto n = ::read(master, buf.data(), buf.size());
      if (n <= 0 || ::write(master, buf.data(), static_cast<std::size_t>(n)) != n) return;
    }
  });
  const auto frame = pn532::serialize(std::array<std::uint8_t, 1>{pn532::kGetFirmwareVersion},
                                      pn532::Direction::HostToChip);
  std::vector<std::uint8_t> back(frame.size());
  for (auto _ : state) {
    if (::write(slave, frame.data(), frame.size()) != static_cast<ssize_t>(frame.size())) break;
    read_exactly(slave, back.data(), back.size());
  }
  ::close(slave);
  ::close(master);  // ends the echo thread's read
  echo.join();
}
BENCHMARK(BM_RawPtyEchoRoundTrip)->Unit(benchmark::kMicrosecond);

// One PN532 command (GetFirmwareVersion) → ACK + answer through the emulator's pty link.
void BM_Pn532CommandRoundTrip(benchmark::State& state) {
  pn532::Emulator emulator(kNoRfTime);
  const int host = open_raw(emulator.device_path().c_str());
  const auto frame = pn532::serialize(std::array<std::uint8_t, 1>{pn532::kGetFirmwareVersion},
                                      pn532::Direction::HostToChip);
  std::array<std::uint8_t, 6 + 13> back{};  // ACK + answer
  for (auto _ : state) {
    if (::write(host, frame.data(), frame.size()) != static_cast<ssize_t>(frame.size())) break;
    read_exactly(host, back.data(), back.size());
  }
  ::close(host);
}
BENCHMARK(BM_Pn532CommandRoundTrip)->Unit(benchmark::kMicrosecond);

// A whole tag read as the phone does it: poll, UID, ATQA/SAK, NDEF text. Arg: 0 libnfc on the
// port itself (no serial tap), 1 through the serial tap without a device log, 2 through the tap
// recording every frame in a device log — the tap's cost is the ratio of 1 and 2 to 0.
void BM_TagReadThroughLibnfc(benchmark::State& state) {
  pn532::Emulator emulator(kNoRfTime);
  emulator.add_tag(pn532::Ntag::with_id_text(kUid));
  emulator.place_tag(kUid);
  kvittens::DeviceLog log;
  kvittens::drivers::LibnfcReaderOptions options;
  options.tap = state.range(0) > 0;
  options.log = state.range(0) > 1 ? &log : nullptr;
  kvittens::drivers::LibnfcReader reader(emulator.connstring(), options);
  const auto before = emulator.commands_received();
  std::size_t reads = 0;
  for (auto _ : state) {
    auto tag = reader.read_tag(milliseconds{1000});
    benchmark::DoNotOptimize(tag);
    ++reads;
  }
  state.counters["commands_per_read"] =
      reads == 0
          ? 0.0
          : static_cast<double>(emulator.commands_received() - before) / static_cast<double>(reads);
}
BENCHMARK(BM_TagReadThroughLibnfc)
    ->ArgName("tap")
    ->Arg(0)
    ->Arg(1)
    ->Arg(2)
    ->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
