// A transparent tap on a reader's serial line, so the device log records exactly what crossed
// it. libnfc owns the port it opens, so the tap stands in front: it opens the real device
// (`/dev/ttyUSB0`, raw, at the line speed), makes a pseudo-terminal pair, and relays every byte
// between the pty (which libnfc opens instead) and the device, unchanged and in order. Each
// direction goes through a PN532 frame decoder; every frame becomes one device-log entry.
// When the device goes away (read error, hang-up), the tap closes its side, so libnfc sees the
// same I/O error it would have seen on the device itself.
#pragma once

#include <atomic>
#include <string>
#include <thread>

#include "drivers/nfc/pn532_frames.hpp"
#include "kvittens/device_log.hpp"

namespace kvittens::drivers {

class SerialTap {
 public:
  // `device`: the real serial port; `log_name`: the device name entries carry. Throws
  // DeviceError(NoDevice) when the port or a pty cannot be opened.
  SerialTap(std::string device, int baud, std::string log_name);
  ~SerialTap();
  SerialTap(const SerialTap&) = delete;
  SerialTap& operator=(const SerialTap&) = delete;

  const std::string& host_path() const { return host_path_; }  // the pty libnfc opens
  void set_log(DeviceLog* log) { log_.store(log); }

 private:
  void run();
  void record(const pn532::Frame& frame, bool from_host);
  bool relay(int from, int to, pn532::FrameDecoder& decoder, bool from_host);

  std::string device_;
  std::string log_name_;
  std::string host_path_;
  int device_fd_ = -1;
  int master_fd_ = -1;
  int slave_fd_ = -1;  // held open so the master never reads as hung up before libnfc opens it
  int wake_[2] = {-1, -1};
  std::atomic<DeviceLog*> log_{nullptr};
  std::thread thread_;
};

}  // namespace kvittens::drivers
