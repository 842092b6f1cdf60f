// A private dbus-daemon for the emulated BlueZ, started from the project's own busconfig
// (sim/emu/bluez/bus.conf). Ready when the daemon prints its address; stopped on destruction.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <string>

namespace kvittens::emu {

class PrivateBus {
 public:
  // The busconfig committed with the emulator.
  static std::string default_config();

  // Starts `dbus-daemon --config-file=config --nofork --print-address=FD` and blocks until the
  // daemon writes its address (it is listening then). Throws std::runtime_error when it exits
  // or stays silent for `timeout`.
  explicit PrivateBus(const std::string& config = default_config(),
                      std::chrono::milliseconds timeout = std::chrono::seconds(10));
  ~PrivateBus();  // SIGTERM, then reaps the daemon
  PrivateBus(const PrivateBus&) = delete;
  PrivateBus& operator=(const PrivateBus&) = delete;

  const std::string& address() const { return address_; }
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
  std::string address_;
};

}  // namespace kvittens::emu
