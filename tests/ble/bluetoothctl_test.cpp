// BlueZ's own bluetoothctl, given the private bus as its system bus, sees the emulated
// controller and lock, connects, lists the GATT attributes, reads Status and gets notified.
#include "sim/emu/bluez/emulated_bluez.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <string>

#include "drivers/ble/lock_protocol.hpp"
#include "sim/emu/bluez/private_bus.hpp"
#include "tests/ble/manual_clock.hpp"

namespace kvittens::emu {
namespace {

using namespace std::chrono_literals;

// bluetoothctl on two pipes: send a line, then wait for what it prints in answer.
class Bluetoothctl {
 public:
  explicit Bluetoothctl(const std::string& bus_address) {
    int in[2], out[2];
    if (pipe2(in, O_CLOEXEC) != 0 || pipe2(out, O_CLOEXEC) != 0) throw std::runtime_error("pipe");
    const std::string env = "DBUS_SYSTEM_BUS_ADDRESS=" + bus_address;
    pid_ = fork();
    if (pid_ == 0) {
      prctl(PR_SET_PDEATHSIG, SIGKILL);
      dup2(in[0], 0);
      dup2(out[1], 1);
      dup2(out[1], 2);
      putenv(const_cast<char*>(env.c_str()));
      execlp("bluetoothctl", "bluetoothctl", static_cast<char*>(nullptr));
      _exit(127);
    }
    close(in[0]);
    close(out[1]);
    to_ = in[1];
    from_ = out[0];
  }
  ~Bluetoothctl() {
    close(to_);
    close(from_);
    kill(pid_, SIGTERM);
    waitpid(pid_, nullptr, 0);
  }

  void send(const std::string& line) {
    const auto text = line + "\n";
    ASSERT_EQ(write(to_, text.data(), text.size()), static_cast<ssize_t>(text.size()));
  }

  // True once `text` appears in the output after the previous match, within `timeout`.
  bool expect(const std::string& text, std::chrono::milliseconds timeout = 5s) {
    return wait_for(text, timeout, true);
  }
  // True once `text` appears anywhere in the output so far, within `timeout`.
  bool printed(const std::string& text, std::chrono::milliseconds timeout = 5s) {
    return wait_for(text, timeout, false);
  }
  const std::string& output() const { return output_; }

 private:
  bool wait_for(const std::string& text, std::chrono::milliseconds timeout, bool advance) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (true) {
      if (const auto at = output_.find(text, advance ? seen_ : 0); at != std::string::npos) {
        if (advance) seen_ = std::max(seen_, at + text.size());
        return true;
      }
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return false;
      pollfd p{from_, POLLIN, 0};
      if (poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
      char buf[4096];
      const auto n = read(from_, buf, sizeof buf);
      if (n <= 0) return false;
      output_.append(buf, static_cast<std::size_t>(n));
    }
  }

  pid_t pid_ = -1;
  int to_ = -1, from_ = -1;
  std::string output_;
  std::size_t seen_ = 0;
};

TEST(Bluetoothctl, SeesTheControllerAndTheLockReadsStatusAndGetsNotified) {
  PrivateBus bus;
  testing::ManualClock clock;
  EmulatedBluez bluez(bus.address(), clock);
  LockConfig lock;
  lock.address = "AA:BB:CC:DD:EE:01";
  lock.key = std::vector<std::uint8_t>(32, 0x42);
  bluez.add_lock(lock);

  Bluetoothctl ctl(bus.address());
  // bluetoothctl registers its agent once it has loaded the objects under org.bluez.
  ASSERT_TRUE(ctl.expect("Agent registered")) << ctl.output();
  ctl.send("list");
  ASSERT_TRUE(ctl.expect("Controller 00:1A:7D:DA:71:01 kvittens-emulated [default]"))
      << ctl.output();
  ctl.send("devices");
  ASSERT_TRUE(ctl.expect("Device AA:BB:CC:DD:EE:01 kvittens-lock")) << ctl.output();
  ctl.send("connect AA:BB:CC:DD:EE:01");
  ASSERT_TRUE(ctl.expect("Connection successful")) << ctl.output();
  ctl.send("menu gatt");
  ctl.send("list-attributes AA:BB:CC:DD:EE:01");
  ASSERT_TRUE(ctl.expect(std::string(lock_protocol::kServiceUuid))) << ctl.output();
  for (auto uuid : {lock_protocol::kStatusUuid, lock_protocol::kResponseUuid,
                    lock_protocol::kControlPointUuid}) {
    EXPECT_TRUE(ctl.printed(std::string(uuid))) << uuid << "\n" << ctl.output();
  }
  ctl.send("select-attribute " + std::string(lock_protocol::kStatusUuid));
  ctl.send("read");
  // Status record: locked, 100 %, no log entries (docs/lock-profile.md section 6).
  ASSERT_TRUE(ctl.expect("01 64 00 00")) << ctl.output();
  ctl.send("notify on");
  ASSERT_TRUE(ctl.expect("Notify started")) << ctl.output();
  bluez.inject(lock.address, LockFault::LowBattery, 8);
  // Locked + low battery, 8 %, one entry (the LowBattery event).
  ASSERT_TRUE(ctl.expect("03 08 01 00")) << ctl.output();
  ctl.send("back");
  ctl.send("disconnect AA:BB:CC:DD:EE:01");
  ASSERT_TRUE(ctl.expect("Successful disconnected")) << ctl.output();
}

}  // namespace
}  // namespace kvittens::emu
