// Starting and stopping the private dbus-daemon.
#include "sim/emu/bluez/private_bus.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <stdexcept>
#include <vector>

namespace kvittens::emu {

std::string PrivateBus::default_config() {
  return KVITTENS_BLUEZ_BUS_CONF;
}

PrivateBus::PrivateBus(const std::string& config, std::chrono::milliseconds timeout) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe2 failed");
  // Everything the child needs is built before fork: only async-signal-safe calls after it.
  const std::string config_arg = "--config-file=" + config;
  const std::string print_arg = "--print-address=3";
  std::vector<char*> argv{const_cast<char*>("dbus-daemon"), const_cast<char*>(config_arg.c_str()),
                          const_cast<char*>("--nofork"), const_cast<char*>(print_arg.c_str()),
                          nullptr};
  const pid_t parent = getpid();
  pid_ = fork();
  if (pid_ < 0) {
    close(fds[0]);
    close(fds[1]);
    throw std::runtime_error("fork failed");
  }
  if (pid_ == 0) {
    // The daemon must not outlive a crashed test or CLI.
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (getppid() != parent) _exit(127);
    // A caller waiting for SIGTERM with sigwait has it blocked; the daemon must not inherit that.
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    // dup2 clears O_CLOEXEC on the copy; when the pipe already is fd 3 there is no copy.
    if (fds[1] == 3) {
      fcntl(3, F_SETFD, 0);
    } else {
      dup2(fds[1], 3);
    }
    execvp("dbus-daemon", argv.data());
    _exit(127);
  }
  close(fds[1]);
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::string out;
  while (out.find('\n') == std::string::npos) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    pollfd p{fds[0], POLLIN, 0};
    const int r = left.count() > 0 ? poll(&p, 1, static_cast<int>(left.count())) : 0;
    if (r < 0 && errno == EINTR) continue;
    char buf[256];
    const ssize_t n = r > 0 ? read(fds[0], buf, sizeof buf) : 0;
    if (n <= 0) {
      close(fds[0]);
      kill(pid_, SIGTERM);
      waitpid(pid_, nullptr, 0);
      throw std::runtime_error(r == 0 ? "dbus-daemon printed no address in time"
                                      : "dbus-daemon exited before printing its address (" +
                                            config + ")");
    }
    out.append(buf, static_cast<std::size_t>(n));
  }
  close(fds[0]);
  address_ = out.substr(0, out.find('\n'));
}

PrivateBus::~PrivateBus() {
  if (pid_ > 0) {
    kill(pid_, SIGTERM);
    waitpid(pid_, nullptr, 0);
  }
}

}  // namespace kvittens::emu
