// `kvittens emulate ble` as a user runs it: it prints the bus address, the driver unlocks
// through it, and SIGTERM ends it with exit code 0.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <string>

#include "drivers/ble/bluez_lock.hpp"
#include "kvittens/lock_receipt.hpp"

namespace kvittens::ble {
namespace {

using namespace std::chrono_literals;

TEST(EmulateBleCli, PrintsTheBusAddressServesTheLockAndStopsOnSigterm) {
  int out[2];
  ASSERT_EQ(pipe2(out, O_CLOEXEC), 0);
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    dup2(out[1], 1);
    execl(KVITTENS_BINARY, "kvittens", "emulate", "ble", "--lock", "AA:BB:CC:DD:EE:01",
          static_cast<char*>(nullptr));
    _exit(127);
  }
  close(out[1]);
  // The address line is the readiness signal: the bus and org.bluez are up when it appears.
  std::string text;
  const std::string prefix = "export DBUS_SYSTEM_BUS_ADDRESS=";
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (text.find(prefix) == std::string::npos ||
         text.find('\n', text.find(prefix)) == std::string::npos) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    ASSERT_GT(left.count(), 0) << "no address printed: " << text;
    pollfd p{out[0], POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
    char buf[512];
    const auto n = read(out[0], buf, sizeof buf);
    ASSERT_GT(n, 0) << "kvittens exited: " << text;
    text.append(buf, static_cast<std::size_t>(n));
  }
  const auto at = text.find(prefix) + prefix.size();
  const auto address = text.substr(at, text.find('\n', at) - at);

  {
    BluezLockOptions o;
    o.address = "AA:BB:CC:DD:EE:01";
    BluezLock lock(open_bus(address), o);
    const std::vector<std::uint8_t> key(32, 0x42);  // the CLI's default key
    const auto receipt = lock.unlock({"AA:BB:CC:DD:EE:01", 3, key}, 5s);
    EXPECT_TRUE(lock_receipt::verify(receipt, key));
  }

  kill(pid, SIGTERM);
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  EXPECT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  close(out[0]);
}

}  // namespace
}  // namespace kvittens::ble
